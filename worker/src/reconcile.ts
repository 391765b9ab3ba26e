/**
 * The rescan, at start, every rescanSeconds and after a delete or rename in a location: queues
 * the files whose metadata is missing or out of date, and (hls) the ladders of described videos
 * that lack a current one; removes what deleted files and killed runs left.
 *
 * Files in a verified location's .incoming are never queued by the rescan, only by an upload's
 * OK line in the FTP log: vsftpd writes an upload straight under its final name, so a file there
 * may still be arriving, and only the log says that it is complete.
 */
import * as path from "node:path";
import { derivedFiles, derivedFolder, mediaUrl } from "./derived";
import { makeEvent, type EmitEvent } from "./events";
import type { Failures } from "./failures";
import { removeFile, RUN_ID } from "./files";
import { removeFromLadder } from "./hls";
import { jobKey, ladderJob, ladderKey, type JobQueue } from "./jobQueue";
import { mediaKindOf, mediaPathIn } from "./mediaPaths";
import { plan, type SourceFile } from "./planner";
import { readMetadata, scanLocation } from "./scan";
import type { WorkerLocation, WorkerSettings } from "./settings";

export interface ReconcileContext {
  readonly settings: WorkerSettings;
  readonly queue: Pick<JobQueue, "add" | "has">;
  readonly failures: Failures;
  readonly emit: EmitEvent;
  /** See PlanContext.settleMs. */
  readonly settleMs: number;
}

/**
 * vsftpd ends a transfer that sent nothing for data_connection_timeout (300 s, vsftpd/conf.ts):
 * a file unchanged for longer is not being uploaded.
 */
export const SETTLE_MS = 330_000;

/** Rescans one location; returns the job keys of the files it holds (for Failures.keepOnly). */
export function reconcileLocation(
  ctx: ReconcileContext,
  location: WorkerLocation,
  now = Date.now(),
): string[] {
  const { settings } = ctx;
  const scan = scanLocation(settings, location);
  const published = (rest: string) => mediaPathIn(location, "published", rest);
  const skipKey = (key: string) => ctx.failures.has(key) || ctx.queue.has(key);
  const skip = (s: SourceFile) => skipKey(jobKey(published(s.rest), s.size, s.mtimeMs));
  const skipLadder = (s: SourceFile) => skipKey(ladderKey(published(s.rest), s.size, s.mtimeMs));
  const hls = location.hls !== undefined;
  const context = { now, settleMs: ctx.settleMs, runId: RUN_ID, skip, hls, skipLadder };
  const result = plan(scan.listing, context);

  for (const s of result.jobs) {
    const mediaPath = published(s.rest);
    const key = jobKey(mediaPath, s.size, s.mtimeMs);
    const target = `${location.directory}/${s.rest}`;
    ctx.queue.add({
      key,
      mediaPath,
      target,
      size: s.size,
      mtimeMs: s.mtimeMs,
      uploader: null,
      uploadedAt: null,
    });
  }
  for (const s of result.ladderJobs) {
    ctx.queue.add(ladderJob(published(s.rest), `${location.directory}/${s.rest}`, s.size, s.mtimeMs));
  }
  for (const m of result.gone) {
    const file = derivedFiles(settings, location, m.rest, "").meta;
    const metadata = readMetadata(file);
    removeFile(file);
    ctx.emit(
      makeEvent("file.deleted", mediaUrl(location, m.rest), { size: m.size < 0 ? null : m.size, metadata }),
    );
  }
  for (const r of result.removals) {
    const folder =
      r.kind === "rejected"
        ? path.join(settings.mediaRoot, mediaPathIn(location, "rejected", ""))
        : derivedFolder(settings, r.kind, location);
    if (r.kind === "hls") removeFromLadder(path.join(folder, r.name));
    else removeFile(path.join(folder, r.name));
  }
  const videos = hls ? scan.listing.sources.filter((s) => mediaKindOf(s.rest) === "video") : [];
  return [
    ...scan.listing.sources.map((s) => jobKey(published(s.rest), s.size, s.mtimeMs)),
    ...videos.map((s) => ladderKey(published(s.rest), s.size, s.mtimeMs)),
    ...scan.incoming.map((s) => jobKey(mediaPathIn(location, "incoming", s.rest), s.size, s.mtimeMs)),
  ];
}

/** Every location; failure records of files that are gone or changed are dropped. */
export function reconcileAll(ctx: ReconcileContext, now = Date.now()): void {
  const keys = new Set(ctx.settings.locations.flatMap((l) => reconcileLocation(ctx, l, now)));
  ctx.failures.keepOnly(keys);
}
