import { derivedFiles, parseVersioned } from "../../../worker/src/derived";
import { jobKey } from "../../../worker/src/jobQueue";
import {
  plan,
  type LadderEntry,
  type Listing,
  type MetaEntry,
  type PlanContext,
  type SourceFile,
} from "../../../worker/src/planner";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-12-01T12:00:00Z");
const SHA = "0123456789ab".padEnd(64, "0");
const OLD_SHA = "ba9876543210".padEnd(64, "0");

const source = (rest: string, mtimeMs = NOW - HOUR, size = 100): SourceFile => ({ rest, size, mtimeMs });
const metaOf = (s: SourceFile, sha256 = SHA): MetaEntry => ({
  rest: s.rest,
  size: s.size,
  modifiedAt: new Date(Math.floor(s.mtimeMs)).toISOString(),
  sha256,
  hls: false,
});
const listing = (l: Partial<Listing>): Listing => ({
  sources: [],
  metas: [],
  versioned: [],
  temporaries: [],
  rejected: [],
  ladders: [],
  ...l,
});
const context = (over: Partial<PlanContext> = {}): PlanContext => ({
  now: NOW,
  settleMs: 330_000,
  runId: "aaaaaaaaaaaa",
  skip: () => false,
  hls: false,
  skipLadder: () => false,
  ...over,
});

describe("plan", () => {
  it("queues a file without metadata", () => {
    const a = source("a.mp4");
    expect(plan(listing({ sources: [a] }), context()).jobs).toEqual([a]);
  });

  it("queues nothing for a file whose metadata has its size and mtime", () => {
    const a = source("a.mp4", NOW - HOUR + 0.4);
    expect(plan(listing({ sources: [a], metas: [metaOf(a)] }), context()).jobs).toEqual([]);
  });

  it("queues a file whose size or mtime differ from its metadata", () => {
    const a = source("a.mp4");
    const stale = { ...metaOf(a), size: 99 };
    const b = source("b.mp4");
    const older = metaOf({ ...b, mtimeMs: b.mtimeMs - 1000 });
    expect(plan(listing({ sources: [a, b], metas: [stale, older] }), context()).jobs).toEqual([a, b]);
  });

  it("leaves a file changed within the settle time to the log (it may still be uploading)", () => {
    const fresh = source("a.mp4", NOW - 10_000);
    expect(plan(listing({ sources: [fresh] }), context()).jobs).toEqual([]);
    expect(plan(listing({ sources: [fresh] }), context({ now: NOW + 330_000 })).jobs).toEqual([fresh]);
  });

  it("does not queue a file already queued or recorded as failed", () => {
    const a = source("a.mp4");
    expect(plan(listing({ sources: [a] }), context({ skip: (s) => s.rest === "a.mp4" })).jobs).toEqual([]);
  });

  it("reports metadata whose source is gone, and removes that source's posters and previews", () => {
    const gone = metaOf(source("gone.mp4"));
    const result = plan(
      listing({
        metas: [gone],
        versioned: [
          { kind: "poster", name: "gone.mp4.0123456789ab.jpg", source: "gone.mp4", version: "0123456789ab" },
          { kind: "preview", name: "gone.mp4.0123456789ab.vtt", source: "gone.mp4", version: "0123456789ab" },
        ],
      }),
      context(),
    );
    expect(result.gone).toEqual([gone]);
    expect(result.removals).toEqual([
      { kind: "poster", name: "gone.mp4.0123456789ab.jpg" },
      { kind: "preview", name: "gone.mp4.0123456789ab.vtt" },
    ]);
  });

  it("removes the posters of other versions than the current metadata's, and keeps its own", () => {
    const a = source("trips/a.mp4");
    const current = {
      kind: "poster" as const,
      name: "trips/a.mp4.0123456789ab.jpg",
      source: "trips/a.mp4",
      version: "0123456789ab",
    };
    const old = { ...current, name: "trips/a.mp4.ba9876543210.jpg", version: "ba9876543210" };
    const result = plan(listing({ sources: [a], metas: [metaOf(a)], versioned: [current, old] }), context());
    expect(result.removals).toEqual([{ kind: "poster", name: old.name }]);
  });

  it("keeps every version while the file's metadata is out of date: its job cleans up", () => {
    const a = source("a.mp4");
    const stale = { ...metaOf(a, OLD_SHA), size: 1 };
    const v = {
      kind: "poster" as const,
      name: "a.mp4.0123456789ab.jpg",
      source: "a.mp4",
      version: "0123456789ab",
    };
    expect(plan(listing({ sources: [a], metas: [stale], versioned: [v] }), context()).removals).toEqual([]);
  });

  it("removes temporary files of earlier runs and keeps this run's", () => {
    const result = plan(
      listing({
        temporaries: [
          { kind: "meta", name: ".a.mp4.json.bbbbbbbbbbbb-12345678.tmp", run: "bbbbbbbbbbbb" },
          { kind: "poster", name: ".a.mp4.x.jpg.aaaaaaaaaaaa-12345678.tmp", run: "aaaaaaaaaaaa" },
        ],
      }),
      context(),
    );
    expect(result.removals).toEqual([{ kind: "meta", name: ".a.mp4.json.bbbbbbbbbbbb-12345678.tmp" }]);
  });

  it("removes a reason file in .rejected once the rejected file is deleted", () => {
    const result = plan(listing({ rejected: ["a.mp4", "a.mp4.reason.txt", "b.mp4.reason.txt"] }), context());
    expect(result.removals).toEqual([{ kind: "rejected", name: "b.mp4.reason.txt" }]);
  });
});

