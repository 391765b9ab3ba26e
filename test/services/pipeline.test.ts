/**
 * The media pipeline on real servers: host vsftpd and nginx with the rendered files, and the
 * media worker process (test/support/worker.ts) following vsftpd's log. Uploads by FTP are
 * checked, published, described (metadata, posters) and announced to a webhook receiver on
 * 127.0.0.1, whose signatures openssl checks.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { Client } from "basic-ftp";
import { MEDIA_OWNER } from "../../spec";
import { fixture, sha256 } from "../support/data";
import { prepareFolders } from "../support/folders";
import { download, refusalCode, upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { HOST } from "../support/ports";
import { startStack, type RunningStack } from "../support/servers";
import { pollUntil, waitFor } from "../support/wait";
import {
  opensslSignature,
  startWebhookReceiver,
  type Delivery,
  type WebhookReceiver,
} from "../support/webhookReceiver";
import type { MediaMetadata } from "../../worker/src/settings";
import { startEndlessUpload } from "./endlessUpload";

const SECRET = "pipeline-webhook-secret";
const REFUSING_SECRET = "refusing-webhook-secret";
const CLIP = fixture("sample.mp4");
const WAIT_MS = 30_000;

interface Event {
  readonly id: string;
  readonly type: string;
  readonly path: string;
  readonly size: number | null;
  readonly metadata: MediaMetadata | null;
  readonly reason?: string;
}
const eventOf = (d: Delivery): Event => JSON.parse(d.body) as Event;

describe("the media pipeline (vsftpd, nginx and the worker on 127.0.0.1)", () => {
  let stack: RunningStack;
  let receiver: WebhookReceiver;

  const get = (urlPath: string) => request(stack, urlPath);
  const encoded = (urlPath: string) => urlPath.split("/").map(encodeURIComponent).join("/");
  /** The metadata JSON once the worker has written it (the last answer otherwise). */
  const metadataOf = async (urlPath: string) => {
    const res = await pollUntil(
      () => get(`/-/meta${encoded(urlPath)}.json`),
      (r) => r.status === 200,
      WAIT_MS,
    );
    expect({ urlPath, status: res.status }).toEqual({ urlPath, status: 200 });
    return JSON.parse(res.body.toString("utf8")) as MediaMetadata;
  };
  const eventsFor = (type: string, urlPath: string, hook = "/hooks/main") =>
    receiver.deliveries.filter(
      (d) => d.path === hook && eventOf(d).type === type && eventOf(d).path === urlPath,
    );
  const listing = (c: Client, dir: string) =>
    c.list(dir).then((entries) => entries.map((e) => e.name).sort());

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // The first delivery to each hook fails: the main one with a 500 (retried), the other with a 400 (not).
    receiver.answer("/hooks/main", 500);
    receiver.answer("/hooks/refusing", 400);
    stack = await startStack(
      "services-pipeline",
      {
        ftp: {
          bindAddress: "127.0.0.1",
          users: [{ name: "uploader", password: "uploader-password" }],
          delayFailedLogin: 1,
        },
        http: {
          bindAddress: "127.0.0.1",
          gallery: { enabled: false },
          locations: [
            { path: "/videos/", directory: "videos", publish: "verified" },
            { path: "/images/", directory: "images" },
          ],
        },
        processing: {
          webhooks: [
            { url: receiver.url("/hooks/main"), secret: SECRET },
            { url: receiver.url("/hooks/refusing"), secret: REFUSING_SECRET, events: ["file.published"] },
          ],
        },
      },
      { worker: true },
    );
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  afterEach(() => {
    if (expect.getState().assertionCalls > 0 && stack?.worker && !stack.worker.running())
      process.stdout.write(stack.describe());
  });

  it("publishes an upload to a verified location only once it is complete and checked, by a rename", async () => {
    await withFtp(stack, "uploader", async (c) => {
      await c.ensureDir("/videos/.incoming/trip");
      await upload(c, CLIP, "/videos/.incoming/trip/day one.mp4");
    });
    const published = await pollUntil(
      () => get(encoded("/videos/trip/day one.mp4")),
      (r) => r.status === 200,
      WAIT_MS,
    );
    expect(published.status).toBe(200);
    expect(published.sha256).toBe(sha256(CLIP));
    // Nothing under the upload area is ever served, and the upload left it.
    expect((await get(encoded("/videos/.incoming/trip/day one.mp4"))).status).toBe(404);
    expect(fs.existsSync(path.join(stack.dirs.media, "videos/.incoming/trip/day one.mp4"))).toBe(false);
    // Published files are root's: the uploader can read them but not overwrite them in place.
    const stat = fs.statSync(path.join(stack.dirs.media, "videos/trip/day one.mp4"));
    expect({ uid: stat.uid, mode: (stat.mode & 0o777).toString(8) }).toEqual({ uid: 0, mode: "644" });
  });

  it("lets FTP users write a verified location's files only through its upload area", async () => {
    await withFtp(stack, "uploader", async (c) => {
      expect(await refusalCode(upload(c, CLIP, "/videos/direct.mp4"))).toBe(553);
      expect(await listing(c, "/videos")).toEqual(expect.arrayContaining([".incoming", ".rejected", "trip"]));
    });
  });

  it("describes the published video: metadata under the location, and a poster with a long cache lifetime", async () => {
    const meta = await metadataOf("/videos/trip/day one.mp4");
    expect(meta).toMatchObject({
      kind: "video",
      url: "/videos/trip/day%20one.mp4",
      location: "/videos/",
      file: "trip/day one.mp4",
      size: CLIP.length,
      sha256: sha256(CLIP),
      uploader: "uploader",
      width: 160,
      height: 120,
      videoCodec: "h264",
      audioCodec: "aac",
    });
    expect(meta.durationSeconds).toBeCloseTo(3, 0);
    expect(meta.poster).toMatch(/^\/-\/poster\/videos\/trip\/day%20one\.mp4\.[0-9a-f]{12}\.jpg$/);
    const poster = await get(meta.poster ?? "");
    expect(poster.status).toBe(200);
    expect(poster.headers["content-type"]).toBe("image/jpeg");
    expect([...poster.body.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(poster.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("publishes nested folders and non-ASCII names", async () => {
    await withFtp(stack, "uploader", async (c) => {
      await c.ensureDir("/videos/.incoming/Größe/été");
      await upload(c, CLIP, "/videos/.incoming/Größe/été/clip ü.mp4");
    });
    const meta = await metadataOf("/videos/Größe/été/clip ü.mp4");
    expect(meta.file).toBe("Größe/été/clip ü.mp4");
    expect((await get(encoded("/videos/Größe/été/clip ü.mp4"))).sha256).toBe(sha256(CLIP));
  });

  it("rejects a file that is not the video its name claims, with a reason the uploader can read", async () => {
    await withFtp(stack, "uploader", async (c) => {
      await upload(c, Buffer.from("this is a text file, not a video\n"), "/videos/.incoming/fake.mp4");
      const rejected = await pollUntil(
        () => listing(c, "/videos/.rejected"),
        (names) => names.includes("fake.mp4.reason.txt"),
        WAIT_MS,
      );
      expect(rejected).toEqual(expect.arrayContaining(["fake.mp4", "fake.mp4.reason.txt"]));
      const reason = (await download(c, "/videos/.rejected/fake.mp4.reason.txt")).toString("utf8");
      expect(reason.trim().length).toBeGreaterThan(10);
      // The uploader clears its rejected files.
      await c.remove("/videos/.rejected/fake.mp4");
      await c.remove("/videos/.rejected/fake.mp4.reason.txt");
    });
    expect((await get("/videos/fake.mp4")).status).toBe(404);
    expect((await get("/videos/.rejected/fake.mp4")).status).toBe(404);
    await waitFor(
      "a file.rejected event",
      () => eventsFor("file.rejected", "/videos/fake.mp4").length > 0,
      WAIT_MS,
    );
    const [event] = eventsFor("file.rejected", "/videos/fake.mp4");
    expect(event && eventOf(event).reason).toEqual(expect.any(String));
  });

  it("never publishes an upload whose client died mid-transfer", async () => {
    const cut = startEndlessUpload(
      stack.ftpPort,
      "uploader",
      "uploader-password",
      "/videos/.incoming/cut.mp4",
    );
    await cut.streaming;
    await waitFor("some bytes of the cut upload", () => {
      const f = path.join(stack.dirs.media, "videos/.incoming/cut.mp4");
      return fs.existsSync(f) && fs.statSync(f).size > 1024 * 1024;
    });
    await cut.kill();
    // A later upload, once published, shows the worker has read the log past the cut one.
    await withFtp(stack, "uploader", (c) => upload(c, CLIP, "/videos/.incoming/after-cut.mp4"));
    await metadataOf("/videos/after-cut.mp4");
    expect((await get("/videos/cut.mp4")).status).toBe(404);
    expect((await get("/-/meta/videos/cut.mp4.json")).status).toBe(404);
    expect(eventsFor("file.published", "/videos/cut.mp4")).toEqual([]);
  });

  it("describes an image in an immediate location where it landed", async () => {
    await withFtp(stack, "uploader", (c) => upload(c, fixture("sample.png"), "/images/pattern.png"));
    // Served at once: immediate publish does not wait for the worker.
    expect((await get("/images/pattern.png")).status).toBe(200);
    const meta = await metadataOf("/images/pattern.png");
    expect(meta).toMatchObject({ kind: "image", width: 64, height: 48, durationSeconds: null });
    expect((await get(meta.poster ?? "")).status).toBe(200);
  });

  it("removes what it derived from a file once the file is deleted, and says so", async () => {
    const meta = await metadataOf("/images/pattern.png");
    await withFtp(stack, "uploader", (c) => c.remove("/images/pattern.png"));
    const gone = await pollUntil(
      () => get("/-/meta/images/pattern.png.json"),
      (r) => r.status === 404,
      WAIT_MS,
    );
    expect(gone.status).toBe(404);
    expect((await get(meta.poster ?? "")).status).toBe(404);
    await waitFor(
      "a file.deleted event",
      () => eventsFor("file.deleted", "/images/pattern.png").length > 0,
      WAIT_MS,
    );
  });

  it("signs every delivery so openssl verifies it, and sends each event of an upload", async () => {
    await waitFor(
      "a delivered file.published",
      () => eventsFor("file.published", "/videos/trip/day%20one.mp4").some((d) => d.status === 200),
      WAIT_MS,
    );
    const mine = receiver.deliveries.filter((d) => d.path === "/hooks/main");
    expect(mine.length).toBeGreaterThan(3);
    for (const d of mine) {
      const timestamp = String(d.headers["x-video-server-timestamp"]);
      expect({
        id: d.headers["x-video-server-delivery"],
        signature: d.headers["x-video-server-signature"],
      }).toEqual({
        id: d.headers["x-video-server-delivery"],
        signature: opensslSignature(SECRET, timestamp, d.body),
      });
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    }
    const types = new Set(
      mine.filter((d) => eventOf(d).path === "/videos/trip/day%20one.mp4").map((d) => eventOf(d).type),
    );
    expect([...types].sort()).toEqual(["file.published", "upload.completed"]);
  });

  it("retries a delivery answered 500 and gives up on one answered 400", async () => {
    const first = receiver.deliveries.find((d) => d.path === "/hooks/main");
    expect(first?.status).toBe(500);
    const sameDelivery = () =>
      receiver.deliveries.filter(
        (d) =>
          d.path === "/hooks/main" &&
          d.headers["x-video-server-delivery"] === first?.headers["x-video-server-delivery"],
      );
    await waitFor("the retry of the delivery answered 500", () => sameDelivery().length >= 2, WAIT_MS);
    const again = sameDelivery();
    expect(again.map((d) => d.status)).toEqual([500, 200]);
    expect((again[1]?.at ?? 0) - (again[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);

    const refused = receiver.deliveries.find((d) => d.path === "/hooks/refusing");
    expect(refused?.status).toBe(400);
    expect(
      receiver.deliveries.filter(
        (d) =>
          d.path === "/hooks/refusing" &&
          d.headers["x-video-server-delivery"] === refused?.headers["x-video-server-delivery"],
      ),
    ).toHaveLength(1);
    // Only the events it subscribed to.
    expect(
      new Set(receiver.deliveries.filter((d) => d.path === "/hooks/refusing").map((d) => eventOf(d).type)),
    ).toEqual(new Set(["file.published"]));
  });

  it("finishes after being killed mid-way, and writes each output once", async () => {
    const names = ["one", "two", "three"].map((n) => `batch/${n}.mp4`);
    await withFtp(stack, "uploader", async (c) => {
      await c.ensureDir("/videos/.incoming/batch");
      for (const n of names) await upload(c, CLIP, `/videos/.incoming/${n}`);
    });
    const worker = stack.worker;
    if (worker === undefined) throw new Error("no worker");
    process.kill(worker.pid, "SIGKILL");
    await waitFor("the worker gone", () => !worker.running());
    await stack.restartWorker();
    for (const n of names) await metadataOf(`/videos/${n}`);
    const posters = fs.readdirSync(path.join(stack.workerLayout.derivedRoot, "poster/videos/batch")).sort();
    expect(posters.map((p) => p.replace(/\.[0-9a-f]{12}\.jpg$/, ".jpg"))).toEqual([
      "one.mp4.jpg",
      "three.mp4.jpg",
      "two.mp4.jpg",
    ]);
    const metas = fs.readdirSync(path.join(stack.workerLayout.derivedRoot, "meta/videos/batch")).sort();
    expect(metas).toEqual(["one.mp4.json", "three.mp4.json", "two.mp4.json"]);
    for (const n of names) {
      await waitFor(
        `file.published for ${n}`,
        () => eventsFor("file.published", `/videos/${n}`).some((d) => d.status === 200),
        WAIT_MS,
      );
    }
  });

  it("gives root what the FTP user wrote into a location before it was verified, at the next start", () => {
    // As a stack that switched /videos/ to verified finds it: a file the FTP user owns.
    const old = path.join(stack.dirs.media, "videos/from-before.mp4");
    fs.writeFileSync(old, CLIP, { mode: 0o644 });
    fs.chownSync(old, MEDIA_OWNER.uid, MEDIA_OWNER.gid);
    prepareFolders(stack.ftpLayout);
    expect(fs.statSync(old).uid).toBe(0);
    expect(fs.statSync(path.join(stack.dirs.media, "videos/.incoming")).uid).toBe(MEDIA_OWNER.uid);
    expect(fs.statSync(path.join(stack.dirs.media, "videos/.rejected")).uid).toBe(MEDIA_OWNER.uid);
  });

  it("counts uploads, jobs and deliveries for Prometheus", async () => {
    const res = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: HOST, port: stack.ports.metrics, path: "/metrics" }, (r) => {
          let body = "";
          r.on("data", (d: Buffer) => (body += d.toString()));
          r.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    const value = (name: string) =>
      Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(res)?.[1]);
    expect(value('video_server_uploads_total{result="completed"}')).toBeGreaterThanOrEqual(3);
    expect(value("video_server_queue_depth")).toBe(0);
    expect(res).toContain("video_server_webhook_deliveries_total");
  });
});
