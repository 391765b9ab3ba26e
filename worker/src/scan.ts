/** Reads a location's folders and its derived folders into the planner's Listing. */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFolder, isVersion, MASTER_PLAYLIST, parseMetaName, parseVersioned } from "./derived";
import { temporaryRun } from "./files";
import { isInside, mediaKindOf, mediaPathIn } from "./mediaPaths";
import type { LadderEntry, Listing, MetaEntry, SourceFile, VersionedEntry } from "./planner";
import { versionOfMaster } from "./playlist";
import type { MediaMetadata, WorkerLocation, WorkerSettings } from "./settings";

type Visit = (rest: string, stats: fs.Stats) => void;

export interface LocationScan {
  readonly listing: Listing;
  /** Files in .incoming (verified): never queued by a scan, but their keys keep failure records. */
  readonly incoming: SourceFile[];
}

export function scanLocation(
  settings: Pick<WorkerSettings, "mediaRoot" | "derivedRoot" | "urls" | "locations">,
  location: WorkerLocation,
): LocationScan {
  // A nested location's folder is its own: not walked as part of this one.
  const nested = settings.locations
    .filter((l) => l !== location && isInside(l.directory, location.directory))
    .map((l) => path.posix.relative(location.directory, l.directory));
  const isNested = (rest: string) => nested.some((n) => isInside(rest, n));
  const areaFolder = (area: "published" | "incoming" | "rejected") =>
    path.join(settings.mediaRoot, mediaPathIn(location, area, ""));

  const sources: SourceFile[] = [];
  walk(areaFolder("published"), isNested, (rest, s) => {
    if (mediaKindOf(rest) !== null) sources.push({ rest, size: s.size, mtimeMs: s.mtimeMs });
  });
  const incoming: SourceFile[] = [];
  const rejected: string[] = [];
  if (location.publish === "verified") {
    walk(
      areaFolder("incoming"),
      () => false,
      (rest, s) => incoming.push({ rest, size: s.size, mtimeMs: s.mtimeMs }),
    );
    walk(
      areaFolder("rejected"),
      () => false,
      (rest) => rejected.push(rest),
    );
  }

  const metas: MetaEntry[] = [];
  const versioned: VersionedEntry[] = [];
  const temporaries: Listing["temporaries"][number][] = [];
  for (const kind of ["meta", "poster", "preview"] as const) {
    const folder = derivedFolder(settings, kind, location);
    walk(folder, isNested, (name) => {
      const run = temporaryRun(path.posix.basename(name));
      const rest = parseMetaName(name);
      const v = parseVersioned(name);
      if (run !== null) temporaries.push({ kind, name, run });
      else if (kind === "meta" && rest !== null) metas.push(readMeta(path.join(folder, name), rest));
      else if (kind !== "meta" && v !== null) versioned.push({ kind, name, ...v });
    });
  }
  const ladders: LadderEntry[] = [];
  walkLadders(derivedFolder(settings, "hls", location), isNested, (rest, folder, names) =>
    ladders.push(readLadder(rest, folder, names)),
  );
  return { listing: { sources, metas, versioned, temporaries, rejected, ladders }, incoming };
}

/** What a metadata file says; an unreadable one counts as out of date (its job rewrites it). */
export function readMeta(file: string, rest: string): MetaEntry {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    const m = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
    if (typeof m.size === "number" && typeof m.modifiedAt === "string" && typeof m.sha256 === "string") {
      const hls = typeof m.hls === "object" && m.hls !== null;
      return { rest, size: m.size, modifiedAt: m.modifiedAt, sha256: m.sha256, hls };
    }
  } catch {
    // Falls through to the out-of-date entry.
  }
  return { rest, size: -1, modifiedAt: "", sha256: "", hls: false };
}

/** The whole metadata document (for an event, or to add the ladder to); null if unreadable. */
export function readMetadata(file: string): MediaMetadata | null {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return typeof json === "object" && json !== null && (json as { version?: unknown }).version === 1
      ? (json as MediaMetadata)
      : null;
  } catch {
    return null;
  }
}

/** What a ladder folder holds: the version its master points to, its versions, temporary names. */
function readLadder(rest: string, folder: string, names: readonly string[]): LadderEntry {
  let current: string | null = null;
  const hasMaster = names.includes(MASTER_PLAYLIST);
  try {
    if (hasMaster) current = versionOfMaster(fs.readFileSync(path.join(folder, MASTER_PLAYLIST), "utf8"));
  } catch {
    // Gone since readdir, or unreadable: points to nothing.
  }
  const temporaries = names.flatMap((name) => {
    const run = temporaryRun(name);
    return run === null ? [] : [{ name, run }];
  });
  return { rest, current, hasMaster, versions: names.filter(isVersion), temporaries };
}

/**
 * The ladder folders below root: folders named like a video (`trips/alps.mp4/`), each visited
 * with the names in it. A media folder can be named like a video too, so the walk goes on below
 * one, into everything but version folders and dot names.
 */
function walkLadders(
  root: string,
  skip: (rest: string) => boolean,
  visit: (rest: string, folder: string, names: string[]) => void,
  prefix = "",
): void {
  const folder = path.join(root, prefix);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR")
      return;
    throw e;
  }
  const ladder = prefix !== "" && mediaKindOf(prefix) === "video";
  if (ladder)
    visit(
      prefix,
      folder,
      entries.map((e) => e.name),
    );
  for (const entry of entries) {
    const rest = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (!entry.isDirectory() || entry.name.startsWith(".") || (ladder && isVersion(entry.name))) continue;
    if (!skip(rest)) walkLadders(root, skip, visit, rest);
  }
}

/** Every regular file below root ('/'-separated relative names); symlinks are not followed. */
function walk(root: string, skip: (rest: string) => boolean, visit: Visit, prefix = ""): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, prefix), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR")
      return;
    throw e;
  }
  for (const entry of entries) {
    const rest = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!skip(rest) && !entry.name.startsWith(".")) walk(root, skip, visit, rest);
    } else if (entry.isFile()) {
      try {
        visit(rest, fs.statSync(path.join(root, rest)));
      } catch {
        // Gone between readdir and stat: the next scan sees it as it is then.
      }
    }
  }
}
