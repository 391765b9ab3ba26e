/**
 * npm run bench [-- --quick]
 *
 * Measures the real nginx and vsftpd on 127.0.0.1 with the configuration the program generates,
 * against the original setup's nginx (bench/baseline-nginx.conf) and iperf3 over loopback, then
 * the program's own cost under mocks. Writes bench/results.json and prints a table. Reports
 * figures only: it asserts no times. Needs root and `apt-get install nginx vsftpd
 * libpam-pwdfile wrk iperf3 curl`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { withBenchEnv } from "./env";
import { describeMachine, missingTools } from "./machine";
import { profileFor } from "./profile";
import {
  buildSummary,
  formatSummary,
  formatTable,
  resultsFileSchema,
  type Result,
  type ResultsFile,
} from "./report";
import { largeFile } from "./workloads/largeFile";
import { ftpUpload } from "./workloads/ftpUpload";
import { programCost } from "./workloads/program";
import { smallFiles } from "./workloads/smallFiles";
import { streaming } from "./workloads/streaming";
import { uploadVisible } from "./workloads/visible";

const OUT = path.join(__dirname, "results.json");

async function main(): Promise<void> {
  const profile = profileFor(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(", ")}: apt-get install ${missing.join(" ")}`);
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  log(`profile ${profile.name}, ${profile.runs} runs per figure`);

  const results: Result[] = [];
  await withBenchEnv(profile, log, async (env) => {
    for (const workload of [largeFile, streaming, smallFiles, ftpUpload, uploadVisible])
      results.push(...(await workload(env)));
  });
  results.push(...(await programCost(profile, log)));

  const notes = [
    "MB/s is 10^6 bytes per second. Each figure is the median of n runs; variants alternate run by run.",
    "generated: the program's renderers with the services tier's substitutions (test/support/layout.ts); baseline: bench/baseline-nginx.conf with the same substitutions; loopback: iperf3 moving the same bytes.",
    "The bench stack is the program's defaults; its passive range gets 20 free ports, the default range's size (see bench/env.ts).",
    "stream_vs_seed is the geometric mean of the per-concurrency ratios (stream_vs_seed_c*).",
  ];
  if (!profile.programUsers.includes(1000))
    notes.push(
      "quick: synth_1000_users_s is the linear fit of the measured user counts at 1000, not a measurement.",
    );
  const file: ResultsFile = resultsFileSchema.parse({
    generated_at: new Date().toISOString(),
    profile,
    machine: {
      ...machine,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    results,
    summary: buildSummary(results, profile.streamConnections),
    notes,
  });
  fs.writeFileSync(OUT, `${JSON.stringify(file, null, 2)}\n`);
  console.log(
    `${formatTable(file.results)}\n\n${formatSummary(file.summary)}\n\nWrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
