/**
 * The edge benchmark's measurements: wrk in the test host's namespace (or on the host) against
 * the edges or the origin, and what the servers' logs, /proc/<pid>/stat and /proc/stat say
 * about each run. Servers are on core 0, every wrk on core 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { childrenOf, CLIENT_CORE, cpuSeconds, nginxProcesses, pinToCore, SERVER_CORE } from "./cpu";
import {
  cacheShare,
  coreShares,
  parseEdgeLog,
  parseProcStat,
  secondsPerGb,
  tallyEdgeLog,
  type EdgeTally,
} from "./edgeLogs";
import type { LatencyTarget } from "./edgeReport";
import { run } from "./exec";
import { parseWrkOutput, type WrkTotals } from "./wrk";
import { parseOriginLog, type EdgeServer, type EdgeStack } from "../test/support/edgeStack";
import { HOST } from "../test/support/ports";
import type { TestHost } from "../test/support/testHost";

const LUA = path.join(__dirname, "lua");

/** Runs a command where the client sits: on the host, or in the test host's namespace. */
type Runner = (
  command: readonly string[],
  timeoutMs: number,
) => Promise<{ code: number | null; stdout: string; stderr: string }>;

export const onHost: Runner = (command, timeoutMs) => run(command[0], command.slice(1), { timeoutMs });
export const inTestHost =
  (host: TestHost): Runner =>
  (command, timeoutMs) =>
    host.run(command, timeoutMs);

export interface Bench {
  readonly stack: EdgeStack;
  readonly host: TestHost;
  readonly tmp: string;
  readonly log: (line: string) => void;
}

export interface Servers {
  readonly originWorkers: readonly number[];
  /** Each edge's workers, in stack.edges order. */
  readonly edgeWorkers: readonly (readonly number[])[];
}

/** Pins the origin's and every edge's nginx, every process and thread, to the server core. */
export function pinServers(stack: EdgeStack): Servers {
  const origin = nginxProcesses(stack.originLayout.pidFile);
  const edges = stack.edges.map((e) => nginxProcesses(e.layout.pidFile));
  for (const p of [origin, ...edges]) {
    // The cache manager and (after a minute) loader are children too; later ones inherit the master's.
    pinToCore([p.master, ...childrenOf(p.master)], SERVER_CORE);
  }
  return { originWorkers: origin.workers, edgeWorkers: edges.map((e) => e.workers) };
}

const cpuOf = (pids: readonly number[]) => pids.reduce((s, pid) => s + cpuSeconds(pid), 0);

/**
 * report.lua, then the workload's script (none: wrk's own request, one URL). Written once: two
 * wrks starting together must not read a file being rewritten.
 */
function script(tmp: string, name: "ranges" | "paths" | "one"): string {
  const file = path.join(tmp, `edge-wrk-${name}.lua`);
  if (fs.existsSync(file)) return file;
  const parts = [fs.readFileSync(path.join(LUA, "report.lua"), "utf8")];
  if (name !== "one") parts.push(fs.readFileSync(path.join(LUA, `${name}.lua`), "utf8"));
  fs.writeFileSync(`${file}.new`, parts.join("\n"));
  fs.renameSync(`${file}.new`, file);
  return file;
}

export interface WrkJob {
  readonly runner: Runner;
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
  readonly script: "ranges" | "paths" | "one";
  readonly scriptArgs?: readonly string[];
}

