/**
 * A ladder job: the HLS ladder of a described video in a location with `hls`, then its metadata
 * again, with `hls` filled in, and `hls.ready`. It works from the metadata its describe job
 * wrote (size, mtime and sha256 of the file as it is now), so it never hashes the file again.
 * A failed encode is recorded like any failed job: not tried again until the file changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFiles, ladderFiles, mediaUrl, versionOf } from "./derived";
import { makeEvent } from "./events";
import { writeTextAtomically } from "./files";
import { currentLadder, makeLadder } from "./hls";
import { fail, type JobContext } from "./job";
import type { Job } from "./jobQueue";
import { ladderFor } from "./ladder";
import { renderLadder } from "./media";
import { mediaKindOf, placementOf, type Placement } from "./mediaPaths";
import type { Variant } from "./playlist";
import { readMetadata } from "./scan";
import type { HlsSettings, MediaMetadata } from "./settings";

export async function runLadderJob(ctx: JobContext, job: Job, signal: AbortSignal): Promise<void> {
  const placement = placementOf(ctx.settings.locations, job.mediaPath);
  const hls = placement?.location.hls;
  if (placement === null || placement.area !== "published" || mediaKindOf(placement.rest) !== "video") return;
  if (hls === undefined) return ctx.log(`ladder ${job.mediaPath}: skipped, its location has no hls`);
  const file = path.join(ctx.settings.mediaRoot, job.mediaPath);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    return ctx.log(`ladder ${job.mediaPath}: skipped, cannot open it (${(e as NodeJS.ErrnoException).code})`);
  }
  const started = Date.now();
  let outcome = "stopped by shutdown, runs again on start";
  try {
    outcome = await ladderOf(ctx, { job, file, fd, placement, hls }, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    const reason = `HLS ladder failed: ${e instanceof Error ? e.message : String(e)}`;
    outcome = fail(ctx, job, mediaUrl(placement.location, placement.rest), reason);
  } finally {
    fs.closeSync(fd);
    const seconds = (Date.now() - started) / 1000;
    ctx.metrics.processingSeconds += seconds;
    ctx.log(`ladder ${job.mediaPath}: ${outcome} (${seconds.toFixed(1)} s)`);
  }
}

interface Open {
  readonly job: Job;
  readonly file: string;
  readonly fd: number;
  readonly placement: Placement;
  readonly hls: HlsSettings;
}

async function ladderOf(ctx: JobContext, o: Open, signal: AbortSignal): Promise<string> {
  const { settings } = ctx;
  const { location, rest } = o.placement;
  const opened = fs.fstatSync(o.fd);
  // The file as queued, and as its metadata describes it.
  const unchanged = (s: fs.Stats, m: MediaMetadata | null) =>
    m !== null &&
    s.size === o.job.size &&
    Math.floor(s.mtimeMs) === Math.floor(o.job.mtimeMs) &&
    m.size === s.size &&
    Date.parse(m.modifiedAt) === Math.floor(s.mtimeMs);
  const metaFile = derivedFiles(settings, location, rest, "").meta;
  const metadata = readMetadata(metaFile);
  if (metadata === null || !unchanged(opened, metadata)) {
    return "skipped, the file or its metadata changed since it was queued (that has a job of its own)";
  }
  const version = versionOf(metadata.sha256);
  const files = ladderFiles(settings, location, rest);
  let variants: Variant[] | null = currentLadder(files, version);
  if (variants !== null && metadata.hls !== null) return "skipped, its ladder is up to date";

  if (variants === null) {
    if (metadata.width === null || metadata.height === null)
      throw new Error("its metadata has no picture size");
    const rungs = ladderFor(o.hls, { width: metadata.width, height: metadata.height });
    const options = {
      audio: metadata.audioCodec !== null,
      segmentSeconds: o.hls.segmentSeconds,
      durationSeconds: metadata.durationSeconds,
    };
    let encodeSeconds = 0;
    const made = await makeLadder(
      files,
      version,
      async (folder) => {
        const start = Date.now();
        await renderLadder(o.file, folder, rungs, options, { nice: settings.nice, signal });
        encodeSeconds = (Date.now() - start) / 1000;
      },
      // The same file (not replaced by a rename) with the same metadata: else the ladder is of
      // something that is no longer there.
      () => {
        const now = statOrNull(o.file);
        return now !== null && now.ino === opened.ino && unchanged(now, readMetadata(metaFile));
      },
    );
    if (signal.aborted) throw new Error("stopped");
    if (made === null) return "skipped, the file changed during the encode (that has a job of its own)";
    if (made.encoded) {
      ctx.metrics.hlsLadders += 1;
      ctx.metrics.hlsEncodeSeconds += encodeSeconds;
    }
    variants = made.variants;
  }

  const renditions = variants.map((v) => ({ width: v.width, height: v.height, bandwidth: v.bandwidth }));
  const updated: MediaMetadata = { ...metadata, hls: { master: files.url, renditions } };
  await writeTextAtomically(metaFile, `${JSON.stringify(updated, null, 2)}\n`);
  const url = mediaUrl(location, rest);
  ctx.emit(makeEvent("hls.ready", url, { size: opened.size, metadata: updated }));
  return `ladder of ${renditions.map((r) => `${r.height}p`).join(", ")} ready`;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
