/**
 * HLS ladders: the time the worker takes to encode the default ladder of a 1080p upload, per
 * second of source, with ffmpeg free to use every core and restricted to one (what the
 * container's default `processing.cpus: 1` allows). Delivery of the result: pipelineHlsDelivery.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  allowedCores,
  childrenCpuSeconds,
  childrenOf,
  commandOf,
  nginxProcesses,
  pinToCore,
  pinToCores,
  SERVER_CORE,
} from "./cpu";
import { HLS, USER } from "./pipelineStack";
import { rounded, summarizeRuns, type Runs } from "./pipelineReport";
import { ratio } from "./stats";
import { upload, withFtp } from "../test/support/ftp";
import { request } from "../test/support/http";
import type { RunningStack } from "../test/support/servers";
import type { MediaMetadata } from "../worker/src/settings";

export const HLS_POLL_MS = 100;
const DESCRIBED_LIMIT_MS = 180_000;
/** A ladder at a twentieth of real time on a busy machine is still a result, not a hang. */
const ladderLimitMs = (sourceSeconds: number) => 120_000 + 20_000 * sourceSeconds;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** host: the worker's affinity as started (every core); one_core: taskset -c 0, as `cpus: 1` caps it. */
type Cpu = "host" | "one_core";

/** The worker's HLS counters from its /metrics. */
async function ladderCounters(stack: RunningStack): Promise<{ seconds: number; ladders: number }> {
  const text = (await request({ httpPort: stack.ports.metrics }, "/metrics")).body.toString();
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
    if (m === null) throw new Error(`the worker's /metrics has no ${name}`);
    return Number(m[1]);
  };
  return {
    seconds: value("video_server_hls_encode_seconds_total"),
    ladders: value("video_server_hls_ladders_total"),
  };
}

/** Cpus_allowed_list of the worker's running ffmpeg children, to show that the pinning took. */
function ffmpegCores(workerPid: number): string[] {
  return childrenOf(workerPid)
    .filter((pid) => commandOf(pid) === "ffmpeg")
    .flatMap((pid) => {
      try {
        return allowedCores(pid);
      } catch {
        return []; // exited meanwhile
      }
    });
}

interface Ladder {
  readonly figures: Record<string, number>;
  readonly metadata: MediaMetadata;
  readonly cores: string[];
}

/**
 * One upload under a new name, then its metadata every HLS_POLL_MS: the first 200 is the
 * describe job done, `hls` non-null the ladder job done. The ladder's time is the difference.
 */
async function ladderOnce(
  stack: RunningStack,
  worker: number,
  source: Buffer,
  seconds: number,
  name: string,
): Promise<Ladder> {
  const before = await ladderCounters(stack);
  const uploaded = await withFtp(stack, USER, async (c) => {
    const code = await upload(c, source, `${HLS.upload}${name}`);
    const end = performance.now();
    if (code !== 226) throw new Error(`upload of ${name}: reply ${code}`);
    return end;
  });
  const metaPath = `/-/meta${HLS.served}${name}.json`;
  const cores = new Set<string>();
  let described: { at: number; cpu: number } | undefined;
  for (let polls = 0; polls < 100_000; polls++) {
    const now = performance.now();
    const limit =
      described === undefined ? uploaded + DESCRIBED_LIMIT_MS : described.at + ladderLimitMs(seconds);
    if (now > limit)
      throw new Error(`${metaPath}: no ${described ? "ladder" : "metadata"} in time\n${stack.describe()}`);
    const res = await request(stack, metaPath);
    const at = performance.now();
    if (res.status === 200) {
      const metadata = JSON.parse(res.body.toString()) as MediaMetadata;
      // Children's CPU counts once they are reaped: the describe job's are, the ladder's not yet.
      described ??= { at, cpu: childrenCpuSeconds(worker) };
      if (metadata.hls !== null) {
        const after = await ladderCounters(stack);
        if (after.ladders !== before.ladders + 1)
          throw new Error(`${name}: ${after.ladders - before.ladders} ladders`);
        const ladderS = (at - described.at) / 1000;
        const cpuS = childrenCpuSeconds(worker) - described.cpu;
        const encodeS = after.seconds - before.seconds;
        const figures = {
          upload_to_described_s: (described.at - uploaded) / 1000,
          ladder_s: ladderS,
          encode_factor: ladderS / seconds,
          metrics_encode_s: encodeS,
          ffmpeg_cpu_s: cpuS,
          cpu_s_per_source_s: cpuS / seconds,
          cores_used: encodeS > 0 ? cpuS / encodeS : 0,
        };
        return { figures, metadata, cores: [...cores] };
      }
      for (const c of ffmpegCores(worker)) cores.add(c);
    }
    await sleep(HLS_POLL_MS);
  }
  throw new Error(`${metaPath}: too many polls`);
}

