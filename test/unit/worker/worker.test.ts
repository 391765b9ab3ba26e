/**
 * The worker end to end without vsftpd: log lines as vsftpd writes them are appended to the log
 * it follows, a real tiny clip is processed by ffprobe and ffmpeg, and webhook receivers on
 * 127.0.0.1 record what they get.
 */
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { WorkerSettings } from "../../../worker/src/settings";
import { startWorker, type RunningWorker } from "../../../worker/src/worker";
import { SLOW, settingsIn, until as untilDefined } from "./endToEnd";

// ffmpeg runs and a webhook retry (1 s backoff) take longer than the unit tier's 5 s.
const UPLOADER = { uid: 1234, gid: 1234 };

interface Received {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const stamp = () => "Tue Dec  1 12:48:59 2026";
const uploadLine = (p: string, bytes: number) =>
  `${stamp()} [pid 7] [uploader] OK UPLOAD: Client "127.0.0.1", "${p}", ${bytes} bytes, 100.00Kbyte/sec\n`;

/** The worker's log lines, shown when a wait times out. */
const log: string[] = [];

const until = <T>(what: string, get: () => T | undefined, timeoutMs?: number) =>
  untilDefined(what, get, log, timeoutMs);

describe("the worker", () => {
  let root: string;
  let receiver: http.Server;
  let worker: RunningWorker;
  let settings: WorkerSettings;
  const received: Received[] = [];
  let flakyCalls = 0;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-e2e-"));
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ url: req.url ?? "", headers: req.headers, body });
        if (req.url === "/flaky") flakyCalls += 1;
        const status = req.url === "/bad" ? 400 : req.url === "/flaky" && flakyCalls === 1 ? 500 : 204;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const incoming = path.join(root, "media", "videos", ".incoming", "trips");
    fs.mkdirSync(incoming, { recursive: true });
    fs.mkdirSync(path.join(root, "ftp"));
    execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path.join(incoming, "clip.mp4")],
    ]);
    fs.writeFileSync(path.join(root, "media", "videos", ".incoming", "fake.mp4"), "this is not a video\n");
    for (const f of ["trips/clip.mp4", "fake.mp4"]) {
      fs.chownSync(path.join(root, "media", "videos", ".incoming", f), UPLOADER.uid, UPLOADER.gid);
    }

    settings = settingsIn(root, {
      previews: true,
      owners: { uploader: UPLOADER, published: { uid: 0, gid: 0 } },
      webhooks: [
        {
          url: `${base}/all`,
          secret: "all-secret",
          events: ["upload.completed", "file.published", "file.rejected", "file.deleted"],
        },
        { url: `${base}/flaky`, secret: "flaky-secret", events: ["file.published"] },
        { url: `${base}/bad`, secret: "bad-secret", events: ["file.rejected"] },
      ],
    });
    worker = await startWorker(settings, { pollMs: 25, log: (l) => log.push(l) });
  }, SLOW);

  afterAll(async () => {
    await worker?.stop(1000);
    await new Promise((r) => receiver.close(r));
    fs.rmSync(root, { recursive: true, force: true });
  });

  const events = (url: string, type?: string) =>
    received.filter(
      (r) => r.url === url && (type === undefined || r.headers["x-video-server-event"] === type),
    );
  const incomingInode = () =>
    fs.statSync(path.join(settings.mediaRoot, "videos/.incoming/trips/clip.mp4")).ino;

  test(
    "publishes a verified upload by rename, with metadata, poster and preview, and rejects a fake MP4",
    async () => {
      const inode = incomingInode();
      fs.appendFileSync(
        settings.ftpLog,
        uploadLine("/videos/.incoming/trips/clip.mp4", 1) + uploadLine("/videos/.incoming/fake.mp4", 20),
      );

      const published = await until("file.published", () => events("/all", "file.published")[0]);
      const file = path.join(settings.mediaRoot, "videos/trips/clip.mp4");
      const stats = fs.statSync(file);
      expect({ inode: stats.ino, uid: stats.uid, mode: stats.mode & 0o777 }).toEqual({
        inode,
        uid: 0,
        mode: 0o644,
      });
      expect(fs.existsSync(path.join(settings.mediaRoot, "videos/.incoming/trips/clip.mp4"))).toBe(false);

      const metadata = JSON.parse(published.body).metadata;
      expect(metadata).toMatchObject({
        kind: "video",
        url: "/videos/trips/clip.mp4",
        file: "trips/clip.mp4",
        uploader: "uploader",
        width: 320,
      });
      const version = metadata.sha256.slice(0, 12);
      expect(metadata.poster).toBe(`/_poster/videos/trips/clip.mp4.${version}.jpg`);
      const onDisk = JSON.parse(
        fs.readFileSync(path.join(settings.derivedRoot, "meta/videos/trips/clip.mp4.json"), "utf8"),
      );
      expect(onDisk).toEqual(metadata);
      const poster = fs.readFileSync(
        path.join(settings.derivedRoot, `poster/videos/trips/clip.mp4.${version}.jpg`),
      );
      expect(poster.subarray(0, 2).toString("hex")).toBe("ffd8");
      const vtt = fs.readFileSync(
        path.join(settings.derivedRoot, `preview/videos/trips/clip.mp4.${version}.vtt`),
        "utf8",
      );
      expect(vtt).toContain(`${metadata.preview.sprite}#xywh=0,0,160,90`);

      const rejected = await until("file.rejected", () => events("/all", "file.rejected")[0]);
      expect(JSON.parse(rejected.body)).toMatchObject({
        path: "/videos/fake.mp4",
        size: 20,
        reason: expect.stringMatching(/ffprobe/),
      });
      const moved = path.join(settings.mediaRoot, "videos/.rejected/fake.mp4");
      const reason = `${moved}.reason.txt`;
      expect(fs.readFileSync(reason, "utf8")).toMatch(/^fake\.mp4 was not published: ffprobe/);
      for (const f of [moved, reason, path.dirname(moved)]) expect(fs.statSync(f).uid).toBe(UPLOADER.uid);
      expect(fs.existsSync(path.join(settings.mediaRoot, "videos/fake.mp4"))).toBe(false);
    },
    SLOW,
  );

  test("signs every delivery with the webhook's secret over '<timestamp>.<body>'", () => {
    const secrets: Record<string, string> = {
      "/all": "all-secret",
      "/flaky": "flaky-secret",
      "/bad": "bad-secret",
    };
    expect(received.length).toBeGreaterThanOrEqual(4);
    for (const r of received) {
      const timestamp = String(r.headers["x-video-server-timestamp"]);
      const expected = createHmac("sha256", secrets[r.url]).update(`${timestamp}.${r.body}`).digest("hex");
      expect(r.headers["x-video-server-signature"]).toBe(`sha256=${expected}`);
      expect(r.headers["x-video-server-delivery"]).toBe(JSON.parse(r.body).id);
    }
    expect(
      events("/all", "upload.completed")
        .map((r) => JSON.parse(r.body).path)
        .sort(),
    ).toEqual(["/videos/fake.mp4", "/videos/trips/clip.mp4"]);
  });

  test(
    "retries a delivery answered 500 with the same id, and gives up on one answered 400",
    async () => {
      const [first, second] = await until("the retry", () =>
        events("/flaky").length >= 2 ? events("/flaky") : undefined,
      );
      expect(second.headers["x-video-server-delivery"]).toBe(first.headers["x-video-server-delivery"]);
      await new Promise((r) => setTimeout(r, 1500)); // past the first backoff
      expect(events("/bad")).toHaveLength(1);
      const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
      expect(text).toContain('video_server_webhook_deliveries_total{result="retried"} 1');
      expect(text).toContain('video_server_webhook_deliveries_total{result="failed"} 1');
      expect(text).toContain("video_server_published_total 1\n");
      expect(text).toContain("video_server_rejected_total 1\n");
      expect(text).toContain('video_server_uploads_total{result="completed"} 2');
      expect((await fetch(`http://127.0.0.1:${worker.metricsPort}/healthz`)).status).toBe(204);
    },
    SLOW,
  );

  test("removes the derived files and reports file.deleted when the FTP log says a file was deleted", async () => {
    fs.rmSync(path.join(settings.mediaRoot, "videos/trips/clip.mp4"));
    fs.appendFileSync(
      settings.ftpLog,
      `${stamp()} [pid 7] [uploader] OK DELETE: Client "127.0.0.1", "/videos/trips/clip.mp4"\n`,
    );
    const deleted = await until("file.deleted", () => events("/all", "file.deleted")[0]);
    expect(JSON.parse(deleted.body)).toMatchObject({
      path: "/videos/trips/clip.mp4",
      metadata: { kind: "video" },
    });
    const left = ["meta", "poster", "preview"].flatMap((k) =>
      fs.readdirSync(path.join(settings.derivedRoot, k, "videos/trips")),
    );
    expect(left).toEqual([]);
  });
});

