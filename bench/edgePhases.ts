/**
 * The edge benchmark's phases (bench/edge.ts runs them): the popular file warming up and warm,
 * the small file's latency, the popular names again once expired, and the MISS runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeFile } from "./media";
import { rounded } from "./pipelineReport";
import {
  EDGE_VARIANTS,
  LATENCY_TARGETS,
  type EdgeVariant,
  type LatencyRuns,
  type LatencyTarget,
  type PopularRuns,
} from "./edgeReport";
import {
  latency,
  pinServers,
  popular,
  type Bench,
  type LatencyShape,
  type PopularShape,
  type Servers,
} from "./edgeWorkloads";
import type { TestHost } from "../test/support/testHost";

export const SMALL_BYTES = 50_000;

export interface Profile {
  readonly name: "full" | "quick";
  readonly runs: number;
  readonly popular: PopularShape;
  readonly latency: LatencyShape;
  /** Names (links to the small file) per MISS run: more than such a run asks for. */
  readonly missCount: number;
}

/** Fetches the URL twice from the test host; the second answer must be the edge's HIT. */
async function warmSmallFile(host: TestHost, url: string): Promise<void> {
  const curl = ["curl", "-s", "-o", "/dev/null", "-D", "-", url];
  for (let i = 0; i < 2; i++) {
    const r = await host.run(curl, 10_000);
    if (i === 1 && !/^x-cache-status: HIT\r?$/im.test(r.stdout))
      throw new Error(`${url} from the test host: no HIT after one fetch\n${r.stdout}${r.stderr}`);
  }
}

/**
 * `count` names for the bytes of `file`, <dir>/00000.jpg …, that the edge has never cached: hard
 * links to a copy of it in `dir` (ext4 allows 65,000 links to one file).
 */
function linkNames(file: string, dir: string, count: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const copy = path.join(dir, "source.jpg");
  fs.copyFileSync(file, copy);
  for (let i = 0; i < count; i++) fs.linkSync(copy, path.join(dir, `${String(i).padStart(5, "0")}.jpg`));
}

/** nginx keeps a copy valid for whole seconds: past them by this much. */
const EXPIRY_MARGIN_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const EDGES_OF: Record<EdgeVariant, readonly number[]> = { one_edge: [0], two_edges: [0, 1] };

/** One name the popular runs used, and when its warm run ended. */
interface Used {
  readonly variant: EdgeVariant;
  readonly urlPath: string;
  readonly run: number;
  readonly at: number;
}

type Run = (
  variant: EdgeVariant,
  urlPath: string,
) => Promise<{ figures: Record<string, number>; at: number }>;

/** Warm-up and warm runs of the popular file, each pair on a name of its own. */
async function popularPhase(bench: Bench, profile: Profile, source: string, once: Run, runs: PopularRuns) {
  const used: Used[] = [];
  for (let r = 0; r < profile.runs; r++) {
    const order = r % 2 === 0 ? EDGE_VARIANTS : [...EDGE_VARIANTS].reverse();
    for (const variant of order) {
      // A name no edge has seen, for the same bytes (in the page cache): a cold cache each time.
      const name = `popular-${r + 1}-${variant}.mp4`;
      fs.linkSync(source, path.join(path.dirname(source), name));
      const urlPath = `/videos/${name}`;
      const warmUp = await once(variant, urlPath);
      const warm = await once(variant, urlPath);
      runs[variant].warm_up.push(rounded(warmUp.figures));
      runs[variant].warm.push(rounded(warm.figures));
      used.push({ variant, urlPath, run: r, at: warm.at });
      bench.log(
        `popular: run ${r + 1}/${profile.runs} ${variant}: warm-up ${warmUp.figures.mb_per_s.toFixed(0)} MB/s, ` +
          `origin ${warmUp.figures.origin_bytes_per_file_byte.toFixed(2)} × the file; warm ${warm.figures.mb_per_s.toFixed(0)} MB/s, ` +
          `origin ${warm.figures.origin_bytes_per_delivered_byte.toExponential(1)} B per B delivered`,
      );
    }
  }
  return used;
}

