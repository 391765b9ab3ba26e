/**
 * Workload 5: from the end of an FTP upload (the 226 reply) to the first HTTP 200 with the whole
 * file, served by the generated nginx and by the seed, which serve the folder vsftpd writes;
 * polling is bounded.
 */
import { randomBytes } from "node:crypto";
import { FTP_USER, target, type BenchEnv } from "../env";
import { rounds, toResults } from "../measure";
import { W, type Result } from "../report";
import { upload, withFtp } from "../../test/support/ftp";
import { request as httpGet } from "../../test/support/http";

const POLL_LIMIT_MS = 5_000;

export async function uploadVisible(env: BenchEnv): Promise<Result[]> {
  const data = randomBytes(env.profile.visibleFileBytes);
  const collected = await rounds(
    "upload → visible",
    env.profile.runs,
    ["generated", "seed"],
    env.log,
    async (variant, run) => {
      const urlPath = `/videos/visible-${variant}-${run}.mp4`;
      const endpoint = { ...env.stack, httpPort: target(env, variant).port };
      await withFtp(endpoint, FTP_USER, (c) => upload(c, data, urlPath));
      const uploaded = performance.now();
      for (let polls = 1; performance.now() - uploaded < POLL_LIMIT_MS; polls++) {
        const res = await httpGet(endpoint, urlPath);
        if (res.status === 200 && res.body.length === data.length)
          return { latency: performance.now() - uploaded, polls };
      }
      throw new Error(`${urlPath} not served by ${variant} within ${POLL_LIMIT_MS} ms of its upload`);
    },
  );
  return toResults(W.visible, collected, { latency: "ms", polls: "count" });
}
