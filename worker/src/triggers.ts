/**
 * What the worker does for each entry of the FTP log or the SFTP log (both give the same
 * entries: ftpLog.ts, sftpSessions.ts). The log says what happened; the disk says what is there
 * now: a job is queued for the file as it is on disk (its size and mtime), and a delete or
 * rename only asks for a rescan of the location, which removes what the file left behind. So a
 * log line that lies (or is read twice) cannot remove anything that still exists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFiles, mediaUrl } from "./derived";
import { makeEvent, type EmitEvent } from "./events";
import type { Failures } from "./failures";
import type { FtpEntry } from "./ftpLog";
import { jobKey, type Job, type JobQueue } from "./jobQueue";
import { candidatesOf, resolveLoggedFile } from "./loggedNames";
import { mediaKindOf, mediaPathOf, placementOf, type Placement } from "./mediaPaths";
import type { Metrics } from "./metrics";
import { isUpToDate } from "./planner";
import { readMeta } from "./scan";
import type { WorkerLocation, WorkerSettings } from "./settings";

export interface TriggerContext {
  readonly settings: WorkerSettings;
  readonly queue: Pick<JobQueue, "add">;
  readonly failures: Failures;
  readonly metrics: Metrics;
  readonly emit: EmitEvent;
  readonly rescan: (location: WorkerLocation) => void;
  readonly log: (line: string) => void;
}

export function handleEntry(ctx: TriggerContext, entry: FtpEntry): void {
  switch (entry.kind) {
    case "upload":
      return entry.ok ? uploaded(ctx, entry) : uploadFailed(ctx, entry);
    case "delete":
    case "rmdir": {
      const placement = placed(ctx, entry.user, entry.path);
      if (placement !== null) ctx.rescan(placement.location);
      return;
    }
    case "rename":
      return renamed(ctx, entry);
    default:
      return;
  }
}

type Upload = Extract<FtpEntry, { kind: "upload" }>;

function uploaded(ctx: TriggerContext, entry: Upload): void {
  if (placed(ctx, entry.user, entry.path) === null) return;
  ctx.metrics.uploadsCompleted += 1;
  ctx.metrics.uploadBytes += entry.bytes;
  const found = onDisk(ctx, entry);
  if (found === null || !sizeFits(ctx, entry, found)) return;
  queueFile(ctx, found, entry.user, entry.time);
}

/**
 * SFTP counts the bytes a handle wrote: the file must have that many (after a truncating open)
 * or more (a resume). Otherwise it changed since, e.g. another upload of the name is under way,
 * and that one's close line queues it.
 */
function sizeFits(ctx: TriggerContext, entry: Upload, found: Found): boolean {
  const size = statOf(ctx, found.mediaPath)?.size;
  if (entry.exact === undefined || size === undefined) return true;
  if (entry.whole ? size === entry.bytes : size >= entry.bytes) return true;
  ctx.log(
    `upload ${JSON.stringify(mediaUrl(found.placement.location, found.placement.rest))} has ${size} bytes, ` +
      `the SFTP log says ${entry.bytes} were written: not processed until a later line names it`,
  );
  return false;
}

/**
 * A failed upload is never processed: its key (path, size, mtime) is recorded, so a rescan
 * skips it too. In .incoming the partial file is left where it is: clients resume an
 * interrupted upload (REST or APPE), and the resumed upload's OK line then queues it.
 */
function uploadFailed(ctx: TriggerContext, entry: Upload): void {
  if (placed(ctx, entry.user, entry.path) === null) return;
  ctx.metrics.uploadsFailed += 1;
  const found = onDisk(ctx, entry);
  const stats = found === null ? null : statOf(ctx, found.mediaPath);
  if (found === null || stats === null) return;
  ctx.failures.add(jobKey(found.mediaPath, stats.size, stats.mtimeMs), "the upload failed");
  ctx.log(
    `upload failed ${JSON.stringify(mediaUrl(found.placement.location, found.placement.rest))}: not processed`,
  );
}