/**
 * Once every slice of a name is past edge.cacheSeconds, one more run on it: each slice is
 * revalidated with the origin, once per edge (304s, no body).
 */
async function expiredPhase(
  bench: Bench,
  profile: Profile,
  used: readonly Used[],
  once: Run,
  runs: PopularRuns,
) {
  const validMs = (bench.stack.spec.edge?.cacheSeconds ?? 60) * 1000 + EXPIRY_MARGIN_MS;
  for (const u of used) {
    const wait = u.at + validMs - Date.now();
    if (wait > 0) {
      bench.log(`expired: waiting ${(wait / 1000).toFixed(0)} s for ${u.urlPath} to expire`);
      await sleep(wait);
    }
    const { figures } = await once(u.variant, u.urlPath);
    runs[u.variant].expired.push(rounded(figures));
    bench.log(
      `expired: run ${u.run + 1}/${profile.runs} ${u.variant}: ${figures.mb_per_s.toFixed(0)} MB/s, ` +
        `origin ${figures.origin_requests} requests (${figures.origin_304s} 304s), ` +
        `${figures.origin_bytes_per_delivered_byte.toExponential(1)} B per B delivered`,
    );
  }
}

/** Latency runs of `targets`, their order rotating run by run. */
async function latencyPhase(
  bench: Bench,
  servers: Servers,
  profile: Profile,
  targets: readonly LatencyTarget[],
  small: string,
  runs: LatencyRuns,
) {
  for (let r = 0; r < profile.runs; r++) {
    const order = targets.map((_, k) => targets[(k + r) % targets.length]);
    const missDir = `miss-${r + 1}`;
    if (targets.includes("edge_miss"))
      linkNames(small, path.join(path.dirname(small), missDir), profile.missCount);
    for (const target of order) {
      const urls = {
        small: "/images/small.jpg",
        missPrefix: `/images/${missDir}/`,
        missCount: profile.missCount,
      };
      const figures = await latency(bench, servers, target, urls, profile.latency);
      runs[target].push(rounded(figures));
      bench.log(
        `latency: run ${r + 1}/${profile.runs} ${target}: p50 ${figures.latency_p50_ms.toFixed(3)} ms, p99 ${figures.latency_p99_ms.toFixed(3)} ms`,
      );
    }
  }
}

/**
 * In this order: the popular file's warm-up and warm runs; the small file's latency (origin and
 * HITs); the popular names again once expired; the MISS runs last. Tens of thousands of new
 * small files fill the edge's keys zone, which then drops the least recently used entries, the
 * popular slices among them (bench/README.md): they must not come before the expired runs.
 */
export async function measureAll(bench: Bench, profile: Profile) {
  const { stack } = bench;
  const servers = pinServers(stack);
  const media = stack.dirs.media;
  const source = path.join(media, "videos", "popular.mp4");
  makeFile(source, profile.popular.fileBytes);
  const small = path.join(media, "images", "small.jpg");
  makeFile(small, SMALL_BYTES);
  await warmSmallFile(
    bench.host,
    `http://${stack.edges[0].address}:${stack.edges[0].httpPort}/images/small.jpg`,
  );
  const popularRuns: PopularRuns = {
    one_edge: { warm_up: [], warm: [], expired: [] },
    two_edges: { warm_up: [], warm: [], expired: [] },
  };
  const once: Run = async (variant, urlPath) => {
    const figures = await popular(bench, servers, EDGES_OF[variant], urlPath, profile.popular);
    return { figures, at: Date.now() };
  };
  const latencyRuns: LatencyRuns = { origin: [], edge_hit: [], edge_hit_test_host: [], edge_miss: [] };
  const used = await popularPhase(bench, profile, source, once, popularRuns);
  const hits = LATENCY_TARGETS.filter((t) => t !== "edge_miss");
  await latencyPhase(bench, servers, profile, hits, small, latencyRuns);
  await expiredPhase(bench, profile, used, once, popularRuns);
  await latencyPhase(bench, servers, profile, ["edge_miss"], small, latencyRuns);
  return { popularRuns, latencyRuns };
}
