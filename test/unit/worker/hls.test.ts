/**
 * The HLS ladder end to end: a real tiny clip (generated with the host's ffmpeg) described,
 * then encoded into a two-rung ladder, published, announced, and removed with its source.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { MediaMetadata, WorkerSettings } from "../../../worker/src/settings";
import { startWorker, type RunningWorker } from "../../../worker/src/worker";
import { SLOW, settingsIn, until as untilDefined } from "./endToEnd";

// Two ffmpeg encodes and a describe job take longer than the unit tier's 5 s.
const REST = "été/clip 1.mp4";
const HOUR_AGO = new Date(Date.now() - 3_600_000);
const stamp = () => "Tue Dec  1 12:48:59 2026";

const log: string[] = [];

const until = <T>(what: string, get: () => T | undefined, timeoutMs?: number) =>
  untilDefined(what, get, log, timeoutMs);

/** Every file and folder below `dir`, '/'-separated and relative. */
function tree(dir: string, prefix = ""): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rest = prefix === "" ? e.name : `${prefix}/${e.name}`;
    return e.isDirectory() ? [`${rest}/`, ...tree(dir, rest)] : [rest];
  });
}

/** A playlist's URIs, read here without the worker's parser. */
const urisIn = (text: string) =>
  text
    .split("\n")
    .flatMap((l) => (l.startsWith("#") ? [...l.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]) : [l.trim()]))
    .filter((u) => u !== "");

