/**
 * npm run bench:tuning [-- --quick]
 *
 * One directive at a time: the generated nginx.conf against copies of itself that each change
 * one line (bench/tuningVariants.ts), and the seed, in the same rounds, on the workloads of
 * `npm run bench` (large file with 1 and 8 streams, streaming at 100/500/1000 connections,
 * small files). Each copy is an nginx of its own on 127.0.0.1 serving the same media folder;
 * every server on core 0, every client on core 1, CPU from each one's cpuacct group. Writes
 * bench/tuning-results.json and prints a table of each variant's ratio to the generated file.
 * Reports figures only; not part of `npm test` or CI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serverGroup } from "./cpu";
import { writeResultsFile } from "./resultsFile";
import { hostClient, withBenchEnv, type BenchEnv, type HttpTarget } from "./env";
import { describeMachine } from "./machine";
import { makeFile } from "./media";
import { FULL, QUICK, type Profile } from "./profile";
import { ratio, summarize, type Stat } from "./stats";
import { TUNING_VARIANTS, applyVariant, relocate, type TuningVariant } from "./tuningVariants";
import { downloadFigures } from "./workloads/largeFile";
import { makeSmallFiles, smallFilesRun } from "./workloads/smallFiles";
import { makeStreamFile, streamRun } from "./workloads/streaming";
import { findFreePorts, HOST } from "../test/support/ports";
import { findBinary } from "../test/support/prerequisites";
import { startServer, waitForPorts } from "../test/support/processes";

const OUT = path.join(__dirname, "tuning-results.json");
const LARGE_PATH = "/videos/large.mp4";

interface Candidate {
  readonly name: string;
  readonly change: string;
  readonly target: HttpTarget;
}

/** Starts an nginx with the generated file changed by `variant`, pinned and counted. */
async function startVariant(
  env: BenchEnv,
  variant: TuningVariant,
  cleanup: (() => Promise<unknown> | unknown)[],
): Promise<Candidate> {
  const { webLayout, ports } = env.stack;
  const generatedDir = path.dirname(webLayout.configFile);
  const dir = path.join(env.tmp, "tuning", variant.name);
  fs.cpSync(generatedDir, dir, { recursive: true, filter: (src) => !/\.(pid|log)$/.test(src) });
  const free = await findFreePorts(0);
  const conf = relocate(
    applyVariant(fs.readFileSync(webLayout.configFile, "utf8"), variant),
    { dir: generatedDir, ports: [ports.http, ports.status] },
    { dir, ports: [free.http, free.status] },
  );
  const configFile = path.join(dir, "nginx.conf");
  fs.writeFileSync(configFile, conf);
  const server = startServer(
    `nginx (${variant.name})`,
    findBinary("nginx") ?? "nginx",
    ["-c", configFile, "-g", "daemon off;"],
    [path.join(dir, "error.log")],
  );
  cleanup.push(() => server.stop());
  await waitForPorts(server, [free.http]);
  const group = serverGroup(`video-server-tuning-${process.pid}-${variant.name}`, [server.pid]);
  cleanup.unshift(() => group.remove());
  return {
    name: variant.name,
    change: variant.change,
    target: {
      variant: "generated",
      host: HOST,
      port: free.http,
      client: hostClient,
      cpu: () => group.usage().total,
    },
  };
}

type Figures = Record<string, number>;
type Measure = (server: HttpTarget) => Promise<Figures>;

function workloads(env: BenchEnv): Record<string, Measure> {
  const bytes = env.profile.largeFileBytes;
  const stream =
    (c: number): Measure =>
    async (s) => ({ ...(await streamRun(env, s, c)) });
  return {
    large_file_1_stream: (s) => downloadFigures(s, LARGE_PATH, 1, bytes),
    large_file_8_streams: (s) => downloadFigures(s, LARGE_PATH, 8, bytes),
    ...Object.fromEntries(env.profile.streamConnections.map((c) => [`streaming_c${c}`, stream(c)])),
    small_files: async (s) => ({ ...(await smallFilesRun(env, s)) }),
  };
}

