/**
 * npm run bench:ftp-peers [-- --quick]
 *
 * FTP uploads (curl -T, passive mode, 127.0.0.1) into the program's rendered vsftpd and into
 * pure-ftpd and proftpd with test-only configs of comparable settings (bench/ftpPeersServers.ts):
 * one large upload, several at once, and ten logins with a 1-byte upload each. Servers on core 0,
 * this process and every curl on core 1; the servers take turns, each run starting one further
 * along. Server CPU from each server's cpuacct cgroup (sessions included, exited or not).
 * Writes bench/ftp-peers-results.json and prints a table. Reports figures, asserts none. Needs
 * root, curl, taskset, openssl, cgroup v1 cpuacct and the peers unpacked (bench/README.md).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  childrenCpuSeconds,
  childrenOf,
  CLIENT_CORE,
  cpuacctAvailable,
  cpuSeconds,
  createCpuGroup,
  pinToCore,
  SERVER_CORE,
  type CpuGroup,
} from "./cpu";
import { coreShares, parseProcStat, secondsPerGb } from "./edgeLogs";
import { writeResultsFile } from "./resultsFile";
import { describeMachine } from "./machine";
import { makeFile } from "./media";
import { rounded, type Runs } from "./pipelineReport";
import {
  formatFtpPeers,
  SERVERS,
  summarize,
  withTransferCpu,
  type ServerRuns,
  type WorkloadRuns,
} from "./ftpPeersReport";
import { rotation } from "./stats";
import {
  missingPeers,
  PASSIVE_PORTS,
  PEERS_ROOT,
  peerVersions,
  portsOverlap,
  startOurs,
  startProftpd,
  startPureFtpd,
  type FtpServer,
} from "./ftpPeersServers";
import { ftpUploads } from "./transfers";

const OUT = path.join(__dirname, "ftp-peers-results.json");
const MiB = 2 ** 20;
const SESSIONS = 10;

interface Profile {
  readonly name: "full" | "quick";
  readonly runs: number;
  readonly oneBytes: number;
  readonly concurrent: { readonly count: number; readonly bytes: number };
}
const PROFILES: Record<Profile["name"], Profile> = {
  full: { name: "full", runs: 7, oneBytes: 1024 * MiB, concurrent: { count: 10, bytes: 100 * MiB } },
  quick: { name: "quick", runs: 3, oneBytes: 256 * MiB, concurrent: { count: 4, bytes: 64 * MiB } },
};

const procStat = () => parseProcStat(fs.readFileSync("/proc/stat", "utf8"));
/** The master's own CPU and that of the sessions it has reaped: the cross-check of the cgroup. */
const masterTreeCpu = (pid: number) => cpuSeconds(pid) + childrenCpuSeconds(pid);