/** Clients that upload under a temporary name rename it at the end: the new name is queued. */
function renamed(ctx: TriggerContext, entry: Extract<FtpEntry, { kind: "rename" }>): void {
  for (const [from, to] of entry.candidates) {
    const target = mediaPathOf(ctx.settings, entry.user, to);
    const [onDisk] = target === null ? [] : namedOnDisk(ctx, target, entry.exact);
    if (onDisk === undefined) continue;
    const old = placed(ctx, entry.user, from);
    if (old !== null) ctx.rescan(old.location);
    const placement = placementOf(ctx.settings.locations, onDisk);
    if (placement === null) return;
    if (statOf(ctx, onDisk)?.isDirectory()) return ctx.rescan(placement.location);
    return queueFile(ctx, { mediaPath: onDisk, placement }, entry.user, entry.time);
  }
}

function queueFile(ctx: TriggerContext, f: Found, user: string, time: Date | null): void {
  if (mediaKindOf(f.placement.rest) === null || f.placement.area === "rejected") return;
  const stats = statOf(ctx, f.mediaPath);
  if (stats === null || !stats.isFile()) return;
  const key = jobKey(f.mediaPath, stats.size, stats.mtimeMs);
  const { location, rest, area } = f.placement;
  // A line read again (a restart before the position was saved, a first start on an old log)
  // names a file that may be done already: no second job, no second event.
  const meta = readMeta(derivedFiles(ctx.settings, location, rest, "").meta, rest);
  if (area === "published" && isUpToDate(meta, { rest, size: stats.size, mtimeMs: stats.mtimeMs })) return;
  const job: Job = {
    key,
    mediaPath: f.mediaPath,
    target: `${f.placement.location.directory}/${f.placement.rest}`,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    uploader: user,
    uploadedAt: (time ?? new Date()).toISOString(),
  };
  if (ctx.failures.has(key) || !ctx.queue.add(job)) return;
  ctx.emit(
    makeEvent("upload.completed", mediaUrl(f.placement.location, f.placement.rest), { size: stats.size }),
  );
}

interface Found {
  readonly mediaPath: string;
  readonly placement: Placement;
}

/** The file an upload line names, as it is on disk; null when it is not (or not one file). */
function onDisk(ctx: TriggerContext, entry: Upload): Found | null {
  const logged = mediaPathOf(ctx.settings, entry.user, entry.path);
  const mediaPath = logged === null ? null : uploadedFile(ctx, logged, entry);
  const placement = mediaPath === null ? null : placementOf(ctx.settings.locations, mediaPath);
  if (mediaPath === null || placement === null) {
    // Temporary names (a.mp4.part) are usually renamed by the time their line is read.
    if (logged !== null && mediaKindOf(path.posix.basename(logged)) !== null) {
      ctx.log(
        `log names ${JSON.stringify(entry.path)}, not (or not as one file) on disk: left to the rescan`,
      );
    }
    return null;
  }
  return { mediaPath, placement };
}

/** The one file an upload's logged media path is: itself (SFTP), or what its '?' fit (vsftpd). */
function uploadedFile(ctx: TriggerContext, logged: string, entry: Upload): string | null {
  if (!entry.exact) return resolveLoggedFile(ctx.settings.mediaRoot, logged, entry.bytes);
  return statOf(ctx, logged)?.isFile() ? logged : null;
}

/** What a logged media path names on disk: itself (SFTP), or each name its '?' fit (vsftpd). */
function namedOnDisk(ctx: TriggerContext, mediaPath: string, exact: true | undefined): string[] {
  if (!exact) return candidatesOf(ctx.settings.mediaRoot, mediaPath);
  return statOf(ctx, mediaPath) === null ? [] : [mediaPath];
}

function placed(ctx: TriggerContext, user: string, loggedPath: string): Placement | null {
  const mediaPath = mediaPathOf(ctx.settings, user, loggedPath);
  return mediaPath === null ? null : placementOf(ctx.settings.locations, mediaPath);
}

function statOf(ctx: TriggerContext, mediaPath: string): fs.Stats | null {
  try {
    return fs.statSync(path.join(ctx.settings.mediaRoot, mediaPath));
  } catch {
    return null;
  }
}
