/**
 * The rescan, at start, every rescanSeconds and after a delete or rename in a location: queues
 * the files whose metadata is missing or out of date, and removes what deleted files left.
 *
 * Files in a verified location's .incoming are never queued by the rescan, only by an upload's
 * OK line in the FTP log: vsftpd writes an upload straight under its final name, so a file there
 * may still be arriving, and only the log says that it is complete.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFiles, derivedFolder, mediaUrl } from "./derived";
import { makeEvent, type EmitEvent } from "./events";
import type { Failures } from "./failures";
import { removeFile, RUN_ID } from "./files";
import { jobKey, type JobQueue } from "./jobQueue";
import { mediaPathIn } from "./mediaPaths";
import { plan } from "./planner";
import { scanLocation } from "./scan";
import type { MediaMetadata, WorkerLocation, WorkerSettings } from "./settings";

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
  const skip = (s: { rest: string; size: number; mtimeMs: number }) => {
    const key = jobKey(published(s.rest), s.size, s.mtimeMs);
    return ctx.failures.has(key) || ctx.queue.has(key);
  };
  const result = plan(scan.listing, { now, settleMs: ctx.settleMs, runId: RUN_ID, skip });

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
    removeFile(path.join(folder, r.name));
  }
  return [
    ...scan.listing.sources.map((s) => jobKey(published(s.rest), s.size, s.mtimeMs)),
    ...scan.incoming.map((s) => jobKey(mediaPathIn(location, "incoming", s.rest), s.size, s.mtimeMs)),
  ];
}

/** Every location; failure records of files that are gone or changed are dropped. */
export function reconcileAll(ctx: ReconcileContext, now = Date.now()): void {
  const keys = new Set(ctx.settings.locations.flatMap((l) => reconcileLocation(ctx, l, now)));
  ctx.failures.keepOnly(keys);
}

/** The metadata of a deleted file, for its event; null if the file cannot be read. */
function readMetadata(file: string): MediaMetadata | null {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return typeof json === "object" && json !== null && (json as { version?: unknown }).version === 1
      ? (json as MediaMetadata)
      : null;
  } catch {
    return null;
  }
}