async function wrk(tmp: string, job: WrkJob): Promise<WrkTotals> {
  const command = [
    ...["taskset", "-c", String(CLIENT_CORE), "wrk"],
    ...["-t", String(job.threads), "-c", String(job.connections), "-d", `${job.seconds}s`],
    ...["--timeout", "10s", "-s", script(tmp, job.script), job.url],
    ...(job.scriptArgs === undefined ? [] : ["--", ...job.scriptArgs]),
  ];
  const done = await job.runner(command, (job.seconds + 30) * 1000);
  if (done.code !== 0)
    throw new Error(`${command.join(" ")}: exit ${done.code}\n${done.stderr}${done.stdout}`);
  const totals = parseWrkOutput(done.stdout);
  if (totals.requests === 0) throw new Error(`${job.url}: wrk completed no request\n${done.stdout}`);
  return totals;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sizeOf = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

/** nginx logs a request when it ends: waits (at most 3 s) until no log has grown for 200 ms. */
async function settle(files: readonly string[]): Promise<void> {
  let sizes = files.map(sizeOf);
  for (let quiet = 0, i = 0; quiet < 2 && i < 30; i++) {
    await sleep(100);
    const now = files.map(sizeOf);
    quiet = now.every((s, k) => s === sizes[k]) ? quiet + 1 : 0;
    sizes = now;
  }
}

function readFrom(file: string, offset: number): string {
  if (!fs.existsSync(file)) return "";
  const fd = fs.openSync(file, "r");
  try {
    const length = fs.fstatSync(fd).size - offset;
    const buffer = Buffer.alloc(Math.max(0, length));
    fs.readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** What one interval cost: the origin's log and CPU, the edges' logs and CPU, the cores' use. */
export interface Interval {
  readonly wrk: readonly WrkTotals[];
  readonly seconds: number;
  /** Body bytes the origin logged. */
  readonly originBytes: number;
  readonly originRequests: number;
  /** Of those, answered 304 Not Modified (revalidations). */
  readonly originNotModified: number;
  readonly originCpuS: number;
  readonly edges: EdgeTally;
  readonly edgeCpuS: number;
  readonly cores: { busy: number; steal: number }[];
}

/** Runs the jobs at once and reads what the servers logged and spent meanwhile. */
export async function measure(
  bench: Bench,
  servers: Servers,
  edges: readonly number[],
  jobs: readonly WrkJob[],
): Promise<Interval> {
  const { stack } = bench;
  const edgeLogs = edges.map((i) => stack.edges[i].layout.accessLog);
  const originLog = stack.originLayout.accessLog;
  const edgeWorkers = edges.flatMap((i) => servers.edgeWorkers[i]);
  await settle([originLog, ...edgeLogs]);
  const before = {
    origin: sizeOf(originLog),
    edges: edgeLogs.map(sizeOf),
    originCpu: cpuOf(servers.originWorkers),
    edgeCpu: cpuOf(edgeWorkers),
    stat: parseProcStat(fs.readFileSync("/proc/stat", "utf8")),
  };
  const totals = await Promise.all(jobs.map((j) => wrk(bench.tmp, j)));
  const stat = parseProcStat(fs.readFileSync("/proc/stat", "utf8"));
  const originCpuS = cpuOf(servers.originWorkers) - before.originCpu;
  const edgeCpuS = cpuOf(edgeWorkers) - before.edgeCpu;
  await settle([originLog, ...edgeLogs]);
  const origin = parseOriginLog(readFrom(originLog, before.origin));
  const edgeLines = edgeLogs.flatMap((f, k) => parseEdgeLog(readFrom(f, before.edges[k])));
  return {
    wrk: totals,
    seconds: Math.max(...totals.map((t) => t.durationUs)) / 1e6,
    originBytes: origin.reduce((s, l) => s + l.bytes, 0),
    originRequests: origin.length,
    originNotModified: origin.filter((l) => l.status === 304).length,
    originCpuS,
    edges: tallyEdgeLog(edgeLines),
    edgeCpuS,
    cores: coreShares(before.stat, stat),
  };
}

const edgeUrl = (e: EdgeServer, urlPath: string) => `http://${e.address}:${e.httpPort}${urlPath}`;
export const originUrl = (stack: EdgeStack, urlPath: string) =>
  `http://${HOST}:${stack.origin.httpPort}${urlPath}`;

export interface PopularShape {
  readonly fileBytes: number;
  readonly rangeBytes: number;
  /** In all, shared evenly by the edges; wrk's two threads likewise. */
  readonly connections: number;
  readonly seconds: number;
}

const WRK_THREADS = 2;

/**
 * The popular-file workload against `edges` (indexes into stack.edges) from the test host: one
 * wrk per edge, all at once, the connections and threads split evenly. Figures of the run.
 */
export async function popular(
  bench: Bench,
  servers: Servers,
  edges: readonly number[],
  urlPath: string,
  shape: PopularShape,
): Promise<Record<string, number>> {
  const jobs = edges.map((i): WrkJob => ({
    runner: inTestHost(bench.host),
    url: edgeUrl(bench.stack.edges[i], urlPath),
    threads: WRK_THREADS / edges.length,
    connections: shape.connections / edges.length,
    seconds: shape.seconds,
    script: "ranges",
    scriptArgs: [String(shape.fileBytes), String(shape.rangeBytes)],
  }));
  const m = await measure(bench, servers, edges, jobs);
  const wrkBytes = m.wrk.reduce((s, t) => s + t.bytes, 0);
  return {
    mb_per_s: wrkBytes / 1e6 / m.seconds,
    errors: m.wrk.reduce((s, t) => s + t.errors, 0) + m.edges.failed,
    latency_p50_ms: Math.max(...m.wrk.map((t) => t.latencyUs.p50)) / 1000,
    latency_p99_ms: Math.max(...m.wrk.map((t) => t.latencyUs.p99)) / 1000,
    origin_bytes_per_delivered_byte: m.edges.bytes === 0 ? 0 : m.originBytes / m.edges.bytes,
    origin_bytes_per_file_byte: m.originBytes / shape.fileBytes,
    origin_requests: m.originRequests,
    origin_304s: m.originNotModified,
    hit_share: cacheShare(m.edges, "HIT"),
    revalidated_share: cacheShare(m.edges, "REVALIDATED"),
    updating_share: cacheShare(m.edges, "UPDATING"),
    edge_cpu_s_per_gb: secondsPerGb(m.edgeCpuS, m.edges.bytes),
    origin_cpu_s_per_gb: secondsPerGb(m.originCpuS, m.edges.bytes),
    core0_busy: m.cores[SERVER_CORE].busy,
    core1_busy: m.cores[CLIENT_CORE].busy,
    steal: (m.cores[SERVER_CORE].steal + m.cores[CLIENT_CORE].steal) / 2,
  };
}

export interface LatencyShape {
  readonly seconds: number;
  readonly connections: number;
}

/**
 * Requests back to back on `connections` connections for the small file: from the host to the
 * origin, or to the first edge (from the host or the test host); a miss walks a folder of links
 * to the same file, each name asked once (paths.lua, one thread).
 */
export async function latency(
  bench: Bench,
  servers: Servers,
  target: LatencyTarget,
  urls: { readonly small: string; readonly missPrefix: string; readonly missCount: number },
  shape: LatencyShape,
): Promise<Record<string, number>> {
  const edge = bench.stack.edges[0];
  const base = { threads: 1, connections: shape.connections, seconds: shape.seconds };
  const job: WrkJob =
    target === "origin"
      ? { ...base, runner: onHost, url: originUrl(bench.stack, urls.small), script: "one" }
      : target === "edge_miss"
        ? {
            ...base,
            runner: onHost,
            url: edgeUrl(edge, urls.missPrefix),
            script: "paths",
            scriptArgs: [urls.missPrefix, ".jpg", String(urls.missCount)],
          }
        : {
            ...base,
            runner: target === "edge_hit" ? onHost : inTestHost(bench.host),
            url: edgeUrl(edge, urls.small),
            script: "one",
          };
  const m = await measure(bench, servers, target === "origin" ? [] : [0], [job]);
  const [t] = m.wrk;
  if (target === "edge_miss" && t.requests > urls.missCount)
    throw new Error(`edge_miss: ${t.requests} requests for ${urls.missCount} names: raise missCount`);
  const tally = target === "origin" ? undefined : m.edges;
  return {
    latency_p50_ms: t.latencyUs.p50 / 1000,
    latency_p99_ms: t.latencyUs.p99 / 1000,
    requests_per_s: t.requests / (t.durationUs / 1e6),
    errors: t.errors,
    ...(tally === undefined
      ? {}
      : { hit_share: cacheShare(tally, "HIT"), miss_share: cacheShare(tally, "MISS") }),
  };
}
