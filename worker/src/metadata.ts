/** The MediaMetadata document of a processed file, from what the job found out. */
import { mediaUrl } from "./derived";
import type { MediaKind } from "./mediaPaths";
import type { Description } from "./probe";
import type { MediaMetadata, WorkerLocation } from "./settings";

export interface Facts {
  readonly location: WorkerLocation;
  readonly rest: string;
  readonly kind: MediaKind;
  readonly size: number;
  readonly mtimeMs: number;
  /** ISO 8601 from the FTP log; the file's mtime when a rescan found it. */
  readonly uploadedAt: string | null;
  readonly uploader: string | null;
  readonly sha256: string;
  readonly description: Description;
  readonly poster: string | null;
  readonly preview: { readonly vtt: string; readonly sprite: string } | null;
}

export function buildMetadata(f: Facts): MediaMetadata {
  // Whole milliseconds: the rescan compares this with the file's mtime, floored the same way.
  const modifiedAt = new Date(Math.floor(f.mtimeMs)).toISOString();
  return {
    version: 1,
    kind: f.kind,
    url: mediaUrl(f.location, f.rest),
    location: f.location.path,
    file: f.rest,
    size: f.size,
    modifiedAt,
    uploadedAt: f.uploadedAt ?? modifiedAt,
    uploader: f.uploader,
    sha256: f.sha256,
    ...f.description,
    poster: f.poster,
    preview: f.preview,
    // The ladder comes later, from its own job; a changed file's old ladder is not its ladder.
    hls: null,
  };
}
