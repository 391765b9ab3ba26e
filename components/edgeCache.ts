import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { edgeContainerFiles } from "../containerFiles";
import {
  EDGE_CONTAINER_LAYOUT as LAYOUT,
  WEB_CONTAINER_HTTPS_PORT,
  WEB_CONTAINER_PORT,
  WEB_STATUS_PORT,
  type EdgeSpec,
  type Spec,
} from "../spec";
import { healthzCheck, type SwarmPlacement } from "./containers";
import { EDGE_NODE, SwarmService } from "./swarmService";

export interface EdgeCacheArgs {
  readonly spec: Spec;
  readonly edge: EdgeSpec;
  /** The origin's image (the same nginx): the edges run it with their own config. */
  readonly image: pulumi.Input<string>;
  readonly swarm: SwarmPlacement;
  /** The basic-auth users' bcrypt hashes (the origin's PasswordHashes); secret. */
  readonly passwordHashes: pulumi.Input<Record<string, string>>;
  readonly secureLinkSecret?: pulumi.Input<string>;
  /** HTTPS certificate chain and key (PEM): the edges terminate TLS; secret. */
  readonly tlsCertificate?: pulumi.Input<string>;
  readonly tlsKey?: pulumi.Input<string>;
}

/**
 * nginx caching proxies in front of the origin: a global service on the nodes labelled
 * video-server.edge=true (or edge.replicas of them), each publishing http.port on its node,
 * enforcing every location's rules and fetching what viewers ask for from the origin once.
 */
export class EdgeCache extends pulumi.ComponentResource {
  public readonly service: docker.Service;
  /** The name under which Docker keeps each node's cache volume. */
  public readonly cacheVolumeName: string;

  constructor(name: string, args: EdgeCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:EdgeCache", name, {}, opts);
    const { spec, edge } = args;
    const { http } = spec;

    const files = pulumi.secret(
      pulumi
        .all([args.passwordHashes, args.secureLinkSecret, args.tlsCertificate, args.tlsKey])
        .apply(([httpHashes, secureLinkSecret, tlsCertificate, tlsKey]) =>
          edgeContainerFiles(spec, edge, LAYOUT, { httpHashes, secureLinkSecret, tlsCertificate, tlsKey }),
        ),
    );
    // Made by Swarm on each edge node at the first task there, and kept when the task goes:
    // a restarted edge starts warm.
    this.cacheVolumeName = `${spec.name}-edge-cache`;
    this.service = new SwarmService(
      name,
      {
        spec,
        task: {
          role: "edge",
          image: args.image,
          ports: [
            { internal: WEB_CONTAINER_PORT, external: http.port },
            ...(http.tls.mode === "off"
              ? []
              : [{ internal: WEB_CONTAINER_HTTPS_PORT, external: http.tls.httpsPort }]),
          ],
          volumes: [{ volumeName: this.cacheVolumeName, containerPath: LAYOUT.cacheDir }],
          files,
          manifest: (s) =>
            edgeContainerFiles(spec, edge, LAYOUT, {
              httpHashes: Object.fromEntries(http.users.map((n) => [n, s])),
              ...(args.secureLinkSecret === undefined ? {} : { secureLinkSecret: s }),
              ...(http.tls.mode === "off" ? {} : { tlsCertificate: s, tlsKey: s }),
            }),
          rewritten: [LAYOUT.bansFile],
          healthcheck: healthzCheck(WEB_STATUS_PORT),
        },
        networkId: args.swarm.networkId,
        mode: edge.replicas === undefined ? { global: true } : { replicated: { replicas: edge.replicas } },
        constraints: [EDGE_NODE],
        auth: args.swarm.auth,
      },
      { parent: this },
    ).service;

    this.registerOutputs({ service: this.service, cacheVolumeName: this.cacheVolumeName });
  }
}
