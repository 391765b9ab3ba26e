/**
 * The running worker: follows the FTP log (and the SFTP log, with SFTP on), runs the job queue,
 * rescans, delivers webhooks and serves metrics. Polling rather than fs.watch: the logs and the
 * media are volumes, where inotify may see nothing (bind mounts from another namespace, network
 * filesystems).
 */
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import { eventLine, log as logLine, type WorkerEvent } from "./events";
import { Failures } from "./failures";
import { followedLogs } from "./followedLog";
import { runJob, type JobContext } from "./job";
import { JobQueue } from "./jobQueue";
import { runLadderJob } from "./ladderJob";
import { Metrics, serveMetrics } from "./metrics";
import { Outbox } from "./outbox";
import { reconcileAll, reconcileLocation, SETTLE_MS, type ReconcileContext } from "./reconcile";
import type { WorkerLocation, WorkerSettings } from "./settings";
import { handleEntry } from "./triggers";

export interface WorkerOptions {
  readonly pollMs?: number;
  readonly settleMs?: number;
  readonly log?: (line: string) => void;
}

export interface RunningWorker {
  readonly metrics: Metrics;
  readonly metricsPort: number;
  /** Resolves when no job is running and no delivery is due (tests). */
  idle(): Promise<void>;
  /** Takes no more work, lets running jobs finish for up to graceMs, saves state. */
  stop(graceMs?: number): Promise<void>;
}

/** How long SIGTERM lets running ffmpeg children finish before they are killed. */
export const STOP_GRACE_MS = 20_000;

export async function startWorker(
  settings: WorkerSettings,
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const log = options.log ?? logLine;
  // A stat of the log (and a read when it grew) per poll: cheap, and it bounds how long a
  // completed upload waits before its job starts (bench/README.md#media-pipeline).
  const pollMs = options.pollMs ?? 100;
  fs.mkdirSync(settings.stateDir, { recursive: true, mode: 0o700 });
  const metrics = new Metrics();
  const outbox = new Outbox(settings, metrics, log);
  const emit = (event: WorkerEvent) => {
    log(eventLine(event));
    outbox.add(event);
  };
  const failures = new Failures(settings.stateDir);
  const queue = new JobQueue(
    settings.stateDir,
    settings.concurrency,
    (job, signal) => (job.task === "ladder" ? runLadderJob : runJob)(jobContext, job, signal),
    metrics,
    log,
  );
  const jobContext: JobContext = { settings, failures, metrics, emit, log, queue };
  const reconcile: ReconcileContext = {
    settings,
    queue,
    failures,
    emit,
    settleMs: options.settleMs ?? SETTLE_MS,
  };
  const logs = followedLogs(settings, log);
  const dirty = new Set<WorkerLocation>();
  const triggers = {
    settings,
    queue,
    failures,
    metrics,
    emit,
    log,
    rescan: (l: WorkerLocation) => dirty.add(l),
  };

  const server = await serveMetrics(metrics, settings.metrics.host, settings.metrics.port);
  reconcileAll(reconcile);
  queue.pump();
  const followed = logs.map((l) => `${l.file} from offset ${l.offset}`).join(", ");
  log(`worker started: ${settings.locations.length} location(s), log ${followed}`);

  const poll = () => {
    for (const l of logs) {
      try {
        l.poll((entry) => handleEntry(triggers, entry), log);
      } catch (e) {
        // An unreadable log must not stop the other one.
        log(`reading ${l.file} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const l of dirty) reconcileLocation(reconcile, l);
    dirty.clear();
  };
  let stopping = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const loop = () => {
    try {
      poll();
    } catch (e) {
      log(`poll failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    outbox.tick().catch((e: unknown) => log(`webhook deliveries failed: ${String(e)}`));
    if (!stopping) pollTimer = setTimeout(loop, pollMs);
  };
  pollTimer = setTimeout(loop, pollMs);
  const rescanTimer = setInterval(() => {
    try {
      reconcileAll(reconcile);
    } catch (e) {
      log(`rescan failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, settings.rescanSeconds * 1000);

  return {
    metrics,
    metricsPort: (server.address() as AddressInfo).port,
    idle: async () => {
      await queue.idle();
      await outbox.tick();
    },
    stop: async (graceMs = STOP_GRACE_MS) => {
      stopping = true;
      clearTimeout(pollTimer);
      clearInterval(rescanTimer);
      await queue.stop(graceMs);
      outbox.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log("worker stopped");
    },
  };
}
