/**
 * npm run bench [-- --quick]
 *
 * Measures the real nginx and vsftpd on 127.0.0.1 with the configuration the program generates,
 * against its peers in the same rounds (the seed's nginx, Caddy, a minimal nginx: bench/peers.ts),
 * then the realized containers by three paths (workloads/deployed.ts), then the program's own
 * cost under mocks. Servers on core 0, clients on core 1, CPU from each server's cpuacct group.
 * Writes bench/results.json and prints the figures and a verdict per goal. Reports figures only:
 * it asserts no times. Needs root, a Docker engine and `apt-get install nginx vsftpd
 * libpam-pwdfile wrk curl caddy docker.io`.
 */
import * as os from "node:os";
import * as path from "node:path";
import { withBenchEnv } from "./env";
import { writeResultsFile } from "./resultsFile";
import { describeMachine, missingTools } from "./machine";
import { profileFor, WORKLOADS, type Profile, type WorkloadName } from "./profile";
import {
  buildGoals,
  buildSummary,
  formatGoals,
  formatSummary,
  formatTable,
  resultsFileSchema,
  type Result,
  type ResultsFile,
} from "./report";
import { deployedPath } from "./workloads/deployed";
import { largeFile } from "./workloads/largeFile";
import { ftpUpload } from "./workloads/ftpUpload";
import { programCost } from "./workloads/program";
import { smallFiles } from "./workloads/smallFiles";
import { streaming } from "./workloads/streaming";
import { uploadVisible } from "./workloads/visible";

/** Where a run's figures go: the full run of every workload is the one bench/README.md quotes. */
function outputFile(profile: Profile, workloads: readonly WorkloadName[]): string {
  return profile.name === "full" && workloads.length === WORKLOADS.length
    ? path.join(__dirname, "results.json")
    : path.join(os.tmpdir(), `video-server-bench-${profile.name}.json`);
}

async function main(): Promise<void> {
  const { profile, workloads } = profileFor(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(", ")}: apt-get install ${missing.join(" ")}`);
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  log(`profile ${profile.name}, ${profile.runs} runs per figure; ${workloads.join(", ")}`);

  const results: Result[] = [];
  const servers = {
    large: largeFile,
    streaming,
    small: smallFiles,
    ftp: ftpUpload,
    visible: uploadVisible,
    deployed: deployedPath,
  };
  const chosen = workloads.flatMap((w) => (w === "program" ? [] : [servers[w]]));
  if (chosen.length > 0)
    await withBenchEnv(profile, log, async (env) => {
      for (const workload of chosen) results.push(...(await workload(env)));
    });
  if (workloads.includes("program")) results.push(...(await programCost(profile, log)));

  const notes = [
    "MB/s is 10^6 bytes per second. Each figure is the median of n runs (min–max); variants alternate run by run.",
    "Every server process (nginx masters and workers, Caddy's threads, vsftpd and its sessions, the container's processes, docker-proxy) is pinned to core 0, every client (curl, wrk) and the bench itself to core 1.",
    "cpu_s_per_gb and cpu_s_per_1000_requests: the server's cpuacct group (user + system, exited processes too) before and after each run, per 10^9 bytes delivered and per 1,000 responses; for container_proxy the container's group plus docker-proxy's.",
    "generated: the program's renderers with the services tier's substitutions (test/support/layout.ts); seed: bench/baseline-nginx.conf with the same substitutions; caddy: Debian's caddy, file_server browse; ceiling: a minimal nginx (bench/peers.ts).",
    "A goal's verdict is a tie when either figure's min–max holds the other's median (the other's scaled by the bar): not a win, not a loss.",
    "The bench stack is the program's defaults; its passive range gets 20 free ports, the default range's size (see bench/env.ts).",
    "stream_vs_seed is the geometric mean of the per-concurrency ratios (stream_vs_seed_c*).",
  ];
  if (!profile.programUsers.includes(1000))
    notes.push(
      "quick: synth_1000_users_s is the linear fit of the measured user counts at 1000, not a measurement.",
    );
  const file: ResultsFile = resultsFileSchema.parse({
    generated_at: new Date().toISOString(),
    profile: { ...profile, workloads },
    machine: {
      ...machine,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    results,
    summary: buildSummary(results, profile.streamConnections, profile.deployedStreamConnections),
    goals: buildGoals(results, profile.streamConnections),
    notes,
  });
  const out = outputFile(profile, workloads);
  await writeResultsFile(out, file);
  console.log(
    `${formatTable(file.results)}\n\n${formatSummary(file.summary)}\n\n${formatGoals(file.goals)}\n\nWrote ${path.relative(process.cwd(), out)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
