/**
 * npm run bench:edge [-- --quick]
 *
 * Swarm mode's edge caches on the services tier's harness (test/support/edgeStack.ts): the
 * origin nginx on 127.0.0.1 and two edge nginx, each with the program's rendered files, the
 * edges listening on the gateway of a test host (a network namespace of the bench's own) whose
 * wrk plays the viewers. Servers on core 0, clients on core 1.
 * 1. A popular file (64 connections reading 1 MiB ranges of 200 MiB) through one edge and
 *    through two: aggregate MB/s, edge CPU per GB, and the origin's bytes per delivered byte
 *    while the edge warms up (a name it has not seen), once it is warm, and once its copies
 *    have expired (edge.cacheSeconds) and are revalidated.
 * 2. A small file's latency: the origin asked directly, an edge HIT, an edge MISS.
 * Writes bench/edge-results.json and prints two tables. Reports figures, asserts none. Needs
 * root (ip netns), nginx, wrk, curl and taskset.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeMachine } from "./machine";
import { writeResultsFile } from "./resultsFile";
import { formatEdge, summarizeLatency, summarizePopular } from "./edgeReport";
import { measureAll, SMALL_BYTES, type Profile } from "./edgePhases";
import { CLIENT_CORE, SERVER_CORE } from "./cpu";
import { startEdgeStack, type EdgeStack } from "../test/support/edgeStack";
import { HOST } from "../test/support/ports";
import type { StackConfig } from "../test/support/project";
import { createTestHost, type TestHost } from "../test/support/testHost";

const OUT = path.join(__dirname, "edge-results.json");
const MiB = 1024 * 1024;

/**
 * The program's defaults in swarm mode (slices of 1 MiB, 60 s before revalidation, /videos/ and
 * /images/), but an overlay subnet of loopback's first 16 addresses: the edges' relays reach the
 * origin from 127.0.0.1, and so does the bench when it asks the origin directly.
 */
const STACK: StackConfig = {
  target: { mode: "swarm" },
  images: { registry: { server: "registry.example.com:5000" } },
  ftp: { passiveAddress: HOST, users: [{ name: "uploader", password: "bench-uploader-password" }] },
  edge: { subnet: "127.0.0.0/28" },
};

const POPULAR = { fileBytes: 200 * MiB, rangeBytes: MiB, connections: 64 };
const PROFILES: Record<Profile["name"], Profile> = {
  full: {
    name: "full",
    runs: 5,
    popular: { ...POPULAR, seconds: 10 },
    latency: { seconds: 5, connections: 1 },
    missCount: 40_000,
  },
  quick: {
    name: "quick",
    runs: 3,
    popular: { ...POPULAR, seconds: 3 },
    latency: { seconds: 2, connections: 1 },
    missCount: 15_000,
  },
};

function requireTools(): void {
  const missing = ["wrk", "curl", "taskset", "ip", "getconf"].filter((t) => {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: apt-get install wrk curl iproute2`);
  if (os.availableParallelism() < 2) throw new Error("servers and clients are pinned apart: 2 cores needed");
  if (process.getuid?.() !== 0) throw new Error("the test host is a network namespace: run as root");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--quick"))
    throw new Error(`unknown argument ${args.join(" ")}; usage: npm run bench:edge [-- --quick]`);
  const profile = PROFILES[args.includes("--quick") ? "quick" : "full"];
  requireTools();
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[edge ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  log(`profile ${profile.name}, ${profile.runs} runs per figure`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-bench-edge-"));
  let host: TestHost | undefined;
  let stack: EdgeStack | undefined;
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      await stack?.stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
      await host?.remove().catch((e: unknown) => log(`cleanup: ${String(e)}`));
      fs.rmSync(tmp, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) =>
    void stopAll().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let measured: Awaited<ReturnType<typeof measureAll>>;
  let setup: Record<string, unknown>;
  try {
    host = await createTestHost("edgeb", 1);
    stack = await startEdgeStack("bench-edge", STACK, { edgeCount: 2, edgeAddress: host.gateway });
    const edge = stack.spec.edge;
    log(
      `origin ${HOST}:${stack.origin.httpPort}; edges ${stack.edges.map((e) => `${e.address}:${e.httpPort}`).join(", ")}; test host ${host.addresses[0]}`,
    );
    setup = {
      pinning: `origin and edges (nginx masters, workers, cache processes, every thread) on core ${SERVER_CORE}; every wrk on core ${CLIENT_CORE}`,
      test_host: "a network namespace joined by a veth pair; the edges listen on its gateway (the host end)",
      edge,
      popular: {
        file_bytes: profile.popular.fileBytes,
        range_bytes: profile.popular.rangeBytes,
        connections: profile.popular.connections,
        seconds: profile.popular.seconds,
        wrk_threads_in_all: 2,
      },
      small_file_bytes: SMALL_BYTES,
      latency: { ...profile.latency, miss_names_per_run: profile.missCount },
    };
    measured = await measureAll({ stack, host, tmp, log }, profile);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await stopAll();
  }

  const file = {
    generated_at: new Date().toISOString(),
    profile: { name: profile.name, runs: profile.runs },
    machine: {
      ...machine,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    setup,
    popular: summarizePopular(measured.popularRuns),
    latency: summarizeLatency(measured.latencyRuns),
    samples: { popular: measured.popularRuns, latency: measured.latencyRuns },
    notes: [
      "Each figure is {median, min, max, n} over the runs; variants alternate which goes first, run by run (latency targets rotate; the MISS runs come last, after the expired runs: see measureAll in bench/edge.ts).",
      "popular: wrk in the test host, 64 connections in all (one edge: one wrk, 2 threads; two edges: one wrk per edge, 1 thread and 32 connections each, at once), each reading successive 1 MiB ranges of one 200 MiB file (bench/lua/ranges.lua). Every run links the file under a new name: warm_up is the first run on that name (the edges' caches cold), warm the next one (every slice cached, well within edge.cacheSeconds), expired one more on the same name once edge.cacheSeconds (+2 s) have passed since warm ended, after the latency runs (each slice revalidated with the origin once per edge: 304s).",
      "mb_per_s: the bytes wrk read (all wrks) over the longest wrk's duration, 10^6 bytes/s. origin_bytes_per_delivered_byte: the body bytes in the origin's access log over the body bytes in the edges' access logs, same interval; origin_bytes_per_file_byte: the origin's body bytes over the file's size (1: every slice fetched once; two cold edges fetch it once each: 2). hit_share: the edges' requests logged with X-Cache-Status HIT.",
      "edge_cpu_s_per_gb / origin_cpu_s_per_gb: utime+stime of the nginx worker processes (/proc/<pid>/stat) over the run, per 10^9 bytes the edges delivered. core0_busy / core1_busy / steal: shares of the run from /proc/stat (user, nice, system, irq, softirq; steal apart).",
      "latency: wrk with one thread and latency.connections connection(s), requests back to back, for a 50,000-byte file: origin = from the host to the origin on 127.0.0.1 (it accepts 127.0.0.0/28); edge_hit = from the host to the first edge's address (the test host's gateway, a local address: loopback); edge_hit_test_host = the same from the test host, over the veth; edge_miss = from the host, each request a new name (a hard link to the same file, bench/lua/paths.lua), so each one is a MISS. hit_share / miss_share from the edge's access log.",
    ],
  };
  await writeResultsFile(OUT, file);
  console.log(
    `${formatEdge(file)}\n\nWrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
