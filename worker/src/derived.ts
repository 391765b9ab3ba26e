/**
 * Names of the files the worker derives from a media file, on disk and as URLs. Posters and
 * previews carry a version (the first 12 hex digits of the file's sha256), so their URLs change
 * when the file does and nginx can serve them with a long cache lifetime; the metadata JSON has
 * a fixed name and says which version is current. An HLS ladder is a folder per file: a fixed
 * master.m3u8 that points into a folder per version.
 */
import * as path from "node:path";
import type { WorkerLocation, WorkerSettings } from "./settings";

export type DerivedKind = "meta" | "poster" | "preview" | "hls";

export const VERSION_LENGTH = 12;
const VERSION = `[0-9a-f]{${VERSION_LENGTH}}`;

export interface DerivedFiles {
  readonly meta: string;
  readonly poster: string;
  readonly sprite: string;
  readonly vtt: string;
  readonly urls: {
    readonly meta: string;
    readonly poster: string;
    readonly sprite: string;
    readonly vtt: string;
  };
}

type Roots = Pick<WorkerSettings, "derivedRoot" | "urls">;

export function versionOf(sha256: string): string {
  return sha256.slice(0, VERSION_LENGTH);
}

/** The folder of one kind of derived file for a location (meta/<directory>, …). */
export function derivedFolder(settings: Roots, kind: DerivedKind, location: WorkerLocation): string {
  return path.join(settings.derivedRoot, kind, location.directory);
}

export function derivedFiles(
  settings: Roots,
  location: WorkerLocation,
  rest: string,
  version: string,
): DerivedFiles {
  const file = (kind: DerivedKind, suffix: string) =>
    path.join(derivedFolder(settings, kind, location), `${rest}${suffix}`);
  const url = (prefix: string, suffix: string) =>
    `${prefix}${location.path}${encodePath(`${rest}${suffix}`)}`;
  return {
    meta: file("meta", ".json"),
    poster: file("poster", `.${version}.jpg`),
    sprite: file("preview", `.${version}.jpg`),
    vtt: file("preview", `.${version}.vtt`),
    urls: {
      meta: url(settings.urls.meta, ".json"),
      poster: url(settings.urls.poster, `.${version}.jpg`),
      sprite: url(settings.urls.preview, `.${version}.jpg`),
      vtt: url(settings.urls.preview, `.${version}.vtt`),
    },
  };
}

/** An HLS ladder: hls/<directory>/<rest>/, its master playlist and that playlist's URL. */
export interface LadderFiles {
  readonly folder: string;
  readonly master: string;
  readonly url: string;
}

export const MASTER_PLAYLIST = "master.m3u8";

export function ladderFiles(settings: Roots, location: WorkerLocation, rest: string): LadderFiles {
  const folder = path.join(derivedFolder(settings, "hls", location), rest);
  return {
    folder,
    master: path.join(folder, MASTER_PLAYLIST),
    url: `${settings.urls.hls}${location.path}${encodePath(rest)}/${MASTER_PLAYLIST}`,
  };
}

/** Whether a name in a ladder folder is a version folder. */
export function isVersion(name: string): boolean {
  return new RegExp(`^${VERSION}$`).test(name);
}

/** The URL path of a media file itself, e.g. /videos/trips/alps.mp4. */
export function mediaUrl(location: WorkerLocation, rest: string): string {
  return `${location.path}${encodePath(rest)}`;
}

/** Each segment percent-encoded, the '/' between them kept. */
export function encodePath(rest: string): string {
  return rest.split("/").map(encodeURIComponent).join("/");
}

/**
 * What a name in a poster or preview folder is: the source file (relative to the folder) and
 * its version, or null for a name the worker did not make.
 */
export function parseVersioned(name: string): { source: string; version: string } | null {
  const m = new RegExp(`^(.+)\\.(${VERSION})\\.(?:jpg|vtt)$`).exec(name);
  return m ? { source: m[1], version: m[2] } : null;
}

/** The source of a metadata file name, or null. */
export function parseMetaName(name: string): string | null {
  return name.endsWith(".json") && name.length > ".json".length ? name.slice(0, -".json".length) : null;
}
