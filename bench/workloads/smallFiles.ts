/** Workload 3: many small images, each request a different file (wrk, bench/lua/paths.lua). */
import * as path from "node:path";
import { HTTP_VARIANTS, httpPort, type BenchEnv } from "../env";
import { makeFiles } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result } from "../report";
import { runWrk, WRK_UNITS } from "../wrk";

const PREFIX = "/images/img-";
const SUFFIX = ".jpg";

export async function smallFiles(env: BenchEnv): Promise<Result[]> {
  const { profile } = env;
  makeFiles(path.join(env.media, "images"), "img-", SUFFIX, profile.imageCount, profile.imageBytes);
  const collected = await rounds(
    `small files (${profile.imageCount})`,
    profile.runs,
    HTTP_VARIANTS,
    env.log,
    (variant) =>
      runWrk({
        port: httpPort(env, variant),
        urlPath: "/",
        connections: profile.smallFileConnections,
        seconds: profile.wrkSeconds,
        script: "paths",
        scriptArgs: [PREFIX, SUFFIX, String(profile.imageCount)],
        tmpDir: env.tmp,
      }),
  );
  return toResults(W.small, collected, WRK_UNITS);
}
