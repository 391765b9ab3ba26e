import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { workerContainerFiles } from "../containerFiles";
import {
  CONTAINER_DERIVED_ROOT,
  FTP_LOG_DIR,
  WORKER_CONTAINER_LAYOUT as LAYOUT,
  WORKER_METRICS_PORT,
  type ProcessingSpec,
  type Spec,
} from "../spec";
import { healthzCheck, serverImage } from "./containers";
import { runServer, type SwarmPlacement } from "./swarmService";

export interface MediaWorkerArgs {
  readonly spec: Spec;
  readonly processing: ProcessingSpec;
  /** The media volume, read-write: the worker publishes verified uploads into it. */
  readonly volumeName: pulumi.Input<string>;
  /** Derived files and the worker's state, read-write. */
  readonly derivedVolumeName: pulumi.Input<string>;
  /** vsftpd's log, read-only. */
  readonly ftpLogVolumeName: pulumi.Input<string>;
  /** processing.webhooks[i].secret, in config order; secret. */
  readonly webhookSecrets: readonly pulumi.Input<string>[];
  /** Swarm mode: a service on the media node instead of a container. */
  readonly swarm?: SwarmPlacement;
}

/**
 * The media worker: follows vsftpd's log for completed uploads, checks and publishes them,
 * describes them (metadata, posters) and tells webhooks. Never published on the network.
 */
export class MediaWorker extends pulumi.ComponentResource {
  /** A container on one host; a Swarm service in swarm mode. */
  public readonly container: docker.Container | docker.Service;
  public readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: MediaWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:MediaWorker", name, {}, opts);
    const { spec, processing } = args;

    this.imageId = serverImage(
      `${name}-image`,
      spec.images.worker,
      spec.target.platform,
      {},
      { parent: this },
      args.swarm,
    );
    const files = pulumi.secret(
      pulumi
        .all([...args.webhookSecrets])
        .apply((webhookSecrets) => workerContainerFiles(spec, LAYOUT, { webhookSecrets })),
    );

    this.container = runServer(
      this,
      name,
      spec,
      {
        role: "worker",
        image: this.imageId,
        // ffmpeg's ceiling: what delivery keeps however many uploads arrive (docs/processing.md).
        cpus: processing.cpus,
        volumes: [
          { volumeName: args.volumeName, containerPath: LAYOUT.mediaRoot },
          { volumeName: args.derivedVolumeName, containerPath: CONTAINER_DERIVED_ROOT },
          { volumeName: args.ftpLogVolumeName, containerPath: FTP_LOG_DIR, readOnly: true },
        ],
        files,
        manifest: (s) =>
          workerContainerFiles(spec, LAYOUT, { webhookSecrets: args.webhookSecrets.map(() => s) }),
        healthcheck: healthzCheck(WORKER_METRICS_PORT),
      },
      args.swarm,
    );

    this.registerOutputs({ container: this.container, imageId: this.imageId });
  }
}