/** Until the sessions of the last run have exited and been reaped (bounded). */
async function sessionsGone(server: FtpServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (childrenOf(server.master).length > 0) {
    if (Date.now() > deadline)
      throw new Error(`${server.name}: sessions still running 10 s after the uploads ended`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One run: `count` uploads of `source` at once, and the figures bench/README.md describes. */
async function uploadRun(
  server: FtpServer,
  source: string,
  bytes: number,
  count: number,
  label: string,
): Promise<Record<string, number>> {
  const names = Array.from({ length: count }, (_, k) => `${label}-${k}.bin`);
  await sessionsGone(server);
  const cpu0 = server.cpu.usage();
  const tree0 = masterTreeCpu(server.master);
  const stat0 = procStat();
  try {
    const mbps = await ftpUploads(
      server.target,
      source,
      names.map((n) => `${server.remoteDir}${n}`),
      bytes,
    );
    await sessionsGone(server);
    const cpu1 = server.cpu.usage();
    const cores = coreShares(stat0, procStat());
    const cpu = cpu1.total - cpu0.total;
    const received = bytes * count;
    return {
      mb_per_s: mbps,
      cpu_s_per_gb: secondsPerGb(cpu, received),
      proc_cpu_s_per_gb: secondsPerGb(masterTreeCpu(server.master) - tree0, received),
      cpu_ms_per_session: (cpu * 1000) / count,
      sys_share: cpu === 0 ? 0 : (cpu1.sys - cpu0.sys) / cpu,
      core0_busy: cores[SERVER_CORE].busy,
      core1_busy: cores[CLIENT_CORE].busy,
      steal: (cores[SERVER_CORE].steal + cores[CLIENT_CORE].steal) / 2,
    };
  } finally {
    // Uploads go at once: they would fill the page cache run after run.
    for (const n of names) fs.rmSync(path.join(server.uploadDir, n), { force: true });
  }
}

/** Starts the peers (bounded retries until no two port blocks overlap: findFreePorts races). */
async function startAll(tmp: string, groups: Record<string, CpuGroup>, started: FtpServer[]): Promise<void> {
  started.push(await startOurs(groups.vsftpd));
  const login = { password: started[0].target.password, hash: started[0].passwordHash };
  const starts = [
    (attempt: number) => startPureFtpd(path.join(tmp, `pure_ftpd-${attempt}`), login, groups.pure_ftpd),
    (attempt: number) => startProftpd(path.join(tmp, `proftpd-${attempt}`), login, groups.proftpd),
  ];
  for (const start of starts) {
    for (let attempt = 1; ; attempt++) {
      const server = await start(attempt);
      if (!started.some((s) => portsOverlap(s.ports, server.ports))) {
        started.push(server);
        break;
      }
      await server.stop();
      if (attempt >= 5) throw new Error("no free port blocks apart from each other in 5 attempts");
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--quick"))
    throw new Error(`unknown argument ${args.join(" ")}; usage: npm run bench:ftp-peers [-- --quick]`);
  const profile = PROFILES[args.includes("--quick") ? "quick" : "full"];
  if (process.getuid?.() !== 0) throw new Error("cgroups, chroots and uid 2121: run as root");
  if (os.availableParallelism() < 2) throw new Error("servers and clients are pinned apart: 2 cores needed");
  if (!cpuacctAvailable()) throw new Error("no cgroup v1 cpuacct at /sys/fs/cgroup/cpuacct");
  const missing = missingPeers();
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(", ")}: see bench/README.md, "FTP upload: vsftpd and its peers"`);
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[ftp-peers ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  log(`profile ${profile.name}, ${profile.runs} runs per figure`);

  // This process and so every curl it starts on the client core; the servers move to the other.
  pinToCore([process.pid], CLIENT_CORE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-bench-ftp-peers-"));
  fs.chmodSync(tmp, 0o755);
  const groups = Object.fromEntries(
    SERVERS.map((s) => [s, createCpuGroup(`video-server-ftp-peers-${process.pid}-${s}`)]),
  );
  const servers: FtpServer[] = [];
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      for (const s of servers) await s.stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
      for (const g of Object.values(groups)) {
        for (let i = 0; i < 50; i++) {
          try {
            g.remove();
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 100)); // its last processes are exiting
          }
        }
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) =>
    void stopAll().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const runs = Object.fromEntries(
    (["one_upload", "concurrent", "sessions"] as const).map((w) => [
      w,
      Object.fromEntries(SERVERS.map((s) => [s, [] as Runs])) as ServerRuns,
    ]),
  ) as WorkloadRuns;
  const { count, bytes } = profile.concurrent;
  const labels = {
    one_upload: `1 × ${profile.oneBytes / MiB} MiB`,
    concurrent: `${count} × ${bytes / MiB} MiB at once`,
  };
  try {
    await startAll(tmp, groups, servers);
    for (const s of servers)
      log(
        `${s.name}: ${s.target.port}, passive ${s.ports.passiveMin}–${s.ports.passiveMax}, pid ${s.master}`,
      );
    const sources = {
      one: path.join(tmp, "one.bin"),
      many: path.join(tmp, "many.bin"),
      tiny: path.join(tmp, "tiny.bin"),
    };
    makeFile(sources.one, profile.oneBytes);
    makeFile(sources.many, bytes);
    fs.writeFileSync(sources.tiny, "x");
    const workloads = [
      { key: "one_upload", source: sources.one, bytes: profile.oneBytes, count: 1 },
      { key: "concurrent", source: sources.many, bytes, count },
      { key: "sessions", source: sources.tiny, bytes: 1, count: SESSIONS },
    ] as const;
    for (const w of workloads) {
      for (let run = 0; run < profile.runs; run++) {
        for (const server of rotation(servers, run)) {
          const figures = await uploadRun(server, w.source, w.bytes, w.count, `${w.key}-${run}`);
          const kept =
            w.key === "sessions"
              ? { cpu_ms_per_session: figures.cpu_ms_per_session }
              : (({ cpu_ms_per_session: _, ...rest }) => rest)(figures);
          runs[w.key][server.name].push(rounded(kept));
          const shown = Object.entries(kept).map(([k, v]) => `${k} ${v.toFixed(3)}`);
          log(`${w.key} run ${run + 1}/${profile.runs} ${server.name}: ${shown.join(", ")}`);
        }
      }
    }
    const crashed = servers.filter((s) => !s.running());
    if (crashed.length > 0)
      throw new Error(`stopped during the run:\n${crashed.map((s) => s.describe()).join("\n")}`);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await stopAll();
  }

  const samples = withTransferCpu(runs, {
    one_upload: { count: 1, bytes: profile.oneBytes },
    concurrent: profile.concurrent,
  });
  const { summary, comparison } = summarize(samples);
  const file = {
    generated_at: new Date().toISOString(),
    profile: {
      name: profile.name,
      runs: profile.runs,
      one_upload_bytes: profile.oneBytes,
      concurrent_uploads: count,
      concurrent_bytes: bytes,
      sessions: SESSIONS,
    },
    machine: {
      ...machine,
      peers: peerVersions(),
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    setup: {
      pinning: `every server process (listeners and the sessions they fork) on core ${SERVER_CORE}; this process and every curl on core ${CLIENT_CORE}`,
      cpu_accounting:
        "cgroup v1 cpuacct, one group per server (cpuacct.usage, usage_sys), read before and after each run",
      passive_ports: PASSIVE_PORTS,
      peers_root: PEERS_ROOT,
    },
    summary,
    comparison,
    samples,
    notes: [
      "Each figure is {median, min, max, n} over the runs; the servers take turns, each run starting one server further along (vsftpd, pure_ftpd, proftpd; then pure_ftpd, proftpd, vsftpd; …).",
      "mb_per_s: bytes uploaded over the span from the first curl's start of data (time_pretransfer: after login, PASV and STOR) to the last curl's end, 10^6 bytes/s.",
      "cpu_s_per_gb: the server's cgroup CPU (cpuacct.usage: listener and every session, exited ones too) over the run, per 10^9 bytes received; logins included. transfer_cpu_s_per_gb: the same less the run's logins (uploads × the server's median cpu_ms_per_session from the sessions workload). proc_cpu_s_per_gb: the listener's utime+stime+cutime+cstime from /proc/<pid>/stat, the cross-check (sessions count once reaped). sys_share: cpuacct.usage_sys over cpuacct.usage.",
      "sessions: 10 logins at once, each uploading 1 byte; cpu_ms_per_session is the cgroup CPU over 10. All three check the same bcrypt hash (the one the program writes for vsftpd's pam_pwdfile) with crypt(3).",
      "comparison: vsftpd's median over the best peer's median (highest MB/s, lowest CPU); outcome is a tie when either figure's min–max holds the other's median; within_10pct is ratio >= 0.9 for MB/s, <= 1.1 for CPU.",
      "core0_busy / core1_busy / steal: shares of the run from /proc/stat (user, nice, system, irq, softirq; steal apart).",
    ],
  };
  await writeResultsFile(OUT, file);
  console.log(
    `${formatFtpPeers(labels, summary, comparison)}\n\nWrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
