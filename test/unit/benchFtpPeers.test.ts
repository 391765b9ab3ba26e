/** bench/ftpPeersReport.ts: what the FTP peers benchmark reads and how it compares the servers. */
import {
  compareToBestPeer,
  formatFtpPeers,
  passwordHashOf,
  summarize,
  withTransferCpu,
  type WorkloadRuns,
} from "../../bench/ftpPeersReport";
import { parseCpuacctUsage } from "../../bench/cpu";
import { overlaps, rotation } from "../../bench/stats";
import type { Stat } from "../../bench/stats";

const stat = (median: number, min: number, max: number): Stat => ({ median, min, max, n: 7 });
const HASH = `$2b$10$${"a".repeat(53)}`;

describe("the cgroup and password files", () => {
  it("reads a cpuacct counter in nanoseconds as seconds", () => {
    expect(parseCpuacctUsage("1234567890\n")).toBeCloseTo(1.23456789, 9);
  });

  it("refuses a cpuacct file that is not one counter", () => {
    expect(() => parseCpuacctUsage("cpu 12 34\n")).toThrow("not a cpuacct usage counter");
  });

  it("finds the user's bcrypt hash in a pam_pwdfile file", () => {
    expect(passwordHashOf(`other:${HASH.replace("a", "b")}\nuploader:${HASH}\n`, "uploader")).toBe(HASH);
  });

  it("refuses a user without a bcrypt hash", () => {
    expect(() => passwordHashOf("uploader:$6$salt$x\n", "uploader")).toThrow("no bcrypt hash for uploader");
    expect(() => passwordHashOf(`other:${HASH}\n`, "uploader")).toThrow("no bcrypt hash for uploader");
  });
});

describe("taking turns", () => {
  it("starts each run one server further along", () => {
    const order = [0, 1, 2, 3].map((run) => rotation(["a", "b", "c"], run).join(""));
    expect(order).toEqual(["abc", "bca", "cab", "abc"]);
  });
});

describe("vsftpd against the best peer", () => {
  it("calls it a tie when one figure's min–max holds the other's median", () => {
    expect(overlaps(stat(100, 90, 110), stat(108, 105, 130))).toBe(true);
    expect(overlaps(stat(100, 99, 101), stat(108, 95, 130))).toBe(true);
    expect(overlaps(stat(100, 90, 104), stat(108, 105, 130))).toBe(false);
  });

  it("picks the peer with the highest MB/s and reports vsftpd's median over it", () => {
    const c = compareToBestPeer(
      { vsftpd: stat(850, 800, 880), pure_ftpd: stat(1000, 950, 1050), proftpd: stat(900, 850, 950) },
      true,
    );
    expect(c).toEqual({ best_peer: "pure_ftpd", ratio: 0.85, outcome: "vsftpd worse", within_10pct: false });
  });

  it("picks the peer with the lowest CPU when lower is better", () => {
    const c = compareToBestPeer(
      { vsftpd: stat(0.5, 0.45, 0.55), pure_ftpd: stat(0.7, 0.6, 0.8), proftpd: stat(0.6, 0.58, 0.62) },
      false,
    );
    expect(c).toEqual({ best_peer: "proftpd", ratio: 0.833, outcome: "vsftpd better", within_10pct: true });
  });

  it("is within 10 % on a tie at 0.95 of the best median", () => {
    const c = compareToBestPeer(
      { vsftpd: stat(950, 900, 1010), pure_ftpd: stat(1000, 940, 1100), proftpd: stat(10, 9, 11) },
      true,
    );
    expect(c).toMatchObject({ outcome: "tie", ratio: 0.95, within_10pct: true });
  });
});

describe("the summary", () => {
  const upload = (mb: number, cpu: number) => [
    { mb_per_s: mb, cpu_s_per_gb: cpu, core0_busy: 0.9 },
    { mb_per_s: mb + 10, cpu_s_per_gb: cpu, core0_busy: 0.9 },
    { mb_per_s: mb - 10, cpu_s_per_gb: cpu, core0_busy: 0.9 },
  ];
  const sessions = (ms: number) => [{ cpu_ms_per_session: ms }, { cpu_ms_per_session: ms }];
  const runs: WorkloadRuns = {
    one_upload: { vsftpd: upload(1400, 0.9), pure_ftpd: upload(1500, 0.7), proftpd: upload(1450, 0.8) },
    concurrent: { vsftpd: upload(1200, 1.6), pure_ftpd: upload(1100, 1.4), proftpd: upload(1000, 1.5) },
    sessions: { vsftpd: sessions(70), pure_ftpd: sessions(75), proftpd: sessions(70) },
  };
  const uploads = { one_upload: { count: 1, bytes: 1e9 }, concurrent: { count: 10, bytes: 1e8 } };

  it("takes each run's logins off its CPU per GB", () => {
    const net = withTransferCpu(runs, uploads);
    expect(net.one_upload.vsftpd[0].transfer_cpu_s_per_gb).toBe(0.83);
    expect(net.concurrent.pure_ftpd[0].transfer_cpu_s_per_gb).toBe(0.65);
    expect(net.sessions).toBe(runs.sessions);
  });

  it("compares every figure and prints one row per server and workload", () => {
    const { summary, comparison } = summarize(withTransferCpu(runs, uploads));
    expect(summary.one_upload.vsftpd.mb_per_s).toEqual({ median: 1400, min: 1390, max: 1410, n: 3 });
    expect(comparison.one_upload.mb_per_s).toMatchObject({ best_peer: "pure_ftpd", ratio: 0.933 });
    expect(comparison.concurrent.mb_per_s).toMatchObject({
      best_peer: "pure_ftpd",
      outcome: "vsftpd better",
    });
    expect(comparison.sessions.cpu_ms_per_session).toMatchObject({ best_peer: "proftpd", ratio: 1 });
    const table = formatFtpPeers(
      { one_upload: "1 × 1 GiB", concurrent: "10 × 100 MiB" },
      summary,
      comparison,
    );
    expect(table).toContain(
      "| 1 × 1 GiB | vsftpd (ours) | 1400 (1390–1410) | 0.9 (0.9–0.9) | 0.83 (0.83–0.83) |",
    );
    expect(table).toContain("| | vsftpd ÷ best peer | 0.933 vs pure-ftpd: vsftpd worse, within 10 % |");
  });
});
