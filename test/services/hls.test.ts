/**
 * HLS ladders end to end on real servers: the worker process encodes an uploaded clip into an
 * fMP4 ladder, nginx serves it with the types and cache rules players need, a playlist is never
 * seen half-written, ffprobe reads every rendition over HTTP, and the ladder goes with its source.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeClip } from "../support/clips";
import { upload, withFtp } from "../support/ftp";
import { request, type HttpResponse } from "../support/http";
import { HOST } from "../support/ports";
import { startStack, type RunningStack } from "../support/servers";
import { pollUntil } from "../support/wait";
import type { MediaMetadata } from "../../worker/src/settings";

const WAIT_MS = 90_000;
const LADDER = {
  renditions: [
    { height: 144, videoBitrate: 150, maxRate: 170, audioBitrate: 48 },
    { height: 240, videoBitrate: 400, maxRate: 450, audioBitrate: 64 },
  ],
  segmentSeconds: 1,
};

/** URIs a playlist names (its non-comment lines), resolved against the playlist's URL path. */
function urisOf(playlist: string, base: string): string[] {
  const dir = base.slice(0, base.lastIndexOf("/") + 1);
  const uris = playlist.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  const maps = [...playlist.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1]);
  return [...maps, ...uris].map((u) => path.posix.normalize(`${dir}${u}`));
}

describe("HLS ladders (vsftpd, nginx and the worker on 127.0.0.1)", () => {
  let stack: RunningStack;
  const master = "/-/hls/videos/clip.mp4/master.m3u8";
  /** Every answer the master URL gave while the ladder was being made. */
  const seen: HttpResponse[] = [];
  const incomplete: string[] = [];

  const get = (urlPath: string) => request(stack, urlPath);
  /** A master playlist whose every variant playlist is complete and every file there. */
  async function problemsOf(masterBody: string): Promise<string[]> {
    const problems: string[] = [];
    const variants = urisOf(masterBody, master);
    if (variants.length < LADDER.renditions.length) problems.push(`${variants.length} variants`);
    for (const v of variants) {
      const res = await get(v);
      const text = res.body.toString();
      if (res.status !== 200 || !text.includes("#EXT-X-ENDLIST")) problems.push(`${v}: ${res.status}`);
      for (const file of urisOf(text, v)) {
        const seg = await request(stack, file, { method: "HEAD" });
        if (seg.status !== 200) problems.push(`${file}: ${seg.status}`);
      }
    }
    return problems;
  }

  beforeAll(async () => {
    const clip = fs.readFileSync(makeClip({ width: 426, height: 240, seconds: 4 }));
    stack = await startStack(
      "services-hls",
      {
        ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
        http: {
          bindAddress: "127.0.0.1",
          gallery: { enabled: false },
          locations: [{ path: "/videos/", directory: "videos", hls: LADDER, corsOrigins: ["*"] }],
        },
      },
      { worker: true },
    );
    await withFtp(stack, "uploader", (c) => upload(c, clip, "/videos/clip.mp4"));
    // Poll while the worker encodes: each answer must be a 404 or a whole ladder.
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const res = await get(master);
      seen.push(res);
      if (res.status === 200) {
        incomplete.push(...(await problemsOf(res.body.toString())));
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("answers the master playlist's URL with 404 until the whole ladder is there, never a part of it", () => {
    // Polled while the worker encoded: 404s first, then one whole ladder.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.map((r) => r.status).filter((s) => s !== 404)).toEqual([200]);
    expect(incomplete).toEqual([]);
  });

  it("serves playlists as HLS, revalidated, and fMP4 segments as immutable, with the location's CORS", async () => {
    const res = await get(master);
    expect(res.headers["content-type"]).toBe("application/vnd.apple.mpegurl");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    const variant = urisOf(res.body.toString(), master)[0];
    const files = urisOf((await get(variant)).body.toString(), variant);
    const segment = await get(files.find((f) => f.endsWith(".m4s")) ?? "");
    expect(segment.status).toBe(200);
    expect(segment.headers["content-type"]).toBe("video/iso.segment");
    expect(segment.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const init = await get(files[0]);
    expect(init.headers["content-type"]).toBe("video/mp4");
  });

  it("is read by ffprobe over HTTP with every rendition at its resolution", async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        "ffprobe",
        [
          "-v",
          "error",
          "-show_entries",
          "stream=width,height",
          "-of",
          "json",
          `http://${HOST}:${stack.httpPort}${master}`,
        ],
        { timeout: 60_000 },
        (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const streams = (JSON.parse(out) as { streams: { width?: number; height?: number }[] }).streams;
    const sizes = new Set(streams.filter((s) => s.width !== undefined).map((s) => `${s.width}x${s.height}`));
    expect([...sizes].sort()).toEqual(["256x144", "426x240"]);
  });

  it("lists the ladder in the file's metadata", async () => {
    const meta = JSON.parse((await get("/-/meta/videos/clip.mp4.json")).body.toString()) as MediaMetadata;
    expect(meta.hls?.master).toBe(master);
    expect(meta.hls?.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(["256x144", "426x240"]);
    expect(meta.hls?.renditions.every((r) => r.bandwidth > 0)).toBe(true);
  });

  it("removes the ladder once its source is deleted", async () => {
    await withFtp(stack, "uploader", (c) => c.remove("/videos/clip.mp4"));
    const gone = await pollUntil(
      () => get(master),
      (r) => r.status === 404,
      WAIT_MS,
    );
    expect(gone.status).toBe(404);
    expect(fs.existsSync(path.join(stack.workerLayout.derivedRoot, "hls/videos/clip.mp4"))).toBe(false);
  });
});