describe("the worker's rescan at start", () => {
  let root: string;
  const lines: string[] = [];
  const HOUR_AGO = new Date(Date.now() - 3_600_000);

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-rescan-"));
    const at = (p: string) => path.join(root, p);
    for (const d of ["media/clips", "media/videos/.incoming", "derived/meta/clips", "derived/poster/clips"]) {
      fs.mkdirSync(at(d), { recursive: true });
    }
    for (const name of ["old.png", "fresh.png"]) {
      execFileSync("ffmpeg", [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=64x48",
        "-frames:v",
        "1",
        at(`media/clips/${name}`),
      ]);
    }
    fs.utimesSync(at("media/clips/old.png"), HOUR_AGO, HOUR_AGO);
    fs.writeFileSync(at("media/videos/.incoming/waiting.mp4"), "an upload that may still be arriving");
    fs.utimesSync(at("media/videos/.incoming/waiting.mp4"), HOUR_AGO, HOUR_AGO);
    const gone = {
      version: 1,
      kind: "image",
      url: "/clips/gone.png",
      size: 3,
      modifiedAt: HOUR_AGO.toISOString(),
      sha256: "0".repeat(64),
    };
    fs.writeFileSync(at("derived/meta/clips/gone.png.json"), JSON.stringify(gone));
    fs.writeFileSync(at("derived/poster/clips/gone.png.000000000000.jpg"), "x");
    fs.writeFileSync(
      at("derived/poster/clips/.old.png.x.jpg.bbbbbbbbbbbb-12345678.tmp"),
      "left by a killed run",
    );

    const worker = await startWorker(
      {
        mediaRoot: at("media"),
        derivedRoot: at("derived"),
        stateDir: at("state"),
        ftpLog: at("ftp/vsftpd.log"),
        users: [{ name: "uploader", root: "" }],
        locations: [
          { path: "/clips/", directory: "clips", publish: "immediate" },
          { path: "/videos/", directory: "videos", publish: "verified" },
        ],
        rescanSeconds: 3600,
        concurrency: 2,
        maxFileSize: 10_000_000,
        posterWidth: 32,
        previews: true,
        nice: 10,
        metrics: { host: "127.0.0.1", port: 0 },
        owners: { uploader: UPLOADER, published: { uid: 0, gid: 0 } },
        webhooks: [],
        webhookRetrySeconds: 30,
        urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
      },
      { pollMs: 25, settleMs: 60_000, log: (l) => lines.push(l) },
    );
    await worker.idle();
    await worker.stop(1000);
  }, SLOW);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const exists = (p: string) => fs.existsSync(path.join(root, p));

  it("describes a served file that has no metadata, with a scaled poster", () => {
    const meta = JSON.parse(fs.readFileSync(path.join(root, "derived/meta/clips/old.png.json"), "utf8"));
    expect(meta).toMatchObject({
      kind: "image",
      width: 64,
      height: 48,
      uploader: null,
      uploadedAt: meta.modifiedAt,
      preview: null,
    });
    expect(lines.some((l) => l.startsWith('event file.published "/clips/old.png"'))).toBe(true);
  });

  it("leaves a file changed within the settle time to the FTP log", () => {
    expect(exists("derived/meta/clips/fresh.png.json")).toBe(false);
  });

  it("removes the derived files of a source that is gone and reports file.deleted", () => {
    expect(exists("derived/meta/clips/gone.png.json")).toBe(false);
    expect(exists("derived/poster/clips/gone.png.000000000000.jpg")).toBe(false);
    expect(lines.some((l) => l.startsWith('event file.deleted "/clips/gone.png" size=3'))).toBe(true);
  });

  it("removes temporary files a killed run left", () => {
    expect(exists("derived/poster/clips/.old.png.x.jpg.bbbbbbbbbbbb-12345678.tmp")).toBe(false);
  });

  it("leaves a file in .incoming that no OK UPLOAD line names", () => {
    expect(exists("media/videos/.incoming/waiting.mp4")).toBe(true);
    expect(exists("derived/meta/videos")).toBe(false);
  });
});