export async function hlsLadder(
  stack: RunningStack,
  o: { readonly runs: number; readonly source: string; readonly seconds: number },
  log: (line: string) => void,
): Promise<{ record: Record<string, unknown>; metadata: MediaMetadata }> {
  const worker = stack.worker?.pid;
  if (worker === undefined) throw new Error("the HLS workload needs the stack's worker");
  const nice = (JSON.parse(fs.readFileSync(stack.workerLayout.settingsFile, "utf8")) as { nice: number })
    .nice;
  const asStarted = [...new Set(allowedCores(worker))].join(",");
  const affinity: Record<Cpu, string> = { host: asStarted, one_core: String(SERVER_CORE) };
  const source = fs.readFileSync(o.source);
  const { master } = nginxProcesses(stack.webLayout.pidFile);
  pinToCore([master, ...childrenOf(master)], SERVER_CORE);
  const runs: Record<Cpu, Runs> = { host: [], one_core: [] };
  const seen: Record<Cpu, Set<string>> = { host: new Set(), one_core: new Set() };
  let metadata: MediaMetadata | undefined;
  try {
    for (let r = 0; r < o.runs; r++) {
      const order: Cpu[] = r % 2 === 0 ? ["host", "one_core"] : ["one_core", "host"];
      for (const cpu of order) {
        // taskset -a on the worker: ffmpeg (through `nice`) inherits the affinity it is spawned with.
        pinToCores([worker], affinity[cpu]);
        const done = await ladderOnce(stack, worker, source, o.seconds, `ladder-${cpu}-${r}.mp4`);
        runs[cpu].push(rounded(done.figures));
        done.cores.forEach((c) => seen[cpu].add(c));
        metadata = done.metadata;
        log(`HLS ladder: run ${r + 1}/${o.runs} ${cpu}: ${done.figures.ladder_s.toFixed(1)} s`);
      }
    }
  } finally {
    if (stack.worker?.running()) pinToCores([worker], asStarted);
  }
  if (metadata === undefined) throw new Error("no ladder was made");
  const host = summarizeRuns(runs.host);
  const oneCore = summarizeRuns(runs.one_core);
  const record = {
    source: {
      file: path.basename(o.source),
      bytes: source.length,
      seconds: metadata.durationSeconds,
      size: `${metadata.width}x${metadata.height}`,
      bit_rate: metadata.bitRate,
    },
    renditions: metadata.hls?.renditions,
    worker_nice: nice,
    container_cpus: stack.spec.processing?.cpus,
    affinity: {
      host: `${affinity.host} (as the worker started)`,
      one_core: `taskset -a -c ${affinity.one_core}`,
    },
    ffmpeg_allowed_cores: { host: [...seen.host], one_core: [...seen.one_core] },
    host,
    one_core: oneCore,
    one_core_vs_host: {
      encode_factor: ratio(oneCore.encode_factor.median, host.encode_factor.median),
      cpu_s_per_source_s: ratio(oneCore.cpu_s_per_source_s.median, host.cpu_s_per_source_s.median),
    },
    samples: runs,
  };
  return { record, metadata };
}
