import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ftpContainerFiles } from "../containerFiles";
import { FTP_CONTAINER_LAYOUT as LAYOUT, MEDIA_OWNER, passivePortList, type Spec } from "../spec";
import { bannerHealthcheck, serverImage, uploadVolumes } from "./containers";
import { runServer, type SwarmPlacement } from "./swarmService";
import { PasswordHashes } from "./passwordHashes";

export interface FtpServerArgs {
  readonly spec: Spec;
  /** The media volume, mounted read-write at the media root. */
  readonly volumeName: pulumi.Input<string>;
  /** A volume for vsftpd's log, which the media worker reads (with processing on). */
  readonly logVolumeName?: pulumi.Input<string>;
  /** Every user's password by name; secret. */
  readonly passwords: Readonly<Record<string, pulumi.Input<string>>>;
  /** PEM certificate chain and key for FTPS (spec.ftp.tls not "off"); secret. */
  readonly tlsCertificate?: pulumi.Input<string>;
  readonly tlsKey?: pulumi.Input<string>;
  /** Swarm mode: a service on the media node instead of a container. */
  readonly swarm?: SwarmPlacement;
}

/** vsftpd with virtual users (pam_pwdfile, bcrypt), chrooted to their roots, passive mode only. */
export class FtpServer extends pulumi.ComponentResource {
  /** A container on one host; a Swarm service in swarm mode. */
  public readonly container: docker.Container | docker.Service;
  public readonly imageId: pulumi.Output<string>;
  /** Each user's bcrypt hash (secret): the SFTP server checks the same passwords. */
  public readonly passwordHashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FtpServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:FtpServer", name, {}, opts);
    const { spec } = args;
    const ftp = spec.ftp;

    this.imageId = serverImage(
      `${name}-image`,
      spec.images.ftp,
      spec.target.platform,
      { MEDIA_UID: String(MEDIA_OWNER.uid), MEDIA_GID: String(MEDIA_OWNER.gid) },
      { parent: this },
      args.swarm,
    );

    const { hashes } = new PasswordHashes(
      `${name}-hashes`,
      { spec, service: "ftp", names: ftp.users.map((u) => u.name), passwords: args.passwords },
      { parent: this },
    );
    this.passwordHashes = hashes;
    // One apply over the secrets: the file list comes out as one secret Output.
    const files = pulumi.secret(
      pulumi
        .all([hashes, args.tlsCertificate, args.tlsKey])
        .apply(([ftpHashes, tlsCertificate, tlsKey]) =>
          ftpContainerFiles(spec, LAYOUT, { ftpHashes, tlsCertificate, tlsKey }),
        ),
    );

    const names = ftp.users.map((u) => u.name);
    this.container = runServer(
      this,
      name,
      spec,
      {
        role: "ftp",
        image: this.imageId,
        ports: [
          { internal: LAYOUT.listenPort, external: ftp.port },
          // vsftpd names the data port in its PASV reply, so inside and outside numbers match.
          ...passivePortList(ftp).map((p) => ({ internal: p, external: p })),
        ],
        bindAddress: ftp.bindAddress,
        volumes: uploadVolumes(args.volumeName, LAYOUT.mediaRoot, args.logVolumeName),
        files,
        manifest: (s) =>
          ftpContainerFiles(spec, LAYOUT, {
            ftpHashes: Object.fromEntries(names.map((n) => [n, s])),
            ...(ftp.tls === "off" ? {} : { tlsCertificate: s, tlsKey: s }),
          }),
        healthcheck: bannerHealthcheck(LAYOUT.listenPort, "220"),
      },
      args.swarm,
    );

    this.registerOutputs({ container: this.container, imageId: this.imageId });
  }
}
