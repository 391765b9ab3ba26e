/** bench/report.ts: the shape of bench/results.json and the summary ratios. */
import {
  buildGoals,
  buildSummary,
  formatTable,
  relativeVerdict,
  result,
  resultsFileSchema,
  W,
  type Result,
} from "../../bench/report";

const r = (workload: string, variant: Result["variant"], metric: string, value: number): Result =>
  result(workload, variant, metric, "x", [value, value * 0.9, value * 1.1]);

const RESULTS: Result[] = [
  r(W.large1, "generated", "throughput", 1500),
  r(W.large1, "seed", "throughput", 2000),
  r(W.large1, "caddy", "throughput", 1000),
  r(W.large1, "ceiling", "throughput", 3000),
  ...[100, 500, 1000].flatMap((c) => [
    r(W.stream(c), "generated", "requests_per_s", 200),
    r(W.stream(c), "seed", "requests_per_s", c === 100 ? 100 : 400),
  ]),
  r(W.small, "generated", "requests_per_s", 900),
  r(W.small, "seed", "requests_per_s", 1000),
  r(W.ftp1, "generated", "throughput", 1000),
  r(W.deployed(W.large1), "generated", "throughput", 2000),
  r(W.deployed(W.large1), "container_proxy", "throughput", 1000),
  ...[1, 100, 1000].map((n) => r(W.users(n), "program", "time", 0.5 + n * 0.09)),
];

describe("bench results", () => {
  it("records median, min and max of the runs", () => {
    expect(result("w", "generated", "throughput", "MB/s", [3, 1, 2])).toEqual({
      workload: "w",
      variant: "generated",
      metric: "throughput",
      unit: "MB/s",
      median: 2,
      min: 1,
      max: 3,
      n: 3,
    });
  });

  it("summarizes with the ratios of medians the issue names", () => {
    const summary = buildSummary(RESULTS, [100, 500, 1000]);
    expect(summary).toMatchObject({
      http_large_vs_seed: 0.75,
      http_large_vs_caddy: 1.5,
      http_large_vs_ceiling: 0.5,
      small_files_vs_seed: 0.9,
      ftp_upload_mb_per_s: 1000,
      deployed_large_file_1_stream_container_proxy_vs_host: 0.5,
      synth_1000_users_s: 90.5,
      stream_vs_seed_c100: 2,
      stream_vs_seed_c500: 0.5,
      stream_vs_seed_c1000: 0.5,
    });
    // The geometric mean of 2, 0.5 and 0.5.
    expect(summary.stream_vs_seed).toBe(0.794);
  });

  it("leaves a ratio empty when a figure is missing, and fits 1000 users when they were not run", () => {
    const summary = buildSummary(
      RESULTS.filter((x) => x.variant !== "ceiling" && x.workload !== W.users(1000)),
      [100, 500, 1000],
    );
    expect(summary.http_large_vs_ceiling).toBeNull();
    // 0.5 s + 0.09 s per user, fitted to the runs with 1 and 100 users.
    expect(summary.synth_1000_users_s).toBe(90.5);
  });

  it("accepts a results file of that shape and rejects a figure whose median is outside min..max", () => {
    const file = {
      generated_at: "t",
      profile: { name: "quick" },
      machine: {},
      results: RESULTS,
      summary: buildSummary(RESULTS, [100, 500, 1000]),
      goals: buildGoals(RESULTS, [100, 500, 1000]),
      notes: [],
    };
    expect(resultsFileSchema.safeParse(file).success).toBe(true);
    const bad = { ...file, results: [{ ...RESULTS[0], min: RESULTS[0].median + 1 }] };
    expect(resultsFileSchema.safeParse(bad).success).toBe(false);
    const missing: Record<string, unknown> = { ...file.summary };
    delete missing.stream_vs_seed;
    expect(resultsFileSchema.safeParse({ ...file, summary: missing }).success).toBe(false);
  });

  it("prints one aligned row per figure under a header", () => {
    const lines = formatTable(RESULTS.slice(0, 2)).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^workload\s+variant\s+metric\s+unit\s+median\s+min\s+max\s+n$/);
    expect(lines[2]).toMatch(/^large_file_1_stream\s+generated\s+throughput\s+x\s+1500\s+1350\s+1650\s+3$/);
  });

  it("calls a difference within either figure's spread a tie, and scales the other side by the bar", () => {
    const stat = (median: number, min: number, max: number) => ({ median, min, max, n: 7 });
    // 1.2 against 1.0: a win at a bar of 1, but with the bar at 1.15 the spreads meet.
    expect(relativeVerdict(stat(120, 118, 122), stat(100, 98, 102), 1, true)).toBe("met");
    expect(relativeVerdict(stat(120, 110, 122), stat(100, 98, 102), 1.15, true)).toBe("tie");
    expect(relativeVerdict(stat(110, 108, 112), stat(100, 98, 102), 1.15, true)).toBe("missed");
    // Lower is better (CPU, p99): the smaller median wins once the spreads are apart.
    expect(relativeVerdict(stat(0.2, 0.19, 0.21), stat(0.3, 0.28, 0.32), 1, false)).toBe("met");
    expect(relativeVerdict(stat(0.2, 0.19, 0.31), stat(0.3, 0.28, 0.32), 1, false)).toBe("tie");
    expect(relativeVerdict(stat(0.4, 0.38, 0.42), stat(0.3, 0.28, 0.32), 1, false)).toBe("missed");
  });

  it("gives every goal of the run a verdict, and 'not measured' where a figure is missing", () => {
    const goals = buildGoals(RESULTS, [100, 500, 1000]);
    const byGoal = Object.fromEntries(goals.map((g) => [g.goal, g]));
    // 1500 (1350–1650) against Caddy's 1000 (900–1100): met; against 1.15 × 2000: missed.
    expect(byGoal["large file, 1 stream: ≥ Caddy"]).toMatchObject({ value: 1.5, verdict: "met" });
    expect(byGoal["large file, 1 stream: ≥ 1.15× the seed"]).toMatchObject({
      value: 0.75,
      verdict: "missed",
    });
    expect(byGoal["streaming, 100 connections: ≥ the seed's req/s"]).toMatchObject({
      value: 2,
      verdict: "met",
    });
    expect(byGoal["large file, 8 streams: ≥ Caddy"].verdict).toBe("not measured");
    expect(byGoal["program, 1000 users under mocks: < 3 s"]).toMatchObject({
      value: 90.5,
      verdict: "missed",
    });
    expect(byGoal["upload → first HTTP 200 (immediate): < 5 ms"].verdict).toBe("not measured");
  });
});
