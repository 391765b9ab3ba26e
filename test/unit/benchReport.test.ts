/** bench/report.ts: the shape of bench/results.json and the summary ratios. */
import { buildSummary, formatTable, result, resultsFileSchema, W, type Result } from "../../bench/report";

const r = (workload: string, variant: Result["variant"], metric: string, value: number): Result =>
  result(workload, variant, metric, "x", [value, value * 0.9, value * 1.1]);

const RESULTS: Result[] = [
  r(W.large1, "generated", "throughput", 1500),
  r(W.large1, "baseline", "throughput", 2000),
  r(W.large1, "loopback", "throughput", 3000),
  ...[100, 500, 1000].flatMap((c) => [
    r(W.stream(c), "generated", "requests_per_s", 200),
    r(W.stream(c), "baseline", "requests_per_s", c === 100 ? 100 : 400),
  ]),
  r(W.small, "generated", "requests_per_s", 900),
  r(W.small, "baseline", "requests_per_s", 1000),
  r(W.ftp1, "generated", "throughput", 1000),
  r(W.ftp1, "loopback", "throughput", 4000),
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
      http_large_vs_loopback: 0.5,
      http_large_vs_seed: 0.75,
      small_files_vs_seed: 0.9,
      ftp_upload_vs_loopback: 0.25,
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
      RESULTS.filter((x) => x.variant !== "loopback" && x.workload !== W.users(1000)),
      [100, 500, 1000],
    );
    expect(summary.http_large_vs_loopback).toBeNull();
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
});
