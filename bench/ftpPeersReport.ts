/**
 * The FTP peers benchmark's figures: cgroup CPU counters, per-server statistics, vsftpd against
 * the best peer with the tie rule, and the printed table. Pure.
 */
import { summarizeRuns, type Runs } from "./pipelineReport";
import { overlaps, ratio, type Stat } from "./stats";

export const SERVERS = ["vsftpd", "pure_ftpd", "proftpd"] as const;
export type ServerName = (typeof SERVERS)[number];
export const PEERS = ["pure_ftpd", "proftpd"] as const;
export const WORKLOADS = ["one_upload", "concurrent", "sessions"] as const;
export type Workload = (typeof WORKLOADS)[number];

export type ServerRuns = Record<ServerName, Runs>;
export type WorkloadRuns = Record<Workload, ServerRuns>;

/**
 * The hash of `user` in a `name:hash[:…]` password file (vsftpd's pam_pwdfile file): the peers
 * are given the same bcrypt hash, so that a login costs each server the same crypt() call.
 */
export function passwordHashOf(text: string, user: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`${user}:`));
  const hash = line?.split(":")[1];
  if (hash === undefined || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash))
    throw new Error(`no bcrypt hash for ${user} in the password file`);
  return hash;
}

export interface Comparison {
  /** The peer with the best median: highest for throughput, lowest for CPU. */
  readonly best_peer: ServerName;
  /** vsftpd's median ÷ the best peer's median. */
  readonly ratio: number | null;
  readonly outcome: "tie" | "vsftpd better" | "vsftpd worse";
  /** ratio ≥ 0.9 (throughput) or ≤ 1.1 (CPU): the bar, on the medians. */
  readonly within_10pct: boolean;
}

/** vsftpd against the best peer on one metric; `higher` says which way is better. */
export function compareToBestPeer(stats: Record<ServerName, Stat>, higher: boolean): Comparison {
  const better = (a: number, b: number) => (higher ? a > b : a < b);
  const best = PEERS.reduce((b, p) => (better(stats[p].median, stats[b].median) ? p : b));
  const ours = stats.vsftpd;
  const r = ratio(ours.median, stats[best].median);
  const outcome = overlaps(ours, stats[best])
    ? "tie"
    : better(ours.median, stats[best].median)
      ? "vsftpd better"
      : "vsftpd worse";
  const within = r !== null && (higher ? r >= 0.9 : r <= 1.1);
  return { best_peer: best, ratio: r, outcome, within_10pct: within };
}

export type Summary = Record<Workload, Record<ServerName, Record<string, Stat>>>;

export interface Comparisons {
  readonly one_upload: Record<"mb_per_s" | "cpu_s_per_gb" | "transfer_cpu_s_per_gb", Comparison>;
  readonly concurrent: Record<"mb_per_s" | "cpu_s_per_gb" | "transfer_cpu_s_per_gb", Comparison>;
  readonly sessions: { cpu_ms_per_session: Comparison };
}

/**
 * Each upload run's server CPU per GB less its logins (`sessions` × the server's median CPU per
 * session from the sessions workload): what moving the bytes cost, apart from crypt().
 */
export function withTransferCpu(
  runs: WorkloadRuns,
  uploads: Record<"one_upload" | "concurrent", { readonly count: number; readonly bytes: number }>,
): WorkloadRuns {
  const perSessionS = (s: ServerName) => summarizeRuns(runs.sessions[s]).cpu_ms_per_session.median / 1000;
  const net = (w: "one_upload" | "concurrent") =>
    Object.fromEntries(
      SERVERS.map((s) => {
        const gb = (uploads[w].count * uploads[w].bytes) / 1e9;
        const logins = (uploads[w].count * perSessionS(s)) / gb;
        return [
          s,
          runs[w][s].map((r): Record<string, number> => ({
            ...r,
            transfer_cpu_s_per_gb: Math.round((r.cpu_s_per_gb - logins) * 1000) / 1000,
          })),
        ];
      }),
    ) as ServerRuns;
  return { one_upload: net("one_upload"), concurrent: net("concurrent"), sessions: runs.sessions };
}

export function summarize(runs: WorkloadRuns): { summary: Summary; comparison: Comparisons } {
  const summary = Object.fromEntries(
    WORKLOADS.map((w) => [w, Object.fromEntries(SERVERS.map((s) => [s, summarizeRuns(runs[w][s])]))]),
  ) as Summary;
  const metric = (w: Workload, m: string) =>
    Object.fromEntries(SERVERS.map((s) => [s, summary[w][s][m]])) as Record<ServerName, Stat>;
  const both = (w: "one_upload" | "concurrent") => ({
    mb_per_s: compareToBestPeer(metric(w, "mb_per_s"), true),
    cpu_s_per_gb: compareToBestPeer(metric(w, "cpu_s_per_gb"), false),
    transfer_cpu_s_per_gb: compareToBestPeer(metric(w, "transfer_cpu_s_per_gb"), false),
  });
  return {
    summary,
    comparison: {
      one_upload: both("one_upload"),
      concurrent: both("concurrent"),
      sessions: { cpu_ms_per_session: compareToBestPeer(metric("sessions", "cpu_ms_per_session"), false) },
    },
  };
}

const shown = (s: Stat | undefined) => (s === undefined ? "" : `${s.median} (${s.min}–${s.max})`);
const NAMES: Record<ServerName, string> = {
  vsftpd: "vsftpd (ours)",
  pure_ftpd: "pure-ftpd",
  proftpd: "proftpd",
};
const verdict = (c: Comparison) =>
  `${c.ratio ?? "—"} vs ${NAMES[c.best_peer]}: ${c.outcome}${c.within_10pct ? ", within 10 %" : ", not within 10 %"}`;

/** The Markdown tables bench/README.md shows. */
export function formatFtpPeers(
  labels: Record<"one_upload" | "concurrent", string>,
  summary: Summary,
  comparison: Comparisons,
): string {
  const rows = (["one_upload", "concurrent"] as const).flatMap((w) => [
    ...SERVERS.map((s) => {
      const f = summary[w][s];
      return `| ${labels[w]} | ${NAMES[s]} | ${shown(f.mb_per_s)} | ${shown(f.cpu_s_per_gb)} | ${shown(f.transfer_cpu_s_per_gb)} | ${shown(f.core0_busy)} |`;
    }),
    `| | vsftpd ÷ best peer | ${verdict(comparison[w].mb_per_s)} | ${verdict(comparison[w].cpu_s_per_gb)} | ${verdict(comparison[w].transfer_cpu_s_per_gb)} | |`,
  ]);
  const sessions = SERVERS.map((s) => `| ${NAMES[s]} | ${shown(summary.sessions[s].cpu_ms_per_session)} |`);
  return [
    "| workload | server | MB/s | server CPU s per GB | of which not logins | server core busy |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    "| 10 logins + 1-byte uploads at once | server CPU ms per session |",
    "|---|---|",
    ...sessions,
    `| vsftpd ÷ best peer | ${verdict(comparison.sessions.cpu_ms_per_session)} |`,
  ].join("\n");
}
