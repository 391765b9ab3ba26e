/** The edge benchmark's summaries and printed tables. Pure. */
import { summarizeRuns, type Runs } from "./pipelineReport";
import { ratio, type Stat } from "./stats";

export const EDGE_VARIANTS = ["one_edge", "two_edges"] as const;
export type EdgeVariant = (typeof EDGE_VARIANTS)[number];
export const PHASES = ["warm_up", "warm", "expired"] as const;
export type Phase = (typeof PHASES)[number];
export const LATENCY_TARGETS = ["origin", "edge_hit", "edge_hit_test_host", "edge_miss"] as const;
export type LatencyTarget = (typeof LATENCY_TARGETS)[number];

export type PopularRuns = Record<EdgeVariant, Record<Phase, Runs>>;
export type LatencyRuns = Record<LatencyTarget, Runs>;

export interface PopularSummary {
  readonly one_edge: Record<Phase, Record<string, Stat>>;
  readonly two_edges: Record<Phase, Record<string, Stat>>;
  /** Ratios of the warm runs' medians. */
  readonly two_vs_one: Record<string, number | null>;
}

export interface LatencySummary {
  readonly origin: Record<string, Stat>;
  readonly edge_hit: Record<string, Stat>;
  readonly edge_hit_test_host: Record<string, Stat>;
  readonly edge_miss: Record<string, Stat>;
  /** Ratios of medians, each against the origin asked directly. */
  readonly vs_origin: Record<string, number | null>;
}

export function summarizePopular(runs: PopularRuns): PopularSummary {
  const summary = (v: EdgeVariant) =>
    Object.fromEntries(PHASES.map((p) => [p, summarizeRuns(runs[v][p])])) as Record<
      Phase,
      Record<string, Stat>
    >;
  const one = summary("one_edge");
  const two = summary("two_edges");
  const vs = (m: string) => ratio(two.warm[m].median, one.warm[m].median);
  return {
    one_edge: one,
    two_edges: two,
    two_vs_one: { mb_per_s: vs("mb_per_s"), edge_cpu_s_per_gb: vs("edge_cpu_s_per_gb") },
  };
}

export function summarizeLatency(runs: LatencyRuns): LatencySummary {
  const [origin, hit, hitTestHost, miss] = LATENCY_TARGETS.map((t) => summarizeRuns(runs[t]));
  const vs = (s: Record<string, Stat>, m: string) => ratio(s[m].median, origin[m].median);
  return {
    origin,
    edge_hit: hit,
    edge_hit_test_host: hitTestHost,
    edge_miss: miss,
    vs_origin: {
      edge_hit_p50: vs(hit, "latency_p50_ms"),
      edge_hit_p99: vs(hit, "latency_p99_ms"),
      edge_hit_test_host_p50: vs(hitTestHost, "latency_p50_ms"),
      edge_miss_p50: vs(miss, "latency_p50_ms"),
      edge_miss_p99: vs(miss, "latency_p99_ms"),
    },
  };
}

const shown = (s: Stat | undefined) => (s === undefined ? "" : `${s.median} (${s.min}–${s.max})`);

/** Rows as columns padded to their widest cell. */
export function table(rows: readonly string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (cell ?? "").padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Two tables: the popular file through one and two edges, and the small file's latency. */
export function formatEdge(file: {
  readonly popular: PopularSummary;
  readonly latency: LatencySummary;
}): string {
  const { one_edge: one, two_edges: two, two_vs_one: vs } = file.popular;
  const rows: string[][] = [["popular file", "unit", "one edge", "two edges", "two / one"]];
  const row = (label: string, unit: string, phase: Phase, metric: string, r?: number | null) =>
    rows.push([
      label,
      unit,
      shown(one[phase][metric]),
      shown(two[phase][metric]),
      r === undefined || r === null ? "" : String(r),
    ]);
  row("warm: aggregate throughput", "MB/s", "warm", "mb_per_s", vs.mb_per_s);
  row("warm: latency p50", "ms", "warm", "latency_p50_ms");
  row("warm: latency p99", "ms", "warm", "latency_p99_ms");
  row("warm: origin bytes per delivered byte", "B/B", "warm", "origin_bytes_per_delivered_byte");
  row("warm: share of HITs", "", "warm", "hit_share");
  row("warm: edge CPU per GB delivered", "s/GB", "warm", "edge_cpu_s_per_gb", vs.edge_cpu_s_per_gb);
  row("warm: core 0 (servers) busy", "share", "warm", "core0_busy");
  row("warm: core 1 (wrk) busy", "share", "warm", "core1_busy");
  row("warm: stolen by the hypervisor", "share", "warm", "steal");
  row("warm-up: aggregate throughput", "MB/s", "warm_up", "mb_per_s");
  row("warm-up: origin bytes per delivered byte", "B/B", "warm_up", "origin_bytes_per_delivered_byte");
  row("warm-up: origin bytes per file byte", "B/B", "warm_up", "origin_bytes_per_file_byte");
  row("warm-up: edge CPU per GB delivered", "s/GB", "warm_up", "edge_cpu_s_per_gb");
  row("warm-up: origin CPU per GB delivered", "s/GB", "warm_up", "origin_cpu_s_per_gb");
  row("expired: aggregate throughput", "MB/s", "expired", "mb_per_s");
  row("expired: origin requests", "count", "expired", "origin_requests");
  row("expired: … of them 304 Not Modified", "count", "expired", "origin_304s");
  row("expired: origin bytes per delivered byte", "B/B", "expired", "origin_bytes_per_delivered_byte");
  row("expired: share of HITs", "", "expired", "hit_share");
  row("warm-up: errors", "count", "warm_up", "errors");
  row("warm: errors", "count", "warm", "errors");
  row("expired: errors", "count", "expired", "errors");

  const l = file.latency;
  const lat: string[][] = [["small file", "p50 ms", "p99 ms", "req/s", "HIT share", "p50 / origin"]];
  const latRow = (label: string, s: Record<string, Stat>, r?: number | null) =>
    lat.push([
      label,
      shown(s.latency_p50_ms),
      shown(s.latency_p99_ms),
      shown(s.requests_per_s),
      shown(s.hit_share),
      r === undefined || r === null ? "" : String(r),
    ]);
  latRow("origin, asked directly (host)", l.origin);
  latRow("edge HIT (host)", l.edge_hit, l.vs_origin.edge_hit_p50);
  latRow("edge HIT (test host)", l.edge_hit_test_host, l.vs_origin.edge_hit_test_host_p50);
  latRow("edge MISS (host)", l.edge_miss, l.vs_origin.edge_miss_p50);
  return `${table(rows)}\n\n${table(lat)}`;
}
