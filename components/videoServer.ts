import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  subnetGateway,
  ftpEndpoint,
  httpBaseUrl,
  locationUrls,
  sftpEndpoint,
  type FtpEndpoint,
  type EdgeSpec,
  type SftpEndpoint,
  type Spec,
} from "../spec";
import type { ProgramSecrets } from "./config";
import type { SwarmPlacement } from "./containers";
import { EdgeCache } from "./edgeCache";
import { FtpServer } from "./ftpServer";
import { MediaStore } from "./mediaStore";
import { MediaWorker } from "./mediaWorker";
import { SftpServer } from "./sftpServer";
import { WebServer } from "./webServer";

export interface VideoServerArgs {
  readonly spec: Spec;
  readonly secrets: ProgramSecrets;
}

/**
 * The whole server: media store, FTP and SFTP servers, web server, media worker; on one Docker
 * host, or on a Swarm as an origin on the media node and edge caches in front of it.
 */
export class VideoServer extends pulumi.ComponentResource {
  public readonly provider: docker.Provider;
  public readonly media: MediaStore;
  public readonly ftp: FtpServer;
  public readonly web: WebServer;
  /** Absent when processing.enabled is false. */
  public readonly worker?: MediaWorker;
  /** Absent unless sftp.enabled. */
  public readonly sftp?: SftpServer;
  /** Swarm mode: the overlay between the origin and the edges, and the edges. */
  public readonly network?: docker.Network;
  public readonly edge?: EdgeCache;
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
    this.network =
      spec.edge === undefined
        ? undefined
        : overlayNetwork(name, spec, spec.edge, { parent: this, provider: this.provider });
    const swarm = this.network === undefined ? undefined : swarmPlacement(spec, this.network, secrets);
    const volumeName = this.media.volumeName;
    this.ftp = new FtpServer(
      `${name}-ftp`,
      {
        spec,
        volumeName,
        logVolumeName: this.media.ftpLogVolume?.name,
        passwords: { ...secrets.ftpPasswords, ...generated },
        swarm,
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
        swarm,
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
          swarm,
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
          swarm,
        },
        // The FTP container's entrypoint makes the users' roots root's, as sshd's chroot needs.
        { ...onHost, dependsOn: [this.ftp.container] },
      );
      this.sftpEndpoint = sftpEndpoint(spec, spec.sftp);
    }

    if (spec.edge !== undefined && swarm !== undefined) {
      this.edge = new EdgeCache(
        `${name}-edge`,
        {
          spec,
          edge: spec.edge,
          image: this.web.imageId,
          swarm,
          passwordHashes: this.web.passwordHashes,
          secureLinkSecret: secrets.secureLinkSecret,
          tlsCertificate: secrets.httpTlsCertificate,
          tlsKey: secrets.httpTlsKey,
        },
        onHost,
      );
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
      edgeService: this.edge?.service.name,
    });
  }
}

/**
 * The overlay network of a swarm stack.
 * - The gateway is declared as Docker assigns it (the subnet's first address): the provider
 *   reads the IPAM config back and would replace a network declared without it on every up.
 * - The engine adds its own option (the VXLAN id) to an overlay's options, which the provider
 *   reads back into the declared ones: so they are ignored after create, and encryption is in
 *   the name (turning it on or off replaces the network).
 */
function overlayNetwork(
  name: string,
  spec: Spec,
  edge: EdgeSpec,
  opts: pulumi.CustomResourceOptions,
): docker.Network {
  const gateway = subnetGateway(edge.subnet);
  if (gateway === undefined) throw new Error(`edge.subnet ${edge.subnet} is not a subnet address`);
  return new docker.Network(
    `${name}-overlay`,
    {
      name: `${spec.name}-overlay${edge.encrypted ? "-encrypted" : ""}`,
      driver: "overlay",
      attachable: false,
      ipamConfigs: [{ subnet: edge.subnet, gateway }],
      ...(edge.encrypted ? { options: { encrypted: "true" } } : {}),
      labels: [
        { label: "video-server.project", value: spec.project },
        { label: "video-server.stack", value: spec.stack },
      ],
    },
    { ...opts, ignoreChanges: ["options"] },
  );
}

/** How the services reach the overlay, and the registry the nodes pull from. */
function swarmPlacement(spec: Spec, network: docker.Network, secrets: ProgramSecrets): SwarmPlacement {
  const registry = spec.images.registry;
  if (registry === undefined) return { networkId: network.id };
  const { server, username } = registry;
  const password = secrets.registryPassword;
  return {
    networkId: network.id,
    registry: { spec: registry, password },
    ...(username === undefined ? {} : { auth: { serverAddress: server, username, password } }),
  };
}
