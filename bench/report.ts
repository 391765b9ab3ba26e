/**
 * bench/results.json: every figure as {workload, variant, metric, unit, median, min, max, n},
 * a summary of ratios of medians, and the machine it ran on. Pure: run.ts writes the file.
 * (Not named results.ts: `require("./results")` would load results.json, which Node tries first.)
 */
import { z } from "zod";
import { geometricMean, linearFit, ratio, round, summarize, type Stat } from "./stats";

/** generated: what the program renders; baseline: bench/baseline-nginx.conf; loopback: iperf3. */
export const VARIANTS = ["generated", "baseline", "loopback", "program"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface Result extends Stat {
  readonly workload: string;
  readonly variant: Variant;
  readonly metric: string;
  readonly unit: string;
}

export function result(
  workload: string,
  variant: Variant,
  metric: string,
  unit: string,
  samples: readonly number[],
): Result {
  const s = summarize(samples);
  const digits = Math.abs(s.median) >= 100 ? 0 : 3;
  return {
    workload,
    variant,
    metric,
    unit,
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    n: s.n,
  };
}

const finite = z.number().finite();
const resultSchema = z
  .object({
    workload: z.string().min(1),
    variant: z.enum(VARIANTS),
    metric: z.string().min(1),
    unit: z.string().min(1),
    median: finite,
    min: finite,
    max: finite,
    n: z.number().int().min(1),
  })
  .strict()
  .refine((r) => r.min <= r.median && r.median <= r.max, "min ≤ median ≤ max");

const ratioOrNull = finite.nullable();
export const summarySchema = z
  .object({
    http_large_vs_loopback: ratioOrNull,
    http_large_vs_seed: ratioOrNull,
    stream_vs_seed: ratioOrNull,
    small_files_vs_seed: ratioOrNull,
    ftp_upload_vs_loopback: ratioOrNull,
    synth_1000_users_s: ratioOrNull,
  })
  .catchall(ratioOrNull);
export type Summary = z.infer<typeof summarySchema>;

export const resultsFileSchema = z.object({
  generated_at: z.string(),
  profile: z.object({ name: z.enum(["full", "quick"]) }).passthrough(),
  machine: z.record(z.string(), z.unknown()),
  results: z.array(resultSchema).min(1),
  summary: summarySchema,
  notes: z.array(z.string()),
});
export type ResultsFile = z.infer<typeof resultsFileSchema>;

/** Workload names; the summary reads results by them. */
export const W = {
  large1: "large_file_1_stream",
  large8: "large_file_8_streams",
  stream: (c: number) => `streaming_c${c}`,
  small: "small_files",
  ftp1: "ftp_upload_1_stream",
  ftp10: "ftp_upload_10_concurrent",
  visible: "upload_to_visible",
  users: (n: number) => `program_users_${n}`,
  locations: (n: number) => `program_locations_${n}`,
  hash: "first_deploy_hash_per_user",
} as const;

function find(
  results: readonly Result[],
  workload: string,
  variant: Variant,
  metric: string,
): number | undefined {
  return results.find((r) => r.workload === workload && r.variant === variant && r.metric === metric)?.median;
}

function ratioOf(
  results: readonly Result[],
  workload: string,
  metric: string,
  a: Variant,
  b: Variant,
): number | null {
  const x = find(results, workload, a, metric);
  const y = find(results, workload, b, metric);
  return x === undefined || y === undefined ? null : ratio(x, y);
}

/** Program runs by the count in their workload name, e.g. program_users_100 → 100. */
function series(results: readonly Result[], prefix: string): { counts: number[]; seconds: number[] } {
  const rows = results
    .filter((r) => r.workload.startsWith(prefix) && r.metric === "time")
    .map((r) => ({ count: Number(r.workload.slice(prefix.length)), seconds: r.median }))
    .sort((a, b) => a.count - b.count);
  return { counts: rows.map((r) => r.count), seconds: rows.map((r) => r.seconds) };
}

/**
 * The ratios of medians, plus per-case detail. stream_vs_seed is the geometric mean of
 * the per-concurrency ratios. synth_1000_users_s is measured when the run had 1000 users (full),
 * otherwise the linear fit's value at 1000 (quick; see notes).
 */
export function buildSummary(results: readonly Result[], concurrencies: readonly number[]): Summary {
  const streams = Object.fromEntries(
    concurrencies.map((c) => [
      `stream_vs_seed_c${c}`,
      ratioOf(results, W.stream(c), "requests_per_s", "generated", "baseline"),
    ]),
  );
  const streamRatios = Object.values(streams).filter((v): v is number => v !== null);
  const users = series(results, "program_users_");
  const locations = series(results, "program_locations_");
  const usersFit = users.counts.length >= 2 ? linearFit(users.counts, users.seconds) : undefined;
  const locationsFit =
    locations.counts.length >= 2 ? linearFit(locations.counts, locations.seconds) : undefined;
  const measured1000 = find(results, W.users(1000), "program", "time");
  const fitted1000 = usersFit ? round(usersFit.intercept + 1000 * usersFit.slope, 1) : null;
  return {
    http_large_vs_loopback: ratioOf(results, W.large1, "throughput", "generated", "loopback"),
    http_large_vs_seed: ratioOf(results, W.large1, "throughput", "generated", "baseline"),
    stream_vs_seed: streamRatios.length === concurrencies.length ? geometricMean(streamRatios) : null,
    small_files_vs_seed: ratioOf(results, W.small, "requests_per_s", "generated", "baseline"),
    ftp_upload_vs_loopback: ratioOf(results, W.ftp1, "throughput", "generated", "loopback"),
    synth_1000_users_s: measured1000 ?? fitted1000,
    http_large_8_streams_vs_loopback: ratioOf(results, W.large8, "throughput", "generated", "loopback"),
    http_large_8_streams_vs_seed: ratioOf(results, W.large8, "throughput", "generated", "baseline"),
    ...streams,
    ftp_upload_10_concurrent_vs_loopback: ratioOf(results, W.ftp10, "throughput", "generated", "loopback"),
    upload_visible_ms: find(results, W.visible, "generated", "latency") ?? null,
    synth_ms_per_user: usersFit ? round(usersFit.slope * 1000, 1) : null,
    synth_users_r2: usersFit ? round(usersFit.r2, 4) : null,
    synth_ms_per_location: locationsFit ? round(locationsFit.slope * 1000, 2) : null,
    synth_locations_r2: locationsFit ? round(locationsFit.r2, 4) : null,
    first_deploy_hash_ms_per_user: find(results, W.hash, "program", "time_per_user") ?? null,
  };
}

/** A fixed-width table, one line per figure. */
export function formatTable(results: readonly Result[]): string {
  const header = ["workload", "variant", "metric", "unit", "median", "min", "max", "n"];
  const rows = results.map((r) => [
    r.workload,
    r.variant,
    r.metric,
    r.unit,
    String(r.median),
    String(r.min),
    String(r.max),
    String(r.n),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i >= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatSummary(summary: Summary): string {
  return Object.entries(summary)
    .map(([k, v]) => `${k.padEnd(40)} ${v === null ? "n/a" : v}`)
    .join("\n");
}
