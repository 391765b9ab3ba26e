/** Workload 3: many small images, each request a different file (wrk, bench/lua/paths.lua). */
import * as path from "node:path";
import { HTTP_VARIANTS, target, type BenchEnv, type HttpTarget } from "../env";
import { makeFiles } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result } from "../report";
import { runWrk, WRK_CPU_UNITS } from "../wrk";

const PREFIX = "/images/img-";
const SUFFIX = ".jpg";

export function makeSmallFiles(env: BenchEnv, media: string): void {
  const { imageCount, imageBytes } = env.profile;
  makeFiles(path.join(media, "images"), "img-", SUFFIX, imageCount, imageBytes);
}

/** One run of small-file requests against one server. */
export function smallFilesRun(env: BenchEnv, server: HttpTarget) {
  return runWrk({
    server,
    urlPath: "/",
    connections: env.profile.smallFileConnections,
    seconds: env.profile.wrkSeconds,
    script: "paths",
    scriptArgs: [PREFIX, SUFFIX, String(env.profile.imageCount)],
    tmpDir: env.tmp,
  });
}

export async function smallFiles(env: BenchEnv): Promise<Result[]> {
  makeSmallFiles(env, env.media);
  const collected = await rounds(
    `small files (${env.profile.imageCount})`,
    env.profile.runs,
    HTTP_VARIANTS,
    env.log,
    (variant) => smallFilesRun(env, target(env, variant)),
  );
  return toResults(W.small, collected, WRK_CPU_UNITS);
}
