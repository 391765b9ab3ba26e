/**
 * bench/results.json: every figure as {workload, variant, metric, unit, median, min, max, n},
 * a summary of ratios of medians, a verdict per goal of issue #17 (with the tie rule), and the
 * machine it ran on. Pure: run.ts writes the file.
 * (Not named results.ts: `require("./results")` would load results.json, which Node tries first.)
 */
import { z } from "zod";
import { geometricMean, linearFit, overlaps, ratio, round, summarize, type Stat } from "./stats";

/**
 * generated: what the program renders, as host processes; seed, caddy, ceiling: bench/peers.ts;
 * container_*: the realized containers by three paths (workloads/deployed.ts); program: the
 * program itself under mocks.
 */
export const VARIANTS = [
  "generated",
  "seed",
  "caddy",
  "ceiling",
  "container_nat",
  "container_proxy",
  "container_direct",
  "program",
] as const;
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
    http_large_vs_seed: ratioOrNull,
    http_large_vs_caddy: ratioOrNull,
    http_large_vs_ceiling: ratioOrNull,
    stream_vs_seed: ratioOrNull,
    small_files_vs_seed: ratioOrNull,
    synth_1000_users_s: ratioOrNull,
  })
  .catchall(ratioOrNull);
export type Summary = z.infer<typeof summarySchema>;

