/**
 * The derived files of a published file: poster, preview (sprite + VTT) and metadata, each
 * written under a temporary name and renamed into place, metadata last; then the versions they
 * supersede are removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFiles, derivedFolder, parseVersioned, versionOf } from "./derived";
import { removeFile, writeAtomically, writeTextAtomically } from "./files";
import type { Job } from "./jobQueue";
import { renderPoster, renderSprite, type RunOptions } from "./media";
import type { MediaKind, Placement } from "./mediaPaths";
import { buildMetadata } from "./metadata";
import { renderVtt, spriteLayout } from "./preview";
import type { Description } from "./probe";
import type { MediaMetadata, WorkerSettings } from "./settings";

export interface Processed {
  readonly placement: Placement;
  readonly kind: MediaKind;
  /** Absolute path of the file as served. */
  readonly published: string;
  readonly stats: fs.Stats;
  readonly sha256: string;
  readonly description: Description;
  readonly job: Job;
}

/** Where in a video the poster is taken: past titles and fades, still near the start. */
const POSTER_AT = 0.1;

export async function writeOutputs(
  settings: WorkerSettings,
  p: Processed,
  run: RunOptions,
): Promise<MediaMetadata> {
  const version = versionOf(p.sha256);
  const files = derivedFiles(settings, p.placement.location, p.placement.rest, version);
  const d = p.description;
  const hasPicture = d.width !== null && d.height !== null;

  let poster: string | null = null;
  if (hasPicture) {
    const atSeconds = p.kind === "video" ? (d.durationSeconds ?? 0) * POSTER_AT : 0;
    await writeAtomically(files.poster, (t) =>
      renderPoster(p.published, t, { atSeconds, width: settings.posterWidth }, run),
    );
    poster = files.urls.poster;
  }

  let preview: MediaMetadata["preview"] = null;
  if (settings.previews && p.kind === "video" && hasPicture && d.durationSeconds !== null) {
    const layout = spriteLayout(d.durationSeconds, d.width ?? 0, d.height ?? 0);
    await writeAtomically(files.sprite, (t) => renderSprite(p.published, t, layout, run));
    await writeTextAtomically(files.vtt, renderVtt(layout, d.durationSeconds, files.urls.sprite));
    preview = { vtt: files.urls.vtt, sprite: files.urls.sprite };
  }

  const metadata = buildMetadata({
    location: p.placement.location,
    rest: p.placement.rest,
    kind: p.kind,
    size: p.stats.size,
    mtimeMs: p.stats.mtimeMs,
    uploadedAt: p.job.uploadedAt,
    uploader: p.job.uploader,
    sha256: p.sha256,
    description: d,
    poster,
    preview,
  });
  await writeTextAtomically(files.meta, `${JSON.stringify(metadata, null, 2)}\n`);
  removeSuperseded(settings, p.placement, version);
  return metadata;
}

/** Posters and previews of this file with another version than `keep`. */
export function removeSuperseded(settings: WorkerSettings, placement: Placement, keep: string | null): void {
  for (const kind of ["poster", "preview"] as const) {
    const dir = path.dirname(path.join(derivedFolder(settings, kind, placement.location), placement.rest));
    const own = path.posix.basename(placement.rest);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const v = parseVersioned(name);
      if (v !== null && v.source === own && v.version !== keep) removeFile(path.join(dir, name));
    }
  }
}
