/**
 * npm run bench:pipeline [-- --quick]
 *
 * The media pipeline on the services tier's harness (real vsftpd, nginx and media worker on
 * 127.0.0.1, with the program's rendered files):
 * 1. from the end of an FTP upload (the 226) to the first HTTP 200 with the whole file, for a
 *    `publish: verified` location and an `immediate` one, with a small clip and a ~100 MiB MP4;
 * 2. nginx delivering a large file to curl, idle and while an H.264 encode runs at the worker's
 *    niceness, with nginx and the encode on core 0 and curl on core 1;
 * 3. in a stack of its own with `hls: {}`, the worker's time to encode the default ladder of a
 *    1080p upload per second of source, on every core and on one, and nginx serving the top
 *    rendition's segments against the source MP4.
 * Writes bench/pipeline-results.json and prints two tables. Reports figures, asserts none. Needs
 * root, nginx, vsftpd, libpam-pwdfile, ffmpeg, curl and taskset.
 */
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { hlsSource, killEncoders } from "./encode";
import { writeResultsFile } from "./resultsFile";
import { describeMachine } from "./machine";
import { deliveryUnderLoad } from "./pipelineDelivery";
import { HLS_POLL_MS, hlsLadder } from "./pipelineHls";
import { hlsDelivery } from "./pipelineHlsDelivery";
import { POLL_MS, publishLatency, SERVED_LIMIT_MS } from "./pipelineLatency";
import { formatPipeline } from "./pipelineReport";
import { HLS_STACK, STACK } from "./pipelineStack";
import { startStack, type RunningStack } from "../test/support/servers";

const OUT = path.join(__dirname, "pipeline-results.json");
const MiB = 1024 * 1024;

interface Profile {
  readonly name: "full" | "quick";
  /** Runs of every figure and variant. */
  readonly runs: number;
  readonly deliveryBytes: number;
  /** Length of the HLS workload's 1080p source. */
  readonly hlsSeconds: number;
  /** Bytes of segments, and of the MP4, each HLS delivery run moves (whole passes). */
  readonly hlsDeliveryBytes: number;
}
const PROFILES: Record<Profile["name"], Profile> = {
  full: { name: "full", runs: 9, deliveryBytes: 1024 * MiB, hlsSeconds: 20, hlsDeliveryBytes: 256 * MiB },
  quick: { name: "quick", runs: 3, deliveryBytes: 256 * MiB, hlsSeconds: 10, hlsDeliveryBytes: 64 * MiB },
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

  const hlsFile = await hlsSource(profile.hlsSeconds, log);
  // One stack at a time; an interrupt stops the one running.
  let running: RunningStack | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    killEncoders();
    void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const withStack = async <T>(name: string, config: typeof STACK, fn: (s: RunningStack) => Promise<T>) => {
    running = await startStack(name, config, { worker: true });
    try {
      return await fn(running);
    } finally {
      killEncoders();
      await running.stop();
      running = undefined;
    }
  };
  const { upload_to_served, delivery } = await withStack("bench-pipeline", STACK, async (stack) => ({
    upload_to_served: await publishLatency(stack, profile.runs, log),
    delivery: await deliveryUnderLoad(stack, { runs: profile.runs, bytes: profile.deliveryBytes }, log),
  }));
  const { hls_ladder, hls_delivery } = await withStack("bench-pipeline-hls", HLS_STACK, async (stack) => {
    const ladder = await hlsLadder(
      stack,
      { runs: profile.runs, source: hlsFile, seconds: profile.hlsSeconds },
      log,
    );
    const served = await hlsDelivery(
      stack,
      { runs: profile.runs, bytes: profile.hlsDeliveryBytes, ...ladder, source: hlsFile },
      log,
    );
    return { hls_ladder: ladder.record, hls_delivery: served };
  });
  const file = {
    generated_at: new Date().toISOString(),
    profile: {
      name: profile.name,
      runs: profile.runs,
      delivery_bytes: profile.deliveryBytes,
      poll_interval_ms: POLL_MS,
      served_limit_ms: SERVED_LIMIT_MS,
      hls_source_seconds: profile.hlsSeconds,
      hls_delivery_bytes: profile.hlsDeliveryBytes,
      hls_poll_interval_ms: HLS_POLL_MS,
    },
    machine: {
      ...machine,
      ffmpeg,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    upload_to_served,
    delivery,
    hls_ladder,
    hls_delivery,
    notes: [
      "Each figure is {median, min, max, n} over the runs; variants alternate which goes first, run by run.",
      "latency_ms: from basic-ftp's upload resolving (the 226) to the response head of the first GET answered 200 whose body was the whole file; complete_ms: to the end of that body (for 100 MiB it adds the client's own reading); polls every 20 ms. described_ms: the same to the first 200 for the file's metadata JSON (the worker's job done).",
      "MB/s is 10^6 bytes per second (curl's speed_download); nginx_cpu_s_per_gb is utime+stime of nginx's workers per 10^9 bytes delivered; encoder_core_share is the encode's CPU seconds per second of the download (1 = all of one core).",
      "hls_ladder: a 1080p30 MP4 (testsrc2 and a sine tone, x264 at ~8 Mb/s) uploaded by FTP into a location with `hls: {}` (the default 360p/720p/1080p ladder), a new name each run, its metadata JSON polled every 100 ms. upload_to_described_s: the 226 to the first 200 (the describe job); ladder_s: from that to the first answer whose `hls` is not null (the ladder job, ±0.1 s); encode_factor: ladder_s per second of source (1 = real time; also minutes of encoding per minute of video); metrics_encode_s: the increase of the worker's video_server_hls_encode_seconds_total (ffmpeg's run alone); ffmpeg_cpu_s: the worker's cutime+cstime over the ladder job (its ffmpeg's CPU); cores_used: ffmpeg_cpu_s / metrics_encode_s.",
      "hls_ladder variants: host = the worker's affinity as started (every core; the container's processing.cpus limit does not exist on the host); one_core = the worker pinned with taskset -a -c 0 before the upload, which its ffmpeg inherits (ffmpeg_allowed_cores shows what ffmpeg's threads had), the closest the host gets to the default cpus: 1. ffmpeg runs at the worker's nice (worker_nice).",
      "hls_delivery: the last ladder's top rendition, its init segment and every .m4s in playlist order, against the source MP4; each run one curl per variant (every URL on its command line: one keep-alive connection, checked by num_connects) repeating its pass until hls_delivery_bytes have moved (passes_per_run), one warm-up pass before, nginx on core 0, curl on core 1. mb_per_s = bytes / the sum of curl's time_total per transfer / 10^6 (the gaps between transfers, microseconds, not counted); first_pass_mb_per_s = the same for the first pass alone (every segment once, the MP4 once); first_byte_ms: the median time_starttransfer of the transfers after the first; requests_per_s = files / that sum.",
    ],
  };
  await writeResultsFile(OUT, file);
  console.log(
    `${formatPipeline(file)}\n\nWrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`,
  );
}

main().catch((e: unknown) => {
  killEncoders();
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
