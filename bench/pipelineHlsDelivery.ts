/**
 * HLS delivery: nginx serving the top rendition of a ladder, its init segment and every segment
 * one request after another over one connection, against the source MP4, with nginx on core 0
 * and curl on core 1 as in pipelineDelivery.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLIENT_CORE, nginxProcesses, pinToCore, SERVER_CORE } from "./cpu";
import { run } from "./exec";
import { rounded, summarizeRuns, type Runs } from "./pipelineReport";
import { median, ratio } from "./stats";
import { request } from "../test/support/http";
import { HOST } from "../test/support/ports";
import type { RunningStack } from "../test/support/servers";
import { parseMaster, urisOf } from "../worker/src/playlist";
import type { MediaMetadata } from "../worker/src/settings";

interface Transfer {
  readonly bytes: number;
  /** curl's time_starttransfer and time_total of this transfer alone, in seconds. */
  readonly firstByte: number;
  readonly total: number;
}

/** curl on CLIENT_CORE fetching `urls` in order, every one over the same connection. */
async function fetchInOrder(urls: readonly string[]): Promise<Transfer[]> {
  const format = "%{http_code} %{size_download} %{time_starttransfer} %{time_total} %{num_connects}\\n";
  const outputs = urls.flatMap((u) => ["-o", "/dev/null", u]);
  const done = await run("taskset", ["-c", String(CLIENT_CORE), "curl", "-s", "-w", format, ...outputs], {
    timeoutMs: 120_000,
  });
  const lines = done.stdout
    .trim()
    .split("\n")
    .map((l) => l.split(" ").map(Number));
  const connects = lines.reduce((s, l) => s + l[4], 0);
  if (
    done.code !== 0 ||
    lines.length !== urls.length ||
    lines.some(([code]) => code !== 200) ||
    connects !== 1
  )
    throw new Error(
      `curl of ${urls.length} URLs: exit ${done.code}, ${connects} connections\n${done.stdout}`,
    );
  return lines.map(([, bytes, firstByte, total]) => ({ bytes, firstByte, total }));
}

const sum = (ts: readonly Transfer[], f: (t: Transfer) => number) => ts.reduce((s, t) => s + f(t), 0);

type Delivered = "segments" | "mp4";

/**
 * The last ladder's top rendition (its init segment and every .m4s, in playlist order) against
 * the source MP4, each fetched over and over on one connection until about `bytes` have moved:
 * one pass of 20 s of video lasts a few milliseconds, as long as this VM's scheduling stalls.
 */
export async function hlsDelivery(
  stack: RunningStack,
  o: {
    readonly runs: number;
    readonly bytes: number;
    readonly metadata: MediaMetadata;
    readonly source: string;
  },
  log: (line: string) => void,
): Promise<Record<string, unknown>> {
  const url = (p: string) => `http://${HOST}:${stack.httpPort}${p}`;
  const masterPath = o.metadata.hls?.master ?? "";
  const variants = parseMaster((await request(stack, masterPath)).body.toString());
  const top = variants.reduce((a, b) => (b.height > a.height ? b : a));
  const playlistPath = path.posix.join(path.posix.dirname(masterPath), top.uri);
  const playlist = (await request(stack, playlistPath)).body.toString();
  const pass: Record<Delivered, string[]> = {
    segments: urisOf(playlist).map((u) => url(path.posix.join(path.posix.dirname(playlistPath), u))),
    mp4: [url(o.metadata.url)],
  };
  const { master, workers } = nginxProcesses(stack.webLayout.pidFile);
  pinToCore([master, ...workers], SERVER_CORE);
  // Warm-up: nginx's first open of each file; all of them are in the page cache already.
  const passBytes = {
    segments: sum(await fetchInOrder(pass.segments), (t) => t.bytes),
    mp4: sum(await fetchInOrder(pass.mp4), (t) => t.bytes),
  };
  if (passBytes.mp4 !== fs.statSync(o.source).size) throw new Error(`${pass.mp4[0]}: ${passBytes.mp4} bytes`);
  const passes = {
    segments: Math.ceil(o.bytes / passBytes.segments),
    mp4: Math.ceil(o.bytes / passBytes.mp4),
  };

  const runs: Record<Delivered, Runs> = { segments: [], mp4: [] };
  for (let r = 0; r < o.runs; r++) {
    const order: Delivered[] = r % 2 === 0 ? ["segments", "mp4"] : ["mp4", "segments"];
    for (const what of order) {
      const urls = Array.from({ length: passes[what] }, () => pass[what]).flat();
      const got = await fetchInOrder(urls);
      const bytes = sum(got, (t) => t.bytes);
      if (bytes !== passes[what] * passBytes[what]) throw new Error(`${what}: ${bytes} bytes`);
      const seconds = sum(got, (t) => t.total);
      const first = got.slice(0, pass[what].length);
      const figures: Record<string, number> = {
        mb_per_s: bytes / seconds / 1e6,
        first_pass_mb_per_s: passBytes[what] / sum(first, (t) => t.total) / 1e6,
        // After the first request, which also opens the connection.
        first_byte_ms: median(got.slice(1).map((t) => t.firstByte * 1000)),
      };
      if (what === "segments") figures.requests_per_s = urls.length / seconds;
      runs[what].push(rounded(figures));
      log(`HLS delivery: run ${r + 1}/${o.runs} ${what}: ${figures.mb_per_s.toFixed(0)} MB/s`);
    }
  }
  const segments = summarizeRuns(runs.segments);
  const mp4 = summarizeRuns(runs.mp4);
  return {
    rendition: `${top.width}x${top.height}`,
    files: pass.segments.length,
    segment_bytes: passBytes.segments,
    mp4_bytes: passBytes.mp4,
    passes_per_run: passes,
    client:
      "one curl per run and variant, every URL on its command line: one keep-alive connection (num_connects)",
    pinning: `nginx (master and workers, every thread) on core ${SERVER_CORE}, curl on core ${CLIENT_CORE}`,
    segments,
    mp4,
    segments_vs_mp4: {
      mb_per_s: ratio(segments.mb_per_s.median, mp4.mb_per_s.median),
      first_pass_mb_per_s: ratio(segments.first_pass_mb_per_s.median, mp4.first_pass_mb_per_s.median),
    },
    samples: runs,
  };
}