export const VERDICTS = ["met", "tie", "missed", "not measured"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const goalSchema = z
  .object({
    goal: z.string().min(1),
    /** The ratio of medians (ours ÷ theirs) or the measured median, in the goal's unit. */
    value: finite.nullable(),
    /** The bar: the ratio ours ÷ theirs must clear, or the limit an absolute figure must stay under. */
    bar: finite,
    verdict: z.enum(VERDICTS),
  })
  .strict();
export type Goal = z.infer<typeof goalSchema>;

export const resultsFileSchema = z.object({
  generated_at: z.string(),
  profile: z.object({ name: z.enum(["full", "quick"]) }).passthrough(),
  machine: z.record(z.string(), z.unknown()),
  results: z.array(resultSchema).min(1),
  summary: summarySchema,
  goals: z.array(goalSchema),
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
  /** The deployed-path form of a workload: `deployed_<workload>`. */
  deployed: (workload: string) => `deployed_${workload}`,
  visible: "upload_to_visible",
  users: (n: number) => `program_users_${n}`,
  locations: (n: number) => `program_locations_${n}`,
  hash: "first_deploy_hash_per_user",
} as const;

function findStat(
  results: readonly Result[],
  workload: string,
  variant: Variant,
  metric: string,
): Result | undefined {
  return results.find((r) => r.workload === workload && r.variant === variant && r.metric === metric);
}

function find(
  results: readonly Result[],
  workload: string,
  variant: Variant,
  metric: string,
): number | undefined {
  return findStat(results, workload, variant, metric)?.median;
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
 * The ratios of medians bench/README.md names, generated ÷ the other variant unless the key says
 * otherwise. stream_vs_seed is the geometric mean of the per-concurrency ratios.
 * synth_1000_users_s is measured when the run had 1000 users (full), otherwise the linear fit's
 * value at 1000 (quick; see notes).
 */
export function buildSummary(
  results: readonly Result[],
  concurrencies: readonly number[],
  deployedConcurrency?: number,
): Summary {
  const vs = (workload: string, metric: string, other: Variant) =>
    ratioOf(results, workload, metric, "generated", other);
  const streams: Record<string, number | null> = Object.fromEntries(
    concurrencies.flatMap((c) => [
      [`stream_vs_seed_c${c}`, vs(W.stream(c), "requests_per_s", "seed")],
      [`stream_vs_caddy_c${c}`, vs(W.stream(c), "requests_per_s", "caddy")],
      [`stream_p99_vs_seed_c${c}`, vs(W.stream(c), "latency_p99", "seed")],
      [`stream_cpu_vs_seed_c${c}`, vs(W.stream(c), "cpu_s_per_gb", "seed")],
    ]),
  );
  const streamRatios = concurrencies
    .map((c) => streams[`stream_vs_seed_c${c}`])
    .filter((v): v is number => v !== null);
  const deployed = (workload: string, metric: string): Record<string, number | null> =>
    Object.fromEntries(
      (["container_nat", "container_proxy", "container_direct"] as const).map((v) => [
        `${workload}_${v}_vs_host`,
        ratioOf(results, workload, metric, v, "generated"),
      ]),
    );
  const users = series(results, "program_users_");
  const locations = series(results, "program_locations_");
  const usersFit = users.counts.length >= 2 ? linearFit(users.counts, users.seconds) : undefined;
  const locationsFit =
    locations.counts.length >= 2 ? linearFit(locations.counts, locations.seconds) : undefined;
  const measured1000 = find(results, W.users(1000), "program", "time");
  const fitted1000 = usersFit ? round(usersFit.intercept + 1000 * usersFit.slope, 1) : null;
  return {
    http_large_vs_seed: vs(W.large1, "throughput", "seed"),
    http_large_vs_caddy: vs(W.large1, "throughput", "caddy"),
    http_large_vs_ceiling: vs(W.large1, "throughput", "ceiling"),
    http_large_cpu_vs_seed: vs(W.large1, "cpu_s_per_gb", "seed"),
    http_large_8_streams_vs_seed: vs(W.large8, "throughput", "seed"),
    http_large_8_streams_vs_caddy: vs(W.large8, "throughput", "caddy"),
    http_large_8_streams_vs_ceiling: vs(W.large8, "throughput", "ceiling"),
    http_large_8_streams_cpu_vs_seed: vs(W.large8, "cpu_s_per_gb", "seed"),
    stream_vs_seed: streamRatios.length === concurrencies.length ? geometricMean(streamRatios) : null,
    ...streams,
    small_files_vs_seed: vs(W.small, "requests_per_s", "seed"),
    small_files_vs_caddy: vs(W.small, "requests_per_s", "caddy"),
    small_files_cpu_vs_seed: vs(W.small, "cpu_s_per_gb", "seed"),
    small_files_cpu_per_request_vs_seed: vs(W.small, "cpu_s_per_1000_requests", "seed"),
    ftp_upload_mb_per_s: find(results, W.ftp1, "generated", "throughput") ?? null,
    ftp_upload_cpu_s_per_gb: find(results, W.ftp1, "generated", "cpu_s_per_gb") ?? null,
    upload_visible_ms: find(results, W.visible, "generated", "latency") ?? null,
    ...deployed(W.deployed(W.large1), "throughput"),
    ...(deployedConcurrency === undefined
      ? {}
      : deployed(W.deployed(W.stream(deployedConcurrency)), "requests_per_s")),
    ...deployed(W.deployed(W.small), "requests_per_s"),
    synth_1000_users_s: measured1000 ?? fitted1000,
    synth_ms_per_user: usersFit ? round(usersFit.slope * 1000, 1) : null,
    synth_users_r2: usersFit ? round(usersFit.r2, 4) : null,
    synth_ms_per_location: locationsFit ? round(locationsFit.slope * 1000, 2) : null,
    synth_locations_r2: locationsFit ? round(locationsFit.r2, 4) : null,
    first_deploy_hash_ms_per_user: find(results, W.hash, "program", "time_per_user") ?? null,
  };
}

/** A figure with its median, min and max multiplied by `k`: the other side of a bar. */
const scaled = (s: Stat, k: number): Stat => ({
  median: s.median * k,
  min: s.min * k,
  max: s.max * k,
  n: s.n,
});

/**
 * Ours against theirs × bar. With the tie rule: when either figure's min–max holds the other's
 * median, the difference is within the noise and the verdict is a tie, not a win or a loss.
 */
export function relativeVerdict(ours: Stat, theirs: Stat, bar: number, higherIsBetter: boolean): Verdict {
  const other = scaled(theirs, bar);
  if (overlaps(ours, other)) return "tie";
  const better = higherIsBetter ? ours.median > other.median : ours.median < other.median;
  return better ? "met" : "missed";
}

interface RelativeGoal {
  readonly goal: string;
  readonly workload: string;
  readonly metric: string;
  readonly other: Variant;
  readonly bar: number;
  readonly higherIsBetter: boolean;
}

/** The goals of issue #17 this bench measures, each from this run's figures. */
export function buildGoals(results: readonly Result[], concurrencies: readonly number[]): Goal[] {
  const relative: RelativeGoal[] = [
    ...[W.large1, W.large8].flatMap((w) => {
      const streams = w === W.large1 ? "1 stream" : "8 streams";
      return [
        {
          goal: `large file, ${streams}: ≥ 1.15× the seed`,
          workload: w,
          metric: "throughput",
          other: "seed",
          bar: 1.15,
          higherIsBetter: true,
        },
        {
          goal: `large file, ${streams}: ≥ Caddy`,
          workload: w,
          metric: "throughput",
          other: "caddy",
          bar: 1,
          higherIsBetter: true,
        },
        {
          goal: `large file, ${streams}: ≥ 0.9× the ceiling`,
          workload: w,
          metric: "throughput",
          other: "ceiling",
          bar: 0.9,
          higherIsBetter: true,
        },
      ] as const;
    }),
    ...concurrencies.flatMap((c) => [
      {
        goal: `streaming, ${c} connections: ≥ the seed's req/s`,
        workload: W.stream(c),
        metric: "requests_per_s",
        other: "seed",
        bar: 1,
        higherIsBetter: true,
      } as const,
      {
        goal: `streaming, ${c} connections: p99 ≤ the seed's`,
        workload: W.stream(c),
        metric: "latency_p99",
        other: "seed",
        bar: 1,
        higherIsBetter: false,
      } as const,
    ]),
    {
      goal: "small files: ≥ 1.1× the seed",
      workload: W.small,
      metric: "requests_per_s",
      other: "seed",
      bar: 1.1,
      higherIsBetter: true,
    },
    ...[W.large1, W.large8, ...concurrencies.map(W.stream), W.small].map(
      (w) =>
        ({
          goal: `CPU per GB ≤ the seed's: ${w}`,
          workload: w,
          metric: "cpu_s_per_gb",
          other: "seed",
          bar: 1,
          higherIsBetter: false,
        }) as const,
    ),
  ];
  const goals: Goal[] = relative.map((g) => {
    const ours = findStat(results, g.workload, "generated", g.metric);
    const theirs = findStat(results, g.workload, g.other, g.metric);
    if (!ours || !theirs) return { goal: g.goal, value: null, bar: g.bar, verdict: "not measured" };
    return {
      goal: g.goal,
      value: ratio(ours.median, theirs.median),
      bar: g.bar,
      verdict: relativeVerdict(ours, theirs, g.bar, g.higherIsBetter),
    };
  });
  const absolute = (goal: string, stat: Result | undefined, limit: number): Goal => ({
    goal,
    value: stat?.median ?? null,
    bar: limit,
    verdict: stat === undefined ? "not measured" : stat.median < limit ? "met" : "missed",
  });
  goals.push(
    absolute(
      "upload → first HTTP 200 (immediate): < 5 ms",
      findStat(results, W.visible, "generated", "latency"),
      5,
    ),
  );
  goals.push(
    absolute(
      "program, 1000 users under mocks: < 3 s",
      findStat(results, W.users(1000), "program", "time"),
      3,
    ),
  );
  return goals;
}

export function formatGoals(goals: readonly Goal[]): string {
  const width = Math.max(...goals.map((g) => g.goal.length));
  return goals
    .map(
      (g) =>
        `${g.goal.padEnd(width)}  ${g.value === null ? "n/a" : String(g.value).padStart(8)}  bar ${g.bar}  ${g.verdict}`,
    )
    .join("\n");
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
