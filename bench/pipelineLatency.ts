/**
 * Upload → published: from the end of an FTP upload (the 226) to the first HTTP 200 with the
 * whole file, into a verified location (through .incoming, the worker checks and renames) and an
 * immediate one (served as it lands), for a small clip and a ~100 MiB MP4.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import { largeClip } from "./encode";
import { PUBLISH, USER, type Publish } from "./pipelineStack";
import { rounded, summarizeRuns, type Runs } from "./pipelineReport";
import { fixture } from "../test/support/data";
import { upload, withFtp } from "../test/support/ftp";
import { HOST } from "../test/support/ports";
import type { RunningStack } from "../test/support/servers";

export const POLL_MS = 20;
export const SERVED_LIMIT_MS = 60_000;
/** Posters of a 100 MiB upload at nice 19 on a busy machine. */
const DESCRIBED_LIMIT_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  readonly status: number;
  readonly bytes: number;
  /** performance.now() when the response head arrived. */
  readonly headAt: number;
}

/** GET without keeping or hashing the body (hashing 100 MiB would count against the server). */
function get(stack: RunningStack, urlPath: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: HOST, port: stack.httpPort, path: urlPath, agent: false, timeout: 30_000 },
      (res) => {
        const headAt = performance.now();
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, headAt }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${urlPath}: idle for 30 s`)));
    req.on("error", reject);
  });
}

/**
 * Polls urlPath every POLL_MS from `since` until `done` holds for an answer. Returns the
 * milliseconds from `since` to that answer's head (when nginx began serving it) and to the end
 * of its body (which for 100 MiB adds the client's own reading time).
 */
async function pollServed(
  stack: RunningStack,
  urlPath: string,
  since: number,
  limitMs: number,
  done: (r: Answer) => boolean,
): Promise<{ headMs: number; endMs: number; polls: number }> {
  for (let polls = 1; performance.now() - since < limitMs; polls++) {
    const answer = await get(stack, urlPath);
    if (done(answer)) return { headMs: answer.headAt - since, endMs: performance.now() - since, polls };
    await sleep(POLL_MS);
  }
  throw new Error(`${urlPath}: not served within ${limitMs} ms of its upload\n${stack.describe()}`);
}

/**
 * One upload under a new name: the time to the first 200 with the whole file, and to its
 * metadata (the worker's job done), which the next upload waits for so it finds the queue empty.
 */
async function uploadToServed(
  stack: RunningStack,
  data: Buffer,
  publish: Publish,
  name: string,
): Promise<Record<string, number>> {
  const { upload: into, served } = PUBLISH[publish];
  const uploaded = await withFtp(stack, USER, async (c) => {
    const code = await upload(c, data, `${into}${name}`);
    const end = performance.now();
    if (code !== 226) throw new Error(`upload of ${name}: reply ${code}`);
    return end;
  });
  const whole = (r: Answer) => r.status === 200 && r.bytes === data.length;
  const first = await pollServed(stack, `${served}${name}`, uploaded, SERVED_LIMIT_MS, whole);
  const meta = await pollServed(
    stack,
    `/-/meta${served}${name}.json`,
    uploaded,
    DESCRIBED_LIMIT_MS,
    (r) => r.status === 200,
  );
  return {
    latency_ms: first.headMs,
    complete_ms: first.endMs,
    polls: first.polls,
    described_ms: meta.headMs,
  };
}

export async function publishLatency(
  stack: RunningStack,
  runCount: number,
  log: (line: string) => void,
): Promise<Record<string, unknown>> {
  const sizes = [
    { key: "small_clip", data: fixture("sample.mp4") },
    { key: "large_mp4", data: fs.readFileSync(await largeClip(log)) },
  ];
  const runs: Record<string, Record<Publish, Runs>> = {};
  for (const s of sizes) runs[s.key] = { verified: [], immediate: [] };
  for (let r = 0; r < runCount; r++) {
    for (const s of sizes) {
      // Variants take turns going first, so drift falls on both alike.
      const order: Publish[] = r % 2 === 0 ? ["verified", "immediate"] : ["immediate", "verified"];
      for (const publish of order) {
        const figures = await uploadToServed(stack, s.data, publish, `${s.key}-${publish}-${r}.mp4`);
        runs[s.key][publish].push(rounded(figures));
        log(
          `upload → 200: run ${r + 1}/${runCount} ${s.key} ${publish}: ${figures.latency_ms.toFixed(1)} ms`,
        );
      }
    }
  }
  return Object.fromEntries(
    sizes.map((s) => {
      const verified = summarizeRuns(runs[s.key].verified);
      const immediate = summarizeRuns(runs[s.key].immediate);
      const ms = (v: Record<string, { median: number }>) => v.latency_ms.median;
      const extra = { verified_minus_immediate_ms: Math.round((ms(verified) - ms(immediate)) * 10) / 10 };
      return [s.key, { bytes: s.data.length, verified, immediate, ...extra, samples: runs[s.key] }];
    }),
  );
}
