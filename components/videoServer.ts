import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  ftpEndpoint,
  httpBaseUrl,
  locationUrls,
  sftpEndpoint,
  type FtpEndpoint,
  type SftpEndpoint,
  type Spec,
} from "../spec";
import type { ProgramSecrets } from "./config";
import { FtpServer } from "./ftpServer";
import { MediaStore } from "./mediaStore";
import { MediaWorker } from "./mediaWorker";
import { SftpServer } from "./sftpServer";
import { WebServer } from "./webServer";

export interface VideoServerArgs {
  readonly spec: Spec;
  readonly secrets: ProgramSecrets;
}

/** The whole server on one Docker host: media store, FTP and SFTP servers, web server, media worker. */
export class VideoServer extends pulumi.ComponentResource {
  public readonly provider: docker.Provider;
  public readonly media: MediaStore;
  public readonly ftp: FtpServer;
  public readonly web: WebServer;
  /** Absent when processing.enabled is false. */
  public readonly worker?: MediaWorker;
  /** Absent unless sftp.enabled. */
  public readonly sftp?: SftpServer;
  public readonly sftpEndpoint?: SftpEndpoint;
  public readonly httpUrl: string;
  public readonly locationUrls: Record<string, string>;
  public readonly ftpEndpoint: FtpEndpoint;
  public readonly ftpUsers: string[];
  /** Passwords the program generated, by user name (secret). */
  public readonly generatedPasswords: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: VideoServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:VideoServer", name, {}, opts);
    const { spec, secrets } = args;

    // One provider for the target host; every docker resource below goes through it.
    this.provider = new docker.Provider(
      `${name}-docker`,
      { host: spec.target.dockerHost, sshOpts: [...spec.target.sshOpts] },
      { parent: this },
    );
    const onHost = { parent: this, providers: [this.provider] };

    const generated: Record<string, pulumi.Output<string>> = {};
    for (const user of spec.ftp.users) {
      if (user.name in secrets.ftpPasswords) continue;
      generated[user.name] = new random.RandomPassword(
        `${name}-password-${user.name}`,
        { length: 24, special: false },
        { parent: this },
      ).result;
    }

    this.media = new MediaStore(`${name}-store`, { spec, sshPrivateKey: secrets.sshPrivateKey }, onHost);
    const volumeName = this.media.volumeName;
    this.ftp = new FtpServer(
      `${name}-ftp`,
      {
        spec,
        volumeName,
        logVolumeName: this.media.ftpLogVolume?.name,
        passwords: { ...secrets.ftpPasswords, ...generated },
        tlsCertificate: secrets.ftpTlsCertificate,
        tlsKey: secrets.ftpTlsKey,
      },
      onHost,
    );
    this.web = new WebServer(
      `${name}-web`,
      {
        spec,
        volumeName,
        derivedVolumeName: this.media.derivedVolume?.name,
        passwords: secrets.httpPasswords,
        secureLinkSecret: secrets.secureLinkSecret,
        tlsCertificate: secrets.httpTlsCertificate,
        tlsKey: secrets.httpTlsKey,
      },
      onHost,
    );

    const { derivedVolume, ftpLogVolume } = this.media;
    if (spec.processing !== undefined && derivedVolume && ftpLogVolume) {
      this.worker = new MediaWorker(
        `${name}-worker`,
        {
          spec,
          processing: spec.processing,
          volumeName,
          derivedVolumeName: derivedVolume.name,
          ftpLogVolumeName: ftpLogVolume.name,
          webhookSecrets: secrets.webhookSecrets,
        },
        onHost,
      );
    }

    if (spec.sftp !== undefined) {
      this.sftp = new SftpServer(
        `${name}-sftp`,
        {
          spec,
          sftp: spec.sftp,
          volumeName,
          logVolumeName: ftpLogVolume?.name,
          passwordHashes: this.ftp.passwordHashes,
          hostKey: secrets.sftpHostKey,
        },
        // The FTP container's entrypoint makes the users' roots root's, as sshd's chroot needs.
        { ...onHost, dependsOn: [this.ftp.container] },
      );
      this.sftpEndpoint = sftpEndpoint(spec, spec.sftp);
    }

    this.httpUrl = httpBaseUrl(spec);
    this.locationUrls = locationUrls(spec);
    this.ftpEndpoint = ftpEndpoint(spec);
    this.ftpUsers = spec.ftp.users.map((u) => u.name);
    this.generatedPasswords = pulumi.secret(pulumi.all(generated));

    this.registerOutputs({
      httpUrl: this.httpUrl,
      locationUrls: this.locationUrls,
      ftpEndpoint: this.ftpEndpoint,
      ftpUsers: this.ftpUsers,
      generatedPasswords: this.generatedPasswords,
      sftpEndpoint: this.sftpEndpoint,
      sftpHostKey: this.sftp?.hostPublicKey,
      sftpHostKeyFingerprint: this.sftp?.hostKeyFingerprint,
    });
  }
}
