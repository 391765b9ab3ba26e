/** Workload 1: one large video from the page cache, 1 stream and 8 streams, every HTTP server. */
import * as path from "node:path";
import { HTTP_VARIANTS, target, type BenchEnv, type HttpTarget } from "../env";
import { makeFile } from "../media";
import { rounds, toResults, type Collected } from "../measure";
import { W, type Result, type Variant } from "../report";
import { cpuFigures } from "../stats";
import { httpDownloads } from "../transfers";

const URL_PATH = "/videos/large.mp4";
export const LARGE_UNITS = { throughput: "MB/s", cpu_s_per_gb: "s/GB" };

/** `streams` downloads of `bytes` at once from one server: MB/s together and the server's CPU per GB. */
export async function downloadFigures(
  server: HttpTarget,
  urlPath: string,
  streams: number,
  bytes: number,
): Promise<{ throughput: number; cpu_s_per_gb: number }> {
  const before = server.cpu();
  const throughput = await httpDownloads(server, urlPath, streams, bytes);
  const { cpu_s_per_gb } = cpuFigures(server.cpu() - before, bytes * streams, streams);
  return { throughput, cpu_s_per_gb };
}

/** Runs of each variant's downloads, taking turns. */
export function largeRounds(
  label: string,
  env: BenchEnv,
  variants: readonly Variant[],
  serverOf: (variant: Variant) => HttpTarget,
  urlPath: string,
  streams: number,
  bytes: number,
): Promise<Collected<keyof typeof LARGE_UNITS>> {
  return rounds(label, env.profile.runs, variants, env.log, (variant) =>
    downloadFigures(serverOf(variant), urlPath, streams, bytes),
  );
}

export async function largeFile(env: BenchEnv): Promise<Result[]> {
  const bytes = env.profile.largeFileBytes;
  makeFile(path.join(env.media, URL_PATH), bytes);
  const serverOf = (v: Variant) => target(env, v);
  for (const v of HTTP_VARIANTS) await downloadFigures(serverOf(v), URL_PATH, 1, bytes); // warm-up
  const one = await largeRounds("large file, 1 stream", env, HTTP_VARIANTS, serverOf, URL_PATH, 1, bytes);
  const eight = await largeRounds("large file, 8 streams", env, HTTP_VARIANTS, serverOf, URL_PATH, 8, bytes);
  return [...toResults(W.large1, one, LARGE_UNITS), ...toResults(W.large8, eight, LARGE_UNITS)];
}