/** Each variant's median ÷ the generated file's, per workload and metric. */
function ratios(
  stats: Record<string, Record<string, Record<string, Stat>>>,
): Record<string, Record<string, Record<string, number | null>>> {
  const base = stats.generated;
  return Object.fromEntries(
    Object.entries(stats)
      .filter(([name]) => name !== "generated")
      .map(([name, byWorkload]) => [
        name,
        Object.fromEntries(
          Object.entries(byWorkload).map(([w, metrics]) => [
            w,
            Object.fromEntries(
              Object.entries(metrics).map(([m, s]) => [m, ratio(s.median, base[w][m].median)]),
            ),
          ]),
        ),
      ]),
  );
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const unknown = process.argv.slice(2).filter((a) => a !== "--quick");
  if (unknown.length > 0)
    throw new Error(`unknown argument ${unknown.join(" ")}; usage: npm run bench:tuning [-- --quick]`);
  const profile: Profile = quick
    ? { ...QUICK, runs: 3, wrkSeconds: 2 }
    : { ...FULL, runs: 5, wrkSeconds: 3, largeFileBytes: 512 * 2 ** 20 };
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[tuning ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  const samples: Record<string, Record<string, Figures[]>> = {};
  await withBenchEnv(profile, log, async (env) => {
    const cleanup: (() => Promise<unknown> | unknown)[] = [];
    try {
      const candidates: Candidate[] = [
        { name: "generated", change: "the generated file", target: env.targets.generated },
        { name: "seed", change: "bench/baseline-nginx.conf", target: env.targets.seed },
      ];
      for (const v of TUNING_VARIANTS) candidates.push(await startVariant(env, v, cleanup));
      makeFile(path.join(env.media, LARGE_PATH), profile.largeFileBytes);
      makeStreamFile(env, env.media);
      makeSmallFiles(env, env.media);
      for (const [workload, measure] of Object.entries(workloads(env))) {
        for (let run = 0; run < profile.runs; run++) {
          // Each round starts one place further along, so no variant always goes first.
          const order = candidates.map((_, i) => candidates[(i + run) % candidates.length]);
          for (const c of order) {
            const figures = await measure(c.target);
            ((samples[c.name] ??= {})[workload] ??= []).push(figures);
          }
          log(`${workload}: round ${run + 1}/${profile.runs}`);
        }
      }
    } finally {
      for (const step of cleanup.reverse())
        await Promise.resolve()
          .then(step)
          .catch((e: unknown) => log(`cleanup: ${String(e)}`));
    }
  });
  const stats = Object.fromEntries(
    Object.entries(samples).map(([name, byWorkload]) => [
      name,
      Object.fromEntries(
        Object.entries(byWorkload).map(([w, runs]) => [
          w,
          Object.fromEntries(Object.keys(runs[0]).map((m) => [m, summarize(runs.map((r) => r[m]))])),
        ]),
      ),
    ]),
  ) as Record<string, Record<string, Record<string, Stat>>>;
  const file = {
    generated_at: new Date().toISOString(),
    profile: {
      name: quick ? "quick" : "full",
      runs: profile.runs,
      wrk_seconds: profile.wrkSeconds,
      large_file_bytes: profile.largeFileBytes,
    },
    machine: {
      ...machine,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    variants: Object.fromEntries([
      ["seed", "bench/baseline-nginx.conf"],
      ...TUNING_VARIANTS.map((v) => [v.name, v.change]),
    ]),
    stats,
    vs_generated: ratios(stats),
  };
  await writeResultsFile(OUT, file);
  const metrics = ["throughput", "requests_per_s", "latency_p99", "cpu_s_per_gb"];
  for (const [name, byWorkload] of Object.entries(file.vs_generated)) {
    const cells = Object.entries(byWorkload).map(
      ([w, m]) =>
        `${w}: ${metrics
          .filter((k) => m[k] !== undefined)
          .map((k) => `${k} ${m[k]}`)
          .join(" ")}`,
    );
    console.log(`${name}\n  ${cells.join("\n  ")}`);
  }
  console.log(`Wrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
