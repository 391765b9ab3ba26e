// The worker's settings file: a pure function of the Spec, its container layout and the webhook
// secrets. The contract it fills is worker/src/settings.ts, which the worker image compiles.
import { DERIVED_URLS, MEDIA_OWNER, type ProcessingSpec, type Spec, type WorkerLayout } from "../spec";
import type { WorkerSettings } from "./src/settings";

/** ffmpeg and ffprobe run at the lowest CPU priority: delivery never waits for a poster. */
const FFMPEG_NICE = 19;

export function workerSettings(
  spec: Spec,
  processing: ProcessingSpec,
  layout: WorkerLayout,
  webhookSecrets: readonly string[],
): WorkerSettings {
  return {
    mediaRoot: layout.mediaRoot,
    derivedRoot: layout.derivedRoot,
    stateDir: layout.stateDir,
    ftpLog: layout.ftpLog,
    ...(spec.sftp === undefined ? {} : { sftpLog: layout.sftpLog }),
    users: spec.ftp.users.map((u) => ({ name: u.name, root: u.root })),
    locations: spec.http.locations.map((l) => ({
      path: l.path,
      directory: l.directory,
      publish: l.publish,
      ...(l.hls === undefined ? {} : { hls: l.hls }),
    })),
    rescanSeconds: processing.rescanSeconds,
    concurrency: processing.concurrency,
    maxFileSize: processing.maxFileSize,
    posterWidth: processing.posterWidth,
    previews: processing.previews,
    nice: FFMPEG_NICE,
    metrics: { host: layout.metricsHost, port: layout.metricsPort },
    owners: {
      uploader: { uid: MEDIA_OWNER.uid, gid: MEDIA_OWNER.gid },
      // Root owns what the worker publishes: the FTP user (the media owner) cannot overwrite it.
      published: { uid: 0, gid: 0 },
    },
    webhooks: processing.webhooks.map((w, i) => {
      const secret = webhookSecrets[i];
      if (secret === undefined) throw new Error(`no secret for processing.webhooks[${i}]`);
      return { url: w.url, secret, events: [...w.events] };
    }),
    webhookRetrySeconds: processing.webhookRetrySeconds,
    urls: { ...DERIVED_URLS },
  };
}

export function renderWorkerSettings(
  spec: Spec,
  processing: ProcessingSpec,
  layout: WorkerLayout,
  webhookSecrets: readonly string[],
): string {
  return `${JSON.stringify(workerSettings(spec, processing, layout, webhookSecrets), null, 2)}\n`;
}
