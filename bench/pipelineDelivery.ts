/**
 * Delivery while an encode runs: curl downloads a large file from nginx, idle and while an H.264
 * encode runs at the worker's niceness beside nginx. nginx and the encode share one core, curl
 * has the other, so the encode competes with nginx alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLIENT_CORE, cpuSeconds, nginxProcesses, pinToCore, SERVER_CORE } from "./cpu";
import { encoderCommand, startEncoder } from "./encode";
import { run } from "./exec";
import { makeFile } from "./media";
import { PUBLISH } from "./pipelineStack";
import { rounded, summarizeRuns, type Runs } from "./pipelineReport";
import { ratio } from "./stats";
import { HOST } from "../test/support/ports";
import type { RunningStack } from "../test/support/servers";

/** Lets the encode get past x264's start-up (lookahead) before the download begins. */
const ENCODER_WARMUP_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function download(url: string, bytes: number): Promise<number> {
  const curl = ["-c", String(CLIENT_CORE), "curl", "-s", "-o", "/dev/null"];
  const done = await run("taskset", [...curl, "-w", "%{http_code} %{size_download} %{speed_download}", url], {
    timeoutMs: 300_000,
  });
  const [code, size, speed] = done.stdout.trim().split(" ").map(Number);
  if (done.code !== 0 || code !== 200 || size !== bytes)
    throw new Error(`curl ${url}: exit ${done.code}, HTTP ${code}, ${size} of ${bytes} bytes`);
  return speed;
}

type Load = "idle" | "busy";

export async function deliveryUnderLoad(
  stack: RunningStack,
  sizes: { readonly runs: number; readonly bytes: number },
  log: (line: string) => void,
): Promise<Record<string, unknown>> {
  const nice = (JSON.parse(fs.readFileSync(stack.workerLayout.settingsFile, "utf8")) as { nice: number })
    .nice;
  const { directory, served } = PUBLISH.immediate;
  fs.mkdirSync(path.join(stack.dirs.media, directory), { recursive: true });
  makeFile(path.join(stack.dirs.media, directory, "delivery.bin"), sizes.bytes);
  const url = `http://${HOST}:${stack.httpPort}${served}delivery.bin`;
  const { master, workers } = nginxProcesses(stack.webLayout.pidFile);
  pinToCore([master, ...workers], SERVER_CORE);
  await download(url, sizes.bytes); // warm-up: nginx's first open, the page cache

  const once = async (load: Load): Promise<Record<string, number>> => {
    const encoder = load === "busy" ? startEncoder(nice, SERVER_CORE) : undefined;
    try {
      if (encoder !== undefined) await sleep(ENCODER_WARMUP_MS);
      if (encoder !== undefined && !encoder.running()) throw new Error("the encode exited at start");
      const nginxCpu = () => workers.reduce((s, pid) => s + cpuSeconds(pid), 0);
      const encoderCpu = () => (encoder === undefined ? 0 : cpuSeconds(encoder.pid));
      const before = { nginx: nginxCpu(), encoder: encoderCpu(), at: performance.now() };
      const speed = await download(url, sizes.bytes);
      const seconds = (performance.now() - before.at) / 1000;
      const after = { nginx: nginxCpu(), encoder: encoderCpu() };
      if (encoder !== undefined && !encoder.running()) throw new Error("the encode ended mid-download");
      const gb = sizes.bytes / 1e9;
      const figures: Record<string, number> = {
        mb_per_s: speed / 1e6,
        nginx_cpu_s_per_gb: (after.nginx - before.nginx) / gb,
      };
      if (encoder !== undefined) figures.encoder_core_share = (after.encoder - before.encoder) / seconds;
      return figures;
    } finally {
      await encoder?.kill();
    }
  };

  const runs: Record<Load, Runs> = { idle: [], busy: [] };
  for (let r = 0; r < sizes.runs; r++) {
    const order: Load[] = r % 2 === 0 ? ["idle", "busy"] : ["busy", "idle"];
    for (const load of order) {
      const figures = await once(load);
      runs[load].push(rounded(figures));
      log(`delivery: run ${r + 1}/${sizes.runs} ${load}: ${figures.mb_per_s.toFixed(0)} MB/s`);
    }
  }
  const idle = summarizeRuns(runs.idle);
  const busy = summarizeRuns(runs.busy);
  return {
    file_bytes: sizes.bytes,
    encoder: encoderCommand(nice, SERVER_CORE).join(" "),
    pinning: `nginx (master and workers, every thread) on core ${SERVER_CORE}, curl on core ${CLIENT_CORE}`,
    idle,
    busy,
    busy_vs_idle: {
      mb_per_s: ratio(busy.mb_per_s.median, idle.mb_per_s.median),
      nginx_cpu_s_per_gb: ratio(busy.nginx_cpu_s_per_gb.median, idle.nginx_cpu_s_per_gb.median),
    },
    samples: runs,
  };
}
