/**
 * One job: check a verified upload and publish or reject it, or describe a file already
 * served; then write its poster, preview and metadata. The metadata is written last: it is what
 * says the job is done, so a job killed before it runs again in full. A video in a location with
 * `hls` then gets its ladder job (ladderJob.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeEvent, type EmitEvent } from "./events";
import type { Failures } from "./failures";
import { sha256Of } from "./files";
import { ladderJob, type Job, type JobQueue } from "./jobQueue";
import { integrityProblem, probeFile, type RunOptions } from "./media";
import {
  extensionOf,
  mediaKindOf,
  mediaPathIn,
  placementOf,
  type MediaKind,
  type Placement,
} from "./mediaPaths";
import type { Metrics } from "./metrics";
import { writeOutputs } from "./outputs";
import { describe, mismatchOf, type Probe } from "./probe";
import { lockUpload, publishUpload, rejectUpload, ReplacedError } from "./publish";
import { derivedFiles, mediaUrl } from "./derived";
import { isCurrent } from "./planner";
import { readMeta } from "./scan";
import type { WorkerSettings } from "./settings";

export interface JobContext {
  readonly settings: WorkerSettings;
  readonly failures: Failures;
  readonly metrics: Metrics;
  readonly emit: EmitEvent;
  readonly log: (line: string) => void;
  readonly queue: Pick<JobQueue, "add">;
}

type Check = { ok: true; probe: Probe } | { ok: false; reason: string };

export async function runJob(ctx: JobContext, job: Job, signal: AbortSignal): Promise<void> {
  const placement = placementOf(ctx.settings.locations, job.mediaPath);
  const kind = placement === null ? null : mediaKindOf(placement.rest);
  if (placement === null || kind === null || placement.area === "rejected") return;
  const file = path.join(ctx.settings.mediaRoot, job.mediaPath);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    return ctx.log(`job ${job.mediaPath}: skipped, cannot open it (${(e as NodeJS.ErrnoException).code})`);
  }
  const started = Date.now();
  let outcome = "stopped by shutdown, runs again on start";
  try {
    outcome = await processFile(ctx, { job, file, fd, placement, kind }, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    const reason = `processing failed: ${e instanceof Error ? e.message : String(e)}`;
    outcome = fail(ctx, job, mediaUrl(placement.location, placement.rest), reason);
  } finally {
    fs.closeSync(fd);
    const seconds = (Date.now() - started) / 1000;
    ctx.metrics.processingSeconds += seconds;
    ctx.log(`job ${job.mediaPath}: ${outcome} (${seconds.toFixed(1)} s)`);
  }
}

interface Open {
  readonly job: Job;
  readonly file: string;
  readonly fd: number;
  readonly placement: Placement;
  readonly kind: MediaKind;
}

/** The job on its open file; returns what became of it, for the log. */
async function processFile(ctx: JobContext, o: Open, signal: AbortSignal): Promise<string> {
  const { job, placement } = o;
  const url = mediaUrl(placement.location, placement.rest);
  const stats = fs.fstatSync(o.fd);
  if (!stats.isFile() || stats.size !== job.size || Math.floor(stats.mtimeMs) !== Math.floor(job.mtimeMs)) {
    return "skipped, changed since it was queued (the change has a job of its own)";
  }
  const meta = readMeta(
    derivedFiles(ctx.settings, placement.location, placement.rest, "").meta,
    placement.rest,
  );
  const source = { rest: placement.rest, ...sizeAndTime(stats) };
  if (placement.area === "published" && isCurrent(meta, source, placement.location.hls !== undefined)) {
    // A job run again after a restart, or queued by the log and a rescan both.
    return "skipped, its metadata is up to date";
  }
  const run: RunOptions = { nice: ctx.settings.nice, signal };
  // Uploads into a verified location are checked wherever in it they landed; files a rescan
  // finds outside .incoming were published by the worker (or put there by the operator).
  const verifying =
    placement.location.publish === "verified" && (placement.area === "incoming" || job.uploader !== null);
  if (verifying) lockUpload(o.fd, ctx.settings.owners);
  const check = await checkFile(ctx.settings, o.file, o.kind, stats.size, verifying, run);
  if (signal.aborted) throw new Error("stopped");

  try {
    if (!check.ok && verifying) {
      await rejectUpload(ctx.settings, o.fd, o.file, stats, placement, check.reason);
      ctx.metrics.rejected += 1;
      ctx.emit(makeEvent("file.rejected", url, { size: stats.size, reason: check.reason }));
      return `rejected: ${check.reason}`;
    }
    if (!check.ok) return fail(ctx, job, url, check.reason);
    // Published first, hashed after: viewers need not wait for a read of the whole file (the
    // fd still reads the same inode, which the uploader can no longer change).
    const published = verifying ? publishUpload(ctx.settings, o.file, stats, placement) : o.file;
    const sha256 = await sha256Of(o.fd);
    const description = describe(check.probe, o.kind);
    const processed = { placement, kind: o.kind, published, stats, sha256, description, job };
    const metadata = await writeOutputs(ctx.settings, processed, run);
    ctx.metrics.published += 1;
    ctx.emit(makeEvent("file.published", url, { size: stats.size, metadata }));
    if (o.kind === "video" && placement.location.hls !== undefined) {
      const mediaPath = mediaPathIn(placement.location, "published", placement.rest);
      ctx.queue.add(ladderJob(mediaPath, job.target, stats.size, stats.mtimeMs));
    }
    return verifying ? "published" : "described";
  } catch (e) {
    // Someone deleted the upload and sent another under its name: that one has its own job.
    if (e instanceof ReplacedError) return `skipped: ${e.message}`;
    throw e;
  }
}

/** Whether the file may be published: its size, what ffprobe says it is, and (verified) a clean read. */
async function checkFile(
  settings: WorkerSettings,
  file: string,
  kind: MediaKind,
  size: number,
  verifying: boolean,
  run: RunOptions,
): Promise<Check> {
  if (size > settings.maxFileSize) {
    return { ok: false, reason: `the file is ${size} bytes, more than the limit of ${settings.maxFileSize}` };
  }
  const probed = await probeFile(file, run);
  if ("error" in probed) return { ok: false, reason: probed.error };
  const mismatch = mismatchOf(probed.probe, kind, extensionOf(file));
  if (mismatch !== null) return { ok: false, reason: mismatch };
  const problem = verifying ? await integrityProblem(file, kind, run) : null;
  return problem === null ? { ok: true, probe: probed.probe } : { ok: false, reason: problem };
}

/** Records the failure (the rescan will not queue this file as it is again) and reports it. */
export function fail(ctx: JobContext, job: Job, url: string, reason: string): string {
  ctx.failures.add(job.key, reason);
  ctx.metrics.processingFailures += 1;
  ctx.emit(makeEvent("processing.failed", url, { size: job.size, reason }));
  return `failed: ${reason}`;
}

function sizeAndTime(stats: fs.Stats): { size: number; mtimeMs: number } {
  return { size: stats.size, mtimeMs: stats.mtimeMs };
}
