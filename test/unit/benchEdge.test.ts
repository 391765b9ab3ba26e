/** bench/edgeLogs.ts and bench/edgeReport.ts: what the edge benchmark reads and how it sums it up. */
import {
  cacheShare,
  coreShares,
  parseEdgeLog,
  parseProcStat,
  secondsPerGb,
  tallyEdgeLog,
} from "../../bench/edgeLogs";
import { formatEdge, summarizeLatency, summarizePopular, type PopularRuns } from "../../bench/edgeReport";

const EDGE_LOG = [
  '10.201.7.2 - - [01/Dec/2026:16:20:01 +0000] "GET /videos/popular-1-one_edge.mp4 HTTP/1.1" 206 1048576 "-" "-" MISS',
  '10.201.7.2 - - [01/Dec/2026:16:20:01 +0000] "GET /videos/popular-1-one_edge.mp4 HTTP/1.1" 206 1048576 "-" "curl/7.88.1" HIT',
  '10.201.7.2 - viewer [01/Dec/2026:16:20:02 +0000] "GET /images/a\\x22b.jpg HTTP/1.1" 200 50000 "https://x.example/" "Mozilla/5.0 (X11; Linux)" HIT',
  '10.201.7.2 - - [01/Dec/2026:16:20:02 +0000] "GET /nothing HTTP/1.1" 404 153 "-" "-" -',
  "",
].join("\n");

describe("the edges' access log", () => {
  it("reads status, body bytes and cache status from each vs_edge line", () => {
    expect(parseEdgeLog(EDGE_LOG)).toEqual([
      { status: 206, bytes: 1048576, cacheStatus: "MISS" },
      { status: 206, bytes: 1048576, cacheStatus: "HIT" },
      { status: 200, bytes: 50000, cacheStatus: "HIT" },
      { status: 404, bytes: 153, cacheStatus: "-" },
    ]);
  });

  it("refuses a line in another format", () => {
    expect(() => parseEdgeLog('127.0.0.1 - - [x] "GET / HTTP/1.1" 200 5 "-" "-"\n')).toThrow(
      "not an edge log line",
    );
  });

  it("adds up requests, bytes, failures and requests per cache status", () => {
    const tally = tallyEdgeLog(parseEdgeLog(EDGE_LOG));
    expect(tally).toEqual({
      requests: 4,
      bytes: 2 * 1048576 + 50000 + 153,
      failed: 1,
      cache: { "-": 1, HIT: 2, MISS: 1 },
    });
    expect([cacheShare(tally, "HIT"), cacheShare(tally, "STALE")]).toEqual([0.5, 0]);
    expect(cacheShare(tallyEdgeLog([]), "HIT")).toBe(0);
  });
});

describe("/proc/stat", () => {
  const stat = (user0: number, idle0: number, steal1: number) =>
    [
      "cpu  300 0 100 900 0 0 0 0 0 0",
      `cpu0 ${user0} 0 50 ${idle0} 10 5 5 0 0 0`,
      `cpu1 100 10 40 500 0 0 0 ${steal1} 0 0`,
      "intr 12345",
    ].join("\n");

  it("reads each core's busy, stolen and total ticks, without the total line", () => {
    expect(parseProcStat(stat(200, 400, 20))).toEqual([
      { busy: 260, steal: 0, total: 670 },
      { busy: 150, steal: 20, total: 670 },
    ]);
  });

  it("gives each core's busy and stolen share of an interval", () => {
    const shares = coreShares(parseProcStat(stat(200, 400, 20)), parseProcStat(stat(275, 425, 120)));
    expect(shares).toEqual([
      { busy: 0.75, steal: 0 },
      { busy: 0, steal: 1 },
    ]);
  });
});

describe("CPU per GB", () => {
  it("is CPU seconds per 10^9 bytes, 0 when nothing moved", () => {
    expect([secondsPerGb(0.5, 2e9), secondsPerGb(1, 0)]).toEqual([0.25, 0]);
  });
});

describe("the edge benchmark's summary", () => {
  const runs = (mb: number[], cpu: number) =>
    mb.map((mb_per_s) => ({ mb_per_s, edge_cpu_s_per_gb: cpu, origin_bytes_per_delivered_byte: 0 }));
  const popularRuns: PopularRuns = {
    one_edge: { warm_up: runs([900], 0.4), warm: runs([2000, 2400, 2200], 0.2), expired: runs([2100], 0.2) },
    two_edges: {
      warm_up: runs([800], 0.5),
      warm: runs([1800, 1700, 1900], 0.25),
      expired: runs([1700], 0.3),
    },
  };
  const latency = (p50: number, p99: number) => [
    { latency_p50_ms: p50, latency_p99_ms: p99, requests_per_s: 1 },
  ];
  const latencyRuns = {
    origin: latency(0.04, 1),
    edge_hit: latency(0.05, 2),
    edge_hit_test_host: latency(0.06, 2),
    edge_miss: latency(0.6, 5),
  };

  it("compares two edges with one by the warm runs' medians", () => {
    const s = summarizePopular(popularRuns);
    expect(s.one_edge.warm.mb_per_s).toEqual({ median: 2200, min: 2000, max: 2400, n: 3 });
    expect(s.two_vs_one).toEqual({ mb_per_s: 0.818, edge_cpu_s_per_gb: 1.25 });
  });

  it("compares each edge latency with the origin's", () => {
    expect(summarizeLatency(latencyRuns).vs_origin).toEqual({
      edge_hit_p50: 1.25,
      edge_hit_p99: 2,
      edge_hit_test_host_p50: 1.5,
      edge_miss_p50: 15,
      edge_miss_p99: 5,
    });
  });

  it("prints a row per figure with median (min–max) for one and two edges", () => {
    const text = formatEdge({
      popular: summarizePopular(popularRuns),
      latency: summarizeLatency(latencyRuns),
    });
    expect(text).toMatch(
      /^warm: aggregate throughput +MB\/s +2200 \(2000–2400\) +1800 \(1700–1900\) +0\.818$/m,
    );
    expect(text).toMatch(/^edge MISS \(host\) +0\.6 \(0\.6–0\.6\) +5 \(5–5\) +1 \(1–1\) +15$/m);
  });
});
