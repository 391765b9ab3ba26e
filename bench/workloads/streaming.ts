/** Workload 2: many players reading successive 1 MiB ranges of one video (wrk, bench/lua/ranges.lua). */
import * as path from "node:path";
import { HTTP_VARIANTS, httpPort, type BenchEnv } from "../env";
import { makeFile } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result } from "../report";
import { runWrk, WRK_UNITS } from "../wrk";

const URL_PATH = "/videos/stream.mp4";

export async function streaming(env: BenchEnv): Promise<Result[]> {
  const { profile } = env;
  makeFile(path.join(env.media, URL_PATH), profile.streamFileBytes);
  const results: Result[] = [];
  for (const connections of profile.streamConnections) {
    const collected = await rounds(
      `streaming, ${connections} connections`,
      profile.runs,
      HTTP_VARIANTS,
      env.log,
      (variant) =>
        runWrk({
          port: httpPort(env, variant),
          urlPath: URL_PATH,
          connections,
          seconds: profile.wrkSeconds,
          script: "ranges",
          scriptArgs: [String(profile.streamFileBytes), String(profile.rangeBytes)],
          tmpDir: env.tmp,
        }),
    );
    results.push(...toResults(W.stream(connections), collected, WRK_UNITS));
  }
  return results;
}
