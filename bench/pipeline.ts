/**
 * npm run bench:pipeline [-- --quick]
 *
 * The media pipeline on the services tier's harness (real vsftpd, nginx and media worker on
 * 127.0.0.1, with the program's rendered files):
 * 1. from the end of an FTP upload (the 226) to the first HTTP 200 with the whole file, for a
 *    `publish: verified` location and an `immediate` one, with a small clip and a ~100 MiB MP4;
 * 2. nginx delivering a large file to curl, idle and while an H.264 encode runs at the worker's
 *    niceness, with nginx and the encode on core 0 and curl on core 1.
 * Writes bench/pipeline-results.json and prints a table. Reports figures, asserts none. Needs
 * root, nginx, vsftpd, libpam-pwdfile, ffmpeg, curl and taskset.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as prettier from "prettier";
import { killEncoders } from "./encode";
import { describeMachine } from "./machine";
import { deliveryUnderLoad } from "./pipelineDelivery";
import { POLL_MS, publishLatency, SERVED_LIMIT_MS } from "./pipelineLatency";
import { formatPipeline } from "./pipelineReport";
import { STACK } from "./pipelineStack";
import { startStack } from "../test/support/servers";

const OUT = path.join(__dirname, "pipeline-results.json");
const MiB = 1024 * 1024;

interface Profile {
  readonly name: "full" | "quick";
  /** Runs of every figure and variant. */
  readonly runs: number;
  readonly deliveryBytes: number;
}
const PROFILES: Record<Profile["name"], Profile> = {
  full: { name: "full", runs: 9, deliveryBytes: 1024 * MiB },
  quick: { name: "quick", runs: 3, deliveryBytes: 256 * MiB },
};

function requireTools(): void {
  const missing = ["ffmpeg", "ffprobe", "curl", "taskset", "getconf"].filter((t) => {
    try {
      execFileSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    throw new Error(`missing ${missing.join(", ")}: apt-get install ffmpeg curl util-linux`);
  if (os.availableParallelism() < 2)
    throw new Error("the delivery workload pins nginx and curl apart: 2 cores needed");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--quick"))
    throw new Error(`unknown argument ${args.join(" ")}; usage: npm run bench:pipeline [-- --quick]`);
  const profile = PROFILES[args.includes("--quick") ? "quick" : "full"];
  requireTools();
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[pipeline ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  const ffmpeg = execFileSync("ffmpeg", ["-version"], { encoding: "utf8" }).split("\n")[0];
  log(`profile ${profile.name}, ${profile.runs} runs per figure`);

  const stack = await startStack("bench-pipeline", STACK, { worker: true });
  const interrupted = (signal: NodeJS.Signals) => {
    killEncoders();
    void stack.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  let upload_to_served: Record<string, unknown>;
  let delivery: Record<string, unknown>;
  try {
    upload_to_served = await publishLatency(stack, profile.runs, log);
    delivery = await deliveryUnderLoad(stack, { runs: profile.runs, bytes: profile.deliveryBytes }, log);
  } finally {
    killEncoders();
    await stack.stop();
  }
  const file = {
    generated_at: new Date().toISOString(),
    profile: {
      name: profile.name,
      runs: profile.runs,
      delivery_bytes: profile.deliveryBytes,
      poll_interval_ms: POLL_MS,
      served_limit_ms: SERVED_LIMIT_MS,
    },
    machine: {
      ...machine,
      ffmpeg,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    upload_to_served,
    delivery,
    notes: [
      "Each figure is {median, min, max, n} over the runs; variants alternate which goes first, run by run.",
      "latency_ms: from basic-ftp's upload resolving (the 226) to the response head of the first GET answered 200 whose body was the whole file; complete_ms: to the end of that body (for 100 MiB it adds the client's own reading); polls every 20 ms. described_ms: the same to the first 200 for the file's metadata JSON (the worker's job done).",
      "MB/s is 10^6 bytes per second (curl's speed_download); nginx_cpu_s_per_gb is utime+stime of nginx's workers per 10^9 bytes delivered; encoder_core_share is the encode's CPU seconds per second of the download (1 = all of one core).",
    ],
  };
  // In prettier's form, so `npm run format:check` passes on a fresh results file.
  const options = (await prettier.resolveConfig(OUT)) ?? {};
  fs.writeFileSync(OUT, await prettier.format(JSON.stringify(file), { ...options, filepath: OUT }));
  console.log(
    `${formatPipeline(file)}\n\nWrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  killEncoders();
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
