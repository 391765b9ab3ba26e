/** Workload 1: one large video from the page cache, 1 stream and 8 streams, against iperf3. */
import * as path from "node:path";
import { httpPort, type BenchEnv } from "../env";
import { makeFile } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result, type Variant } from "../report";
import { httpDownloads, iperf } from "../transfers";

const URL_PATH = "/videos/large.mp4";

export async function largeFile(env: BenchEnv): Promise<Result[]> {
  const bytes = env.profile.largeFileBytes;
  makeFile(path.join(env.media, URL_PATH), bytes);
  const measure = (streams: number) => async (variant: Variant) => ({
    throughput:
      variant === "loopback"
        ? await iperf(env.iperfPort, streams, bytes)
        : await httpDownloads(httpPort(env, variant), URL_PATH, streams, bytes),
  });
  const variants = ["generated", "baseline", "loopback"] as const;
  const one = await rounds("large file, 1 stream", env.profile.runs, variants, env.log, measure(1));
  const eight = await rounds("large file, 8 streams", env.profile.runs, variants, env.log, measure(8));
  const units = { throughput: "MB/s" };
  return [...toResults(W.large1, one, units), ...toResults(W.large8, eight, units)];
}
