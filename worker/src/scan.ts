/** Reads a location's folders and its derived folders into the planner's Listing. */
import * as fs from "node:fs";
import * as path from "node:path";
import { derivedFolder, parseMetaName, parseVersioned } from "./derived";
import { temporaryRun } from "./files";
import { isInside, mediaKindOf, mediaPathIn } from "./mediaPaths";
import type { Listing, MetaEntry, SourceFile, VersionedEntry } from "./planner";
import type { WorkerLocation, WorkerSettings } from "./settings";

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
  return { listing: { sources, metas, versioned, temporaries, rejected }, incoming };
}

/** What a metadata file says; an unreadable one counts as out of date (its job rewrites it). */
export function readMeta(file: string, rest: string): MetaEntry {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    const m = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
    if (typeof m.size === "number" && typeof m.modifiedAt === "string" && typeof m.sha256 === "string") {
      return { rest, size: m.size, modifiedAt: m.modifiedAt, sha256: m.sha256 };
    }
  } catch {
    // Falls through to the out-of-date entry.
  }
  return { rest, size: -1, modifiedAt: "", sha256: "" };
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