describe("plan, in a location with hls", () => {
  const hls = context({ hls: true });
  const a = source("trips/a.mp4");
  const ladder = (over: Partial<LadderEntry> = {}): LadderEntry => ({
    rest: a.rest,
    current: "0123456789ab",
    hasMaster: true,
    versions: ["0123456789ab"],
    temporaries: [],
    ...over,
  });

  it("queues the ladder of a described video whose metadata lists none", () => {
    expect(plan(listing({ sources: [a], metas: [metaOf(a)] }), hls).ladderJobs).toEqual([a]);
    expect(plan(listing({ sources: [a], metas: [metaOf(a)], ladders: [ladder()] }), hls).ladderJobs).toEqual([
      a,
    ]);
  });

  it("queues the ladder of a video whose master points to an older version", () => {
    const described = { ...metaOf(a), hls: true };
    const old = ladder({ current: "ba9876543210", versions: ["ba9876543210"] });
    expect(plan(listing({ sources: [a], metas: [described], ladders: [old] }), hls).ladderJobs).toEqual([a]);
    expect(plan(listing({ sources: [a], metas: [described], ladders: [ladder()] }), hls).ladderJobs).toEqual(
      [],
    );
  });

  it("queues no ladder before the describe job, for images, without hls, or when queued or failed", () => {
    const png = source("b.png");
    const stale = { ...metaOf(a), size: 1 };
    expect(plan(listing({ sources: [a, png], metas: [stale, metaOf(png)] }), hls).ladderJobs).toEqual([]);
    expect(plan(listing({ sources: [a], metas: [metaOf(a)] }), context()).ladderJobs).toEqual([]);
    const skipped = context({ hls: true, skipLadder: () => true });
    expect(plan(listing({ sources: [a], metas: [metaOf(a)] }), skipped).ladderJobs).toEqual([]);
  });

  it("removes the whole ladder of a source that is gone, its master first", () => {
    const temporary = { name: ".0123456789ab.aaaaaaaaaaaa-12345678.tmp", run: "aaaaaaaaaaaa" };
    const result = plan(listing({ ladders: [ladder({ temporaries: [temporary] })] }), hls);
    expect(result.removals).toEqual([
      { kind: "hls", name: "trips/a.mp4/master.m3u8" },
      { kind: "hls", name: "trips/a.mp4/0123456789ab" },
    ]);
  });

  it("removes versions neither the master nor the current metadata names, and earlier runs' temporary folders", () => {
    const next = { ...metaOf(a, OLD_SHA), hls: false };
    const l = ladder({
      versions: ["0123456789ab", "ba9876543210", "ffffffffffff"],
      temporaries: [{ name: ".ba9876543210.bbbbbbbbbbbb-12345678.tmp", run: "bbbbbbbbbbbb" }],
    });
    expect(plan(listing({ sources: [a], metas: [next], ladders: [l] }), hls).removals).toEqual([
      { kind: "hls", name: "trips/a.mp4/ffffffffffff" },
      { kind: "hls", name: "trips/a.mp4/.ba9876543210.bbbbbbbbbbbb-12345678.tmp" },
    ]);
  });

  it("once the location's hls is turned off, describes the video again and removes its ladder", () => {
    const described = { ...metaOf(a), hls: true };
    const result = plan(listing({ sources: [a], metas: [described], ladders: [ladder()] }), context());
    // The describe job writes the metadata again with `hls: null`.
    expect(result.jobs).toEqual([a]);
    expect(result.ladderJobs).toEqual([]);
    expect(result.removals).toEqual([
      { kind: "hls", name: "trips/a.mp4/master.m3u8" },
      { kind: "hls", name: "trips/a.mp4/0123456789ab" },
    ]);
    expect(plan(listing({ sources: [a], metas: [described], ladders: [ladder()] }), hls).jobs).toEqual([]);
  });

  it("keeps every version while the file's metadata is out of date", () => {
    const stale = { ...metaOf(a), size: 1 };
    const l = ladder({ versions: ["0123456789ab", "ffffffffffff"] });
    expect(plan(listing({ sources: [a], metas: [stale], ladders: [l] }), hls).removals).toEqual([]);
  });
});