describe("the worker with an SFTP log", () => {
  let root: string;
  let settings: WorkerSettings;
  const lines: string[] = [];
  const sftp = (pid: number, message: string) =>
    `2026-12-01T12:48:59.127381+00:00 vm internal-sftp[${pid}]: ${message}\n`;
  const session = (pid: number) => sftp(pid, "session opened for local user uploader from [127.0.0.1]");
  const open = (pid: number, p: string) => sftp(pid, `open "${p}" flags WRITE,CREATE,TRUNCATE mode 0644`);
  const at = (p: string) => path.join(settings.mediaRoot, p);
  let clipSize: number;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-sftp-"));
    const incoming = path.join(root, "media", "videos", ".incoming");
    fs.mkdirSync(path.join(incoming, "trips"), { recursive: true });
    execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=1"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
      path.join(incoming, "trips", "Größe.mp4"),
    ]);
    const clip = fs.readFileSync(path.join(incoming, "trips", "Größe.mp4"));
    clipSize = clip.length;
    // What a put leaves when its connection drops halfway.
    fs.writeFileSync(path.join(incoming, "half.mp4"), clip.subarray(0, clip.length >> 1));
    for (const f of ["trips/Größe.mp4", "half.mp4"]) {
      fs.chownSync(path.join(incoming, f), UPLOADER.uid, UPLOADER.gid);
    }
    settings = settingsIn(root, {
      ftpLog: path.join(root, "logs", "vsftpd.log"),
      sftpLog: path.join(root, "logs", "sftp.log"),
      posterWidth: 80,
      owners: { uploader: UPLOADER, published: { uid: 0, gid: 0 } },
    });
    fs.mkdirSync(path.join(root, "logs"));
  }, SLOW);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test(
    "publishes an SFTP upload into a verified location, across a restart between its open and its close, and never an interrupted one",
    async () => {
      const name = "/videos/.incoming/trips/Gr\\303\\266\\303\\237e.mp4"; // as internal-sftp logs "Größe"
      const before = session(2001) + open(2001, name);
      fs.appendFileSync(settings.sftpLog!, before);
      const first = await startWorker(settings, { pollMs: 25, log: (l) => lines.push(l) });
      const savedOffset = () => {
        const file = path.join(settings.stateDir, "sftp-log-position.json");
        return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).offset : undefined;
      };
      await until("the first worker to read the open", () =>
        savedOffset() === Buffer.byteLength(before) ? true : undefined,
      );
      await first.stop(1000);

      const worker = await startWorker(settings, { pollMs: 25, log: (l) => lines.push(l) });
      try {
        fs.appendFileSync(
          settings.sftpLog!,
          sftp(2001, `close "${name}" bytes read 0 written ${clipSize}`) +
            session(2002) +
            open(2002, "/videos/.incoming/half.mp4") +
            sftp(2002, `forced close "/videos/.incoming/half.mp4" bytes read 0 written ${clipSize >> 1}`),
        );
        const metaFile = path.join(settings.derivedRoot, "meta/videos/trips/Größe.mp4.json");
        const meta = await until("the published metadata", () =>
          fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, "utf8")) : undefined,
        );
        expect(meta).toMatchObject({
          url: "/videos/trips/Gr%C3%B6%C3%9Fe.mp4",
          uploader: "uploader",
          size: clipSize,
        });
        expect(fs.statSync(at("videos/trips/Größe.mp4")).uid).toBe(0);
        await worker.idle();
        expect(lines).toContain('upload failed "/videos/half.mp4": not processed');
        expect(fs.existsSync(at("videos/.incoming/half.mp4"))).toBe(true);
        expect(fs.existsSync(at("videos/half.mp4"))).toBe(false);
        expect(fs.existsSync(at("videos/.rejected"))).toBe(false);
      } finally {
        await worker.stop(1000);
      }
    },
    SLOW,
  );
});
