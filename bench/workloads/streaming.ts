/** Workload 2: many players reading successive 1 MiB ranges of one video (wrk, bench/lua/ranges.lua). */
import * as path from "node:path";
import { HTTP_VARIANTS, target, type BenchEnv, type HttpTarget } from "../env";
import { makeFile } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result, type Variant } from "../report";
import { runWrk, WRK_CPU_UNITS } from "../wrk";

export const STREAM_PATH = "/videos/stream.mp4";

/** One run of `connections` players against one server. */
export function streamRun(env: BenchEnv, server: HttpTarget, connections: number) {
  return runWrk({
    server,
    urlPath: STREAM_PATH,
    connections,
    seconds: env.profile.wrkSeconds,
    script: "ranges",
    scriptArgs: [String(env.profile.streamFileBytes), String(env.profile.rangeBytes)],
    tmpDir: env.tmp,
  });
}

export function makeStreamFile(env: BenchEnv, media: string): void {
  makeFile(path.join(media, STREAM_PATH), env.profile.streamFileBytes);
}

export async function streaming(env: BenchEnv): Promise<Result[]> {
  makeStreamFile(env, env.media);
  const results: Result[] = [];
  for (const connections of env.profile.streamConnections) {
    const collected = await rounds(
      `streaming, ${connections} connections`,
      env.profile.runs,
      HTTP_VARIANTS,
      env.log,
      (variant: Variant) => streamRun(env, target(env, variant), connections),
    );
    results.push(...toResults(W.stream(connections), collected, WRK_CPU_UNITS));
  }
  return results;
}