describe("jobKey", () => {
  it("is the same for the same path, size and whole-millisecond mtime", () => {
    expect(jobKey("videos/a.mp4", 10, 1000.4)).toBe(jobKey("videos/a.mp4", 10, 1000.9));
  });

  it("differs when the path, the size or the mtime differs", () => {
    const key = jobKey("videos/a.mp4", 10, 1000);
    expect(
      new Set([
        key,
        jobKey("videos/b.mp4", 10, 1000),
        jobKey("videos/a.mp4", 11, 1000),
        jobKey("videos/a.mp4", 10, 1001),
      ]).size,
    ).toBe(4);
  });
});

describe("derivedFiles", () => {
  const settings = {
    derivedRoot: "/derived",
    urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
  };
  const location = { path: "/videos/", directory: "media/videos", publish: "immediate" as const };

  it("names the files under derivedRoot/<kind>/<directory> and the URLs under the location's path", () => {
    const files = derivedFiles(settings, location, "trips/alps.mp4", "0123456789ab");
    expect(files.meta).toBe("/derived/meta/media/videos/trips/alps.mp4.json");
    expect(files.poster).toBe("/derived/poster/media/videos/trips/alps.mp4.0123456789ab.jpg");
    expect(files.vtt).toBe("/derived/preview/media/videos/trips/alps.mp4.0123456789ab.vtt");
    expect(files.urls.poster).toBe("/_poster/videos/trips/alps.mp4.0123456789ab.jpg");
    expect(files.urls.meta).toBe("/_meta/videos/trips/alps.mp4.json");
  });

  it("percent-encodes each segment of the file part of a URL", () => {
    const files = derivedFiles(settings, location, "été 2026/a#1?.mp4", "0123456789ab");
    expect(files.urls.sprite).toBe("/_preview/videos/%C3%A9t%C3%A9%202026/a%231%3F.mp4.0123456789ab.jpg");
  });

  it("reads a versioned name back to its source and version", () => {
    expect(parseVersioned("a.b.mp4.0123456789ab.vtt")).toEqual({
      source: "a.b.mp4",
      version: "0123456789ab",
    });
    expect(parseVersioned("a.mp4.jpg")).toBeNull();
  });
});
