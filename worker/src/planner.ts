/**
 * The reconciling rescan, without I/O: from what is in a location's folder and what the worker
 * derived from it, which files need a job and which derived files must go.
 */
import { MASTER_PLAYLIST, versionOf } from "./derived";
import { mediaKindOf } from "./mediaPaths";

export interface SourceFile {
  /** Below the location's folder. */
  readonly rest: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What a metadata file says about its source. */
export interface MetaEntry {
  readonly rest: string;
  readonly size: number;
  readonly modifiedAt: string;
  readonly sha256: string;
  /** Whether it lists an HLS ladder. */
  readonly hls: boolean;
}

/** A poster, sprite or VTT: its name in its folder, the source it was made from, its version. */
export interface VersionedEntry {
  readonly kind: "poster" | "preview";
  readonly name: string;
  readonly source: string;
  readonly version: string;
}

/** A ladder folder (hls/<directory>/<rest>/) and what is in it. */
export interface LadderEntry {
  readonly rest: string;
  /** The version folder master.m3u8 points to; null without a master (or with one not ours). */
  readonly current: string | null;
  readonly hasMaster: boolean;
  readonly versions: readonly string[];
  /** Temporary folders and masters, with the run that made them. */
  readonly temporaries: readonly { readonly name: string; readonly run: string }[];
}

export interface Listing {
  readonly sources: readonly SourceFile[];
  readonly metas: readonly MetaEntry[];
  readonly versioned: readonly VersionedEntry[];
  /** Temporary names in the derived folders, with the run that made them. */
  readonly temporaries: readonly {
    readonly kind: "meta" | "poster" | "preview";
    readonly name: string;
    readonly run: string;
  }[];
  /** Files in .rejected and the reason files beside them (verified locations). */
  readonly rejected: readonly string[];
  readonly ladders: readonly LadderEntry[];
}

export interface PlanContext {
  readonly now: number;
  /** A file changed this recently may still be uploading; the log's line triggers it instead. */
  readonly settleMs: number;
  readonly runId: string;
  /** Keys already queued or recorded as failed. */
  readonly skip: (source: SourceFile) => boolean;
  /** Whether the location makes HLS ladders, and the ladder jobs already queued or failed. */
  readonly hls: boolean;
  readonly skipLadder: (source: SourceFile) => boolean;
}

export interface Plan {
  readonly jobs: SourceFile[];
  /** Videos described, whose metadata lists no ladder or the ladder of another version. */
  readonly ladderJobs: SourceFile[];
  /** Metadata of sources that are gone: removed with a file.deleted event. */
  readonly gone: MetaEntry[];
  /** Derived files to remove without an event (superseded, orphaned, left by a killed run). */
  readonly removals: {
    readonly kind: "meta" | "poster" | "preview" | "rejected" | "hls";
    /** For hls: an entry of a ladder folder (`<rest>/<version>`, `<rest>/master.m3u8`, …). */
    readonly name: string;
  }[];
}

export const REASON_SUFFIX = ".reason.txt";

export function isUpToDate(meta: MetaEntry | undefined, source: SourceFile): boolean {
  return (
    meta !== undefined &&
    meta.size === source.size &&
    Date.parse(meta.modifiedAt) === Math.floor(source.mtimeMs)
  );
}

/**
 * Up to date, and naming no ladder where the location has none (its hls turned off): such
 * metadata is written again, with `hls: null`, so no player is sent to a removed ladder.
 */
export function isCurrent(meta: MetaEntry | undefined, source: SourceFile, hls: boolean): boolean {
  return isUpToDate(meta, source) && (hls || meta?.hls !== true);
}

export function plan(listing: Listing, context: PlanContext): Plan {
  const sources = new Map(listing.sources.map((s) => [s.rest, s]));
  const metas = new Map(listing.metas.map((m) => [m.rest, m]));

  const jobs = listing.sources.filter(
    (s) =>
      !isCurrent(metas.get(s.rest), s, context.hls) &&
      !context.skip(s) &&
      context.now - s.mtimeMs >= context.settleMs,
  );
  const gone = listing.metas.filter((m) => !sources.has(m.rest));
  const ladders = new Map(listing.ladders.map((l) => [l.rest, l]));
  const ladderJobs = listing.sources.filter((s) => {
    const meta = metas.get(s.rest);
    if (!context.hls || mediaKindOf(s.rest) !== "video" || meta === undefined || !isUpToDate(meta, s))
      return false;
    const current = meta.hls && ladders.get(s.rest)?.current === versionOf(meta.sha256);
    return !current && !context.skipLadder(s);
  });

  const removals: Plan["removals"] = [];
  for (const v of listing.versioned) {
    const source = sources.get(v.source);
    const meta = metas.get(v.source);
    // With the metadata current, only its version stays; while a job is due, the job cleans up.
    const superseded =
      source !== undefined && isUpToDate(meta, source) && versionOf(meta?.sha256 ?? "") !== v.version;
    if (source === undefined || superseded) removals.push({ kind: v.kind, name: v.name });
  }
  for (const t of listing.temporaries) {
    if (t.run !== context.runId) removals.push({ kind: t.kind, name: t.name });
  }
  for (const l of listing.ladders)
    removals.push(...ladderRemovals(l, sources.get(l.rest), metas.get(l.rest), context));
  const rejected = new Set(listing.rejected);
  for (const name of listing.rejected) {
    if (name.endsWith(REASON_SUFFIX) && !rejected.has(name.slice(0, -REASON_SUFFIX.length))) {
      removals.push({ kind: "rejected", name });
    }
  }
  return { jobs, ladderJobs, gone, removals };
}

/**
 * What goes from a ladder folder: all of it once its source is gone (the master first, so that
 * no player is sent to a removed version); else the temporary names of earlier runs and, with
 * the metadata current, the versions neither the master nor the metadata names.
 */
function ladderRemovals(
  l: LadderEntry,
  source: SourceFile | undefined,
  meta: MetaEntry | undefined,
  context: PlanContext,
): Plan["removals"] {
  // A location whose hls was turned off keeps no ladder.
  const gone = source === undefined || mediaKindOf(source.rest) !== "video" || !context.hls;
  const described = !gone && meta !== undefined && isUpToDate(meta, source);
  const keep = new Set([l.current, described ? versionOf(meta.sha256) : null]);
  const names = [
    ...(gone && l.hasMaster ? [MASTER_PLAYLIST] : []),
    ...l.versions.filter((v) => gone || (described && !keep.has(v))),
    ...l.temporaries.filter((t) => t.run !== context.runId).map((t) => t.name),
  ];
  return names.map((name) => ({ kind: "hls" as const, name: `${l.rest}/${name}` }));
}
