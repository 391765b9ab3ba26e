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
import { containerOptions, healthzCheck, runSettings, serverImage } from "./containers";
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
}

/** nginx serving the media volume read-only through the configured locations. */
export class WebServer extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: WebServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:WebServer", name, {}, opts);
    const { spec } = args;

    this.imageId = serverImage(`${name}-image`, spec.images.web, spec.target.platform, {}, { parent: this });
    const { hashes } = new PasswordHashes(
      `${name}-hashes`,
      { spec, service: "http", names: spec.http.users, passwords: args.passwords },
      { parent: this },
    );
    const files = pulumi
      .all([hashes, args.secureLinkSecret, args.tlsCertificate, args.tlsKey])
      .apply(([httpHashes, secureLinkSecret, tlsCertificate, tlsKey]) =>
        webContainerFiles(spec, LAYOUT, { httpHashes, secureLinkSecret, tlsCertificate, tlsKey }),
      );
    const { http } = spec;
    const published = (internal: number, external: number) => ({
      internal,
      external,
      ip: http.bindAddress,
      protocol: "tcp",
    });
    this.container = new docker.Container(
      `${name}-container`,
      {
        ...runSettings(spec, "web"),
        image: this.imageId,
        ports: [
          published(WEB_CONTAINER_PORT, http.port),
          ...(http.tls.mode === "off" ? [] : [published(WEB_CONTAINER_HTTPS_PORT, http.tls.httpsPort)]),
        ],
        volumes: [
          { volumeName: args.volumeName, containerPath: LAYOUT.mediaRoot, readOnly: true },
          ...(args.derivedVolumeName === undefined
            ? []
            : [
                { volumeName: args.derivedVolumeName, containerPath: CONTAINER_DERIVED_ROOT, readOnly: true },
              ]),
        ],
        uploads: files,
        healthcheck: healthzCheck(WEB_STATUS_PORT),
      },
      containerOptions(this),
    );

    this.registerOutputs({ container: this.container, imageId: this.imageId });
  }
}
