import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { webContainerFiles } from "../containerFiles";
import {
  CONTAINER_DERIVED_ROOT,
  WEB_CONTAINER_HTTPS_PORT,
  WEB_CONTAINER_LAYOUT as LAYOUT,
  WEB_CONTAINER_PORT,
  WEB_STATUS_PORT,
  type Spec,
} from "../spec";
import { healthzCheck, serverImage } from "./containers";
import { runServer, type SwarmPlacement } from "./swarmService";
import { PasswordHashes } from "./passwordHashes";

export interface WebServerArgs {
  readonly spec: Spec;
  /** The media volume, mounted read-only at the media root. */
  readonly volumeName: pulumi.Input<string>;
  /** The worker's derived files, mounted read-only (with processing on). */
  readonly derivedVolumeName?: pulumi.Input<string>;
  /** Basic-auth passwords by user name; secret. */
  readonly passwords: Readonly<Record<string, pulumi.Input<string>>>;
  readonly secureLinkSecret?: pulumi.Input<string>;
  /** HTTPS certificate chain and key (PEM); secret. Needed when http.tls is not "off". */
  readonly tlsCertificate?: pulumi.Input<string>;
  readonly tlsKey?: pulumi.Input<string>;
  /** Swarm mode: the origin, a service on the media node that only the edges reach. */
  readonly swarm?: SwarmPlacement;
}

/** nginx serving the media volume read-only through the configured locations. */
export class WebServer extends pulumi.ComponentResource {
  /** A container on one host; a Swarm service (the origin) in swarm mode. */
  public readonly container: docker.Container | docker.Service;
  public readonly imageId: pulumi.Output<string>;
  /** The basic-auth users' bcrypt hashes (secret): on a swarm the edges check them. */
  public readonly passwordHashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: WebServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:WebServer", name, {}, opts);
    const { spec } = args;

    this.imageId = serverImage(
      `${name}-image`,
      spec.images.web,
      spec.target.platform,
      {},
      { parent: this },
      args.swarm,
    );
    const { hashes } = new PasswordHashes(
      `${name}-hashes`,
      { spec, service: "http", names: spec.http.users, passwords: args.passwords },
      { parent: this },
    );
    this.passwordHashes = hashes;
    const files = pulumi
      .all([hashes, args.secureLinkSecret, args.tlsCertificate, args.tlsKey])
      .apply(([httpHashes, secureLinkSecret, tlsCertificate, tlsKey]) =>
        webContainerFiles(spec, LAYOUT, { httpHashes, secureLinkSecret, tlsCertificate, tlsKey }),
      );
    const { http } = spec;
    this.container = runServer(
      this,
      name,
      spec,
      {
        role: "web",
        image: this.imageId,
        // On a swarm the origin publishes nothing: the edges reach it over the overlay.
        ports:
          args.swarm !== undefined
            ? []
            : [
                { internal: WEB_CONTAINER_PORT, external: http.port },
                ...(http.tls.mode === "off"
                  ? []
                  : [{ internal: WEB_CONTAINER_HTTPS_PORT, external: http.tls.httpsPort }]),
              ],
        bindAddress: http.bindAddress,
        volumes: [
          { volumeName: args.volumeName, containerPath: LAYOUT.mediaRoot, readOnly: true },
          ...(args.derivedVolumeName === undefined
            ? []
            : [
                { volumeName: args.derivedVolumeName, containerPath: CONTAINER_DERIVED_ROOT, readOnly: true },
              ]),
        ],
        files,
        manifest: (s) =>
          webContainerFiles(spec, LAYOUT, {
            httpHashes: Object.fromEntries(http.users.map((n) => [n, s])),
            ...(args.secureLinkSecret === undefined ? {} : { secureLinkSecret: s }),
            ...(http.tls.mode === "off" ? {} : { tlsCertificate: s, tlsKey: s }),
          }),
        rewritten: [LAYOUT.bansFile],
        healthcheck: healthzCheck(WEB_STATUS_PORT),
      },
      args.swarm,
    );

    this.registerOutputs({ container: this.container, imageId: this.imageId });
  }
}
