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
import { containerOptions, healthzCheck, runSettings, serverImage } from "./containers";

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
}

/**
 * The media worker: follows vsftpd's log for completed uploads, checks and publishes them,
 * describes them (metadata, posters) and tells webhooks. Never published on the network.
 */
export class MediaWorker extends pulumi.ComponentResource {
  public readonly container: docker.Container;
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
    );
    const files = pulumi.secret(
      pulumi
        .all([...args.webhookSecrets])
        .apply((webhookSecrets) => workerContainerFiles(spec, LAYOUT, { webhookSecrets })),
    );

    this.container = new docker.Container(
      `${name}-container`,
      {
        ...runSettings(spec, "worker"),
        image: this.imageId,
        // ffmpeg's ceiling: what delivery keeps however many uploads arrive (docs/processing.md).
        cpus: processing.cpus,
        volumes: [
          { volumeName: args.volumeName, containerPath: LAYOUT.mediaRoot },
          { volumeName: args.derivedVolumeName, containerPath: CONTAINER_DERIVED_ROOT },
          { volumeName: args.ftpLogVolumeName, containerPath: FTP_LOG_DIR, readOnly: true },
        ],
        uploads: files,
        healthcheck: healthzCheck(WORKER_METRICS_PORT),
      },
      containerOptions(this),
    );

    this.registerOutputs({ container: this.container, imageId: this.imageId });
  }
}
