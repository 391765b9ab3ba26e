import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { Spec } from "../spec";

export interface MediaStoreArgs {
  readonly spec: Spec;
  /** Private key for an ssh:// target; the ssh agent is used when absent. */
  readonly sshPrivateKey?: pulumi.Input<string>;
}

/**
 * The host directory that holds every upload and a docker volume bound to it; with the media
 * worker, a volume for its derived files and state and one for vsftpd's log it reads. All are
 * retained on delete: `pulumi destroy` removes the servers, never the media, the posters or a
 * queue of uploads still to publish.
 */
export class MediaStore extends pulumi.ComponentResource {
  public readonly directory: command.local.Command | command.remote.Command;
  public readonly volume: docker.Volume;
  public readonly volumeName: pulumi.Output<string>;
  public readonly hostPath: string;
  /** Posters, metadata, previews and the worker's queue (with processing on). */
  public readonly derivedVolume?: docker.Volume;
  /** vsftpd's log, written by the FTP container, read by the worker (with processing on). */
  public readonly ftpLogVolume?: docker.Volume;

  constructor(name: string, args: MediaStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:MediaStore", name, {}, opts);
    const { spec } = args;
    const { target } = spec;
    this.hostPath = spec.media.hostPath;

    // The path is allow-listed by the spec module (no quotes, spaces or `..`), so quoting is safe.
    // The folders inside are made by the FTP container, which knows its user's ids.
    const create = `mkdir -p -- '${this.hostPath}'`;
    const keep = { parent: this, retainOnDelete: true };
    if (target.kind === "ssh" && target.hostKey === undefined) {
      pulumi.log.warn(
        "target.sshHostKey is not set: the command that makes the media folder accepts any SSH host key (docs/deploy.md)",
        this,
      );
    }
    this.directory =
      target.kind === "ssh"
        ? new command.remote.Command(
            `${name}-dir`,
            {
              // Without hostKey the command provider accepts whatever key the server shows.
              connection: {
                host: target.host,
                user: target.user,
                port: target.port,
                privateKey: args.sshPrivateKey,
                hostKey: target.hostKey,
              },
              create,
            },
            keep,
          )
        : new command.local.Command(`${name}-dir`, { create }, keep);

    // The path is part of the volume's name: Docker hands back an existing volume of the same
    // name unchanged, so a new path under the old name would silently keep the old folder.
    const pathHash = createHash("sha256").update(this.hostPath).digest("hex").slice(0, 8);
    this.volume = new docker.Volume(
      `${name}-media`,
      {
        name: `${spec.name}-media-${pathHash}`,
        driver: "local",
        driverOpts: { type: "none", o: "bind", device: this.hostPath },
        labels: [
          { label: "video-server.stack", value: spec.stack },
          { label: "video-server.host-path", value: this.hostPath },
        ],
      },
      { ...keep, dependsOn: [this.directory] },
    );
    this.volumeName = this.volume.name;

    if (spec.processing !== undefined) {
      const plain = (suffix: string) =>
        new docker.Volume(
          `${name}-${suffix}`,
          {
            name: `${spec.name}-${suffix}`,
            driver: "local",
            labels: [{ label: "video-server.stack", value: spec.stack }],
          },
          keep,
        );
      this.derivedVolume = plain("derived");
      this.ftpLogVolume = plain("ftp-log");
    }

    this.registerOutputs({
      directory: this.directory,
      volume: this.volume,
      volumeName: this.volumeName,
      derivedVolume: this.derivedVolume,
      ftpLogVolume: this.ftpLogVolume,
    });
  }
}