describe("an HLS location", () => {
  let root: string;
  let settings: WorkerSettings;
  let worker: RunningWorker;
  let receiver: http.Server;
  const events: { type: string; path: string; metadata: MediaMetadata | null }[] = [];
  const ladder = () => path.join(settings.derivedRoot, "hls/videos", REST);

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-hls-"));
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        events.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));

    const source = path.join(root, "media/videos", REST);
    fs.mkdirSync(path.dirname(source), { recursive: true });
    fs.mkdirSync(path.join(root, "ftp"));
    execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2.5"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=2.5", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source],
    ]);
    fs.utimesSync(source, HOUR_AGO, HOUR_AGO);
    // What a worker killed mid-encode leaves: a temporary version folder of another run.
    const leftover = path.join(
      root,
      "derived/hls/videos",
      REST,
      ".0123456789ab.bbbbbbbbbbbb-12345678.tmp/240p",
    );
    fs.mkdirSync(leftover, { recursive: true });
    fs.writeFileSync(path.join(leftover, "0.m4s"), "half a segment");
    // Described once, then overwritten in place (same size and mtime): its encode fails.
    const broken = path.join(root, "media/videos/broken.mp4");
    fs.writeFileSync(broken, "not a video any more");
    fs.utimesSync(broken, HOUR_AGO, HOUR_AGO);
    fs.mkdirSync(path.join(root, "derived/meta/videos"), { recursive: true });
    fs.writeFileSync(
      path.join(root, "derived/meta/videos/broken.mp4.json"),
      JSON.stringify({
        version: 1,
        kind: "video",
        size: 20,
        modifiedAt: HOUR_AGO.toISOString(),
        sha256: "f".repeat(64),
        width: 320,
        height: 240,
        audioCodec: null,
        durationSeconds: 2,
        hls: null,
      }),
    );

    settings = settingsIn(root, {
      locations: [
        {
          path: "/videos/",
          directory: "videos",
          publish: "immediate",
          hls: {
            renditions: [
              { height: 120, videoBitrate: 100, maxRate: 120, audioBitrate: 32 },
              { height: 240, videoBitrate: 250, maxRate: 300, audioBitrate: 48 },
              { height: 480, videoBitrate: 900, maxRate: 1000, audioBitrate: 64 },
            ],
            segmentSeconds: 1,
          },
        },
      ],
      posterWidth: 64,
      owners: { uploader: { uid: 1234, gid: 1234 }, published: { uid: 0, gid: 0 } },
      webhooks: [
        {
          url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
          secret: "s",
          events: ["file.published", "hls.ready", "file.deleted", "processing.failed"],
        },
      ],
    });
    worker = await startWorker(settings, { pollMs: 25, log: (l) => log.push(l) });
  }, SLOW);

  afterAll(async () => {
    await worker?.stop(1000);
    await new Promise((r) => receiver.close(r));
    fs.rmSync(root, { recursive: true, force: true });
  });

  test(
    "makes a ladder of the rungs no taller than the source, and announces it in the metadata",
    async () => {
      const ready = await until("hls.ready", () => events.find((e) => e.type === "hls.ready"));
      const published = events.find((e) => e.type === "file.published");
      expect(published?.metadata?.hls).toBeNull();
      expect(ready.path).toBe("/videos/%C3%A9t%C3%A9/clip%201.mp4");
      const version = ready.metadata?.sha256.slice(0, 12);
      expect(ready.metadata?.hls).toEqual({
        master: "/_hls/videos/%C3%A9t%C3%A9/clip%201.mp4/master.m3u8",
        renditions: [
          { width: 160, height: 120, bandwidth: expect.any(Number) },
          { width: 320, height: 240, bandwidth: expect.any(Number) },
        ],
      });
      const onDisk = JSON.parse(
        fs.readFileSync(path.join(settings.derivedRoot, "meta/videos", `${REST}.json`), "utf8"),
      );
      expect(onDisk).toEqual(ready.metadata);

      const probed = JSON.parse(
        execFileSync("ffprobe", [
          ...["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height", "-of", "json"],
          path.join(ladder(), "master.m3u8"),
        ]).toString(),
      ) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[] };
      const videos = probed.streams.filter((s) => s.codec_type === "video");
      expect(videos.map((s) => `${s.codec_name} ${s.width}x${s.height}`).sort()).toEqual([
        "h264 160x120",
        "h264 320x240",
      ]);
      expect(probed.streams.filter((s) => s.codec_type === "audio").map((s) => s.codec_name)).toEqual([
        "aac",
        "aac",
      ]);

      const files = tree(ladder());
      expect(files.filter((f) => f.split("/").some((s) => s.startsWith(".")))).toEqual([]);
      expect(files.filter((f) => f.endsWith("/") || !f.includes("p/")).sort()).toEqual([
        `${version}/`,
        `${version}/120p/`,
        `${version}/240p/`,
        `${version}/master.m3u8`,
        "master.m3u8",
      ]);
      const master = fs.readFileSync(path.join(ladder(), "master.m3u8"), "utf8");
      expect(urisIn(master)).toEqual([`${version}/120p/index.m3u8`, `${version}/240p/index.m3u8`]);
      for (const variant of urisIn(master)) {
        const playlist = path.join(ladder(), variant);
        const uris = urisIn(fs.readFileSync(playlist, "utf8"));
        const [init, ...segments] = uris;
        expect(init).toMatch(/\.mp4$/);
        expect(segments.length).toBeGreaterThanOrEqual(3); // 2.5 s in 1 s segments
        for (const s of segments) expect(s).toMatch(/\.m4s$/);
        for (const u of uris) expect(fs.statSync(path.join(path.dirname(playlist), u)).isFile()).toBe(true);
        const at = (u: string) => fs.readFileSync(path.join(path.dirname(playlist), u));
        expect(at(init).subarray(4, 8).toString()).toBe("ftyp");
        expect(at(segments[0]).includes("moof")).toBe(true);
      }
      const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(text).toContain("video_server_hls_ladders_total 1\n");
      expect(text).toMatch(
        /video_server_hls_encode_seconds_total [1-9]|video_server_hls_encode_seconds_total 0\.\d*[1-9]/,
      );
    },
    SLOW,
  );

  test(
    "removes the ladder folder when the source is deleted",
    async () => {
      fs.rmSync(path.join(settings.mediaRoot, "videos", REST));
      fs.appendFileSync(
        settings.ftpLog,
        `${stamp()} [pid 7] [uploader] OK DELETE: Client "127.0.0.1", "/videos/${REST}"\n`,
      );
      await until("file.deleted", () => events.find((e) => e.type === "file.deleted"));
      expect(fs.existsSync(ladder())).toBe(false);
    },
    SLOW,
  );

  test("reports a failed encode once, records it, and leaves no half ladder", async () => {
    const failed = await until("processing.failed", () => events.find((e) => e.type === "processing.failed"));
    expect(failed).toMatchObject({
      path: "/videos/broken.mp4",
      reason: expect.stringMatching(/^HLS ladder failed: ffmpeg exited/),
    });
    const failures = JSON.parse(fs.readFileSync(path.join(settings.stateDir, "failures.json"), "utf8"));
    expect(failures.map((f: { key: string }) => f.key)).toEqual([
      expect.stringMatching(/^videos\/broken\.mp4\|20\|\d+\|hls$/),
    ]);
    expect(fs.existsSync(path.join(settings.derivedRoot, "hls/videos/broken.mp4"))).toBe(false);
    // The rescan after the delete above did not queue it again.
    expect(log.filter((l) => l.startsWith("ladder videos/broken.mp4"))).toHaveLength(1);
  });
});
