import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { sftpContainerFiles } from "../containerFiles";
import { MEDIA_OWNER, SFTP_CONTAINER_LAYOUT as LAYOUT, type SftpSpec, type Spec } from "../spec";
import { bannerHealthcheck, serverImage, uploadVolumes } from "./containers";
import { runServer, type SwarmPlacement } from "./swarmService";

export interface SftpServerArgs {
  readonly spec: Spec;
  readonly sftp: SftpSpec;
  /** The media volume, read-write: SFTP users upload into it as FTP users do. */
  readonly volumeName: pulumi.Input<string>;
  /** The FTP log volume, where the worker reads completed SFTP uploads (with processing on). */
  readonly logVolumeName?: pulumi.Input<string>;
  /** The FTP users' bcrypt hashes (FtpServer's): one password for FTP and SFTP; secret. */
  readonly passwordHashes: pulumi.Input<Record<string, string>>;
  /** sftp.hostKey; secret. Absent: an Ed25519 key generated once and kept in state. */
  readonly hostKey?: pulumi.Input<string>;
  /** Swarm mode: a service on the media node instead of a container. */
  readonly swarm?: SwarmPlacement;
}

/** OpenSSH's internal-sftp: the FTP users, chrooted to their FTP roots, SFTP only. */
export class SftpServer extends pulumi.ComponentResource {
  /** A container on one host; a Swarm service in swarm mode. */
  public readonly container: docker.Container | docker.Service;
  public readonly imageId: pulumi.Output<string>;
  /** The generated host key's public line and fingerprint, for users to pin; absent with sftp.hostKey. */
  public readonly hostPublicKey?: pulumi.Output<string>;
  public readonly hostKeyFingerprint?: pulumi.Output<string>;

  constructor(name: string, args: SftpServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:SftpServer", name, {}, opts);
    const { spec, sftp } = args;

    this.imageId = serverImage(
      `${name}-image`,
      spec.images.sftp,
      spec.target.platform,
      { MEDIA_UID: String(MEDIA_OWNER.uid), MEDIA_GID: String(MEDIA_OWNER.gid) },
      { parent: this },
      args.swarm,
    );
    let hostKey = args.hostKey;
    if (hostKey === undefined) {
      // Kept in state: the same key on every up, so clients' known_hosts stay valid.
      const key = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, { parent: this });
      hostKey = key.privateKeyOpenssh;
      this.hostPublicKey = key.publicKeyOpenssh.apply((k) => k.trim());
      this.hostKeyFingerprint = key.publicKeyFingerprintSha256;
    }
    const files = pulumi.secret(
      pulumi
        .all([args.passwordHashes, hostKey])
        .apply(([ftpHashes, key]) => sftpContainerFiles(spec, LAYOUT, { ftpHashes, hostKey: key })),
    );

    this.container = runServer(
      this,
      name,
      spec,
      {
        role: "sftp",
        image: this.imageId,
        ports: [{ internal: LAYOUT.listenPort, external: sftp.port }],
        bindAddress: spec.ftp.bindAddress,
        volumes: uploadVolumes(args.volumeName, LAYOUT.mediaRoot, args.logVolumeName),
        files,
        manifest: (s) =>
          sftpContainerFiles(spec, LAYOUT, {
            ftpHashes: Object.fromEntries(spec.ftp.users.map((u) => [u.name, s])),
            hostKey: s,
          }),
        rewritten: [LAYOUT.bansFile],
        healthcheck: bannerHealthcheck(LAYOUT.listenPort, "SSH-2.0-"),
      },
      args.swarm,
    );

    this.registerOutputs({
      container: this.container,
      imageId: this.imageId,
      hostPublicKey: this.hostPublicKey,
      hostKeyFingerprint: this.hostKeyFingerprint,
    });
  }
}
