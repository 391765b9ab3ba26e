/**
 * The reconciling rescan, without I/O: from what is in a location's folder and what the worker
 * derived from it, which files need a job and which derived files must go.
 */
import { versionOf } from "./derived";

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
}

/** A poster, sprite or VTT: its name in its folder, the source it was made from, its version. */
export interface VersionedEntry {
  readonly kind: "poster" | "preview";
  readonly name: string;
  readonly source: string;
  readonly version: string;
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
}

export interface PlanContext {
  readonly now: number;
  /** A file changed this recently may still be uploading; the log's line triggers it instead. */
  readonly settleMs: number;
  readonly runId: string;
  /** Keys already queued or recorded as failed. */
  readonly skip: (source: SourceFile) => boolean;
}

export interface Plan {
  readonly jobs: SourceFile[];
  /** Metadata of sources that are gone: removed with a file.deleted event. */
  readonly gone: MetaEntry[];
  /** Derived files to remove without an event (superseded, orphaned, left by a killed run). */
  readonly removals: { readonly kind: "meta" | "poster" | "preview" | "rejected"; readonly name: string }[];
}

export const REASON_SUFFIX = ".reason.txt";

export function isUpToDate(meta: MetaEntry | undefined, source: SourceFile): boolean {
  return (
    meta !== undefined &&
    meta.size === source.size &&
    Date.parse(meta.modifiedAt) === Math.floor(source.mtimeMs)
  );
}

export function plan(listing: Listing, context: PlanContext): Plan {
  const sources = new Map(listing.sources.map((s) => [s.rest, s]));
  const metas = new Map(listing.metas.map((m) => [m.rest, m]));

  const jobs = listing.sources.filter(
    (s) =>
      !isUpToDate(metas.get(s.rest), s) && !context.skip(s) && context.now - s.mtimeMs >= context.settleMs,
  );
  const gone = listing.metas.filter((m) => !sources.has(m.rest));

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
  const rejected = new Set(listing.rejected);
  for (const name of listing.rejected) {
    if (name.endsWith(REASON_SUFFIX) && !rejected.has(name.slice(0, -REASON_SUFFIX.length))) {
      removals.push({ kind: "rejected", name });
    }
  }
  return { jobs, gone, removals };
}
