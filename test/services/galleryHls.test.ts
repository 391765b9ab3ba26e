/**
 * The gallery plays the media worker's HLS ladder in a real browser (Debian's headless Chromium)
 * against the real nginx and worker: hls.js comes from this server only, by its hash, under the
 * page's strict Content-Security-Policy; the card shows the rendition playing; a ladder that
 * cannot load falls back to the MP4. The clip is made with the host's ffmpeg, 240p so that both
 * rungs are made (rungs above the source are left out). Leaves test-output/gallery-hls.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { HLS_JS_URL } from "../../nginx/galleryPage";
import type { MediaMetadata } from "../../worker/src/settings";
import { launchChromium, type Browser, waitInPage } from "../support/browser";
import { makeClip } from "../support/clips";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { HOST } from "../support/ports";
import { findBinary } from "../support/prerequisites";
import type { StackConfig } from "../support/project";
import { startStack, type RunningStack } from "../support/servers";
import { pollUntil } from "../support/wait";

const HLS_GALLERY: StackConfig = {
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
  http: {
    bindAddress: "127.0.0.1",
    locations: [
      {
        path: "/videos/",
        directory: "videos",
        autoindex: true,
        mp4: true,
        hls: {
          renditions: [
            { height: 144, videoBitrate: 150, maxRate: 170, audioBitrate: 48 },
            { height: 240, videoBitrate: 400, maxRate: 450, audioBitrate: 64 },
          ],
          segmentSeconds: 1,
        },
      },
    ],
  },
};
const OUTPUT = path.resolve(__dirname, "../../test-output");
const CLIP = "/videos/clip.mp4";
const CARD = `figure:has(a[href="${CLIP}"])`;
/** The worker encodes the ladder after describing the file; on two shared cores that takes a while. */
const LADDER_MS = 90_000;

interface Opened {
  readonly page: Page;
  /** `type: text @ url` of each console message. */
  readonly consoleLines: string[];
  readonly requested: string[];
}

describe("the gallery in Chromium, playing an HLS ladder", () => {
  let stack: RunningStack;
  let browser: Browser;
  let origin: string;
  let first: Opened;
  let metadata: MediaMetadata | null;

  async function open(): Promise<Opened> {
    const page = await browser.context.newPage();
    const consoleLines: string[] = [];
    const requested: string[] = [];
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()} @ ${m.location().url}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
    page.on("request", (r) =>
      requested.push(r.url().startsWith(`${origin}/`) ? r.url().slice(origin.length) : r.url()),
    );
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await page.waitForSelector(`${CARD}[data-state="ready"]`, { timeout: 15_000 });
    return { page, consoleLines, requested };
  }
  const card = (page: Page) =>
    page.$eval(CARD, (f) => ({
      player: f.getAttribute("data-player"),
      renditions: f.getAttribute("data-renditions"),
      rendition: f.getAttribute("data-rendition"),
      shown: f.querySelector(".rendition")?.textContent ?? null,
      src: f.querySelector("video")?.getAttribute("src") ?? null,
    }));

  beforeAll(async () => {
    if (!findBinary("ffmpeg"))
      throw new Error("the HLS gallery test makes its clip with ffmpeg: apt-get install ffmpeg");
    stack = await startStack("services-gallery-hls", HLS_GALLERY, { worker: true });
    const clip = fs.readFileSync(makeClip({ width: 426, height: 240, seconds: 4 }));
    await withFtp(stack, "uploader", (c) => upload(c, clip, CLIP));
    metadata = await pollUntil(
      async () => {
        const res = await request(stack, `/-/meta${CLIP}.json`);
        return res.status === 200 ? (JSON.parse(res.body.toString("utf8")) as MediaMetadata) : null;
      },
      (m) => m?.hls != null,
      LADDER_MS,
      500,
    );
    origin = `http://${HOST}:${stack.httpPort}`;
    browser = await launchChromium(origin);
    first = await open();
  }, LADDER_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("waits for the worker's ladder: two renditions behind one master playlist", () => {
    expect(metadata?.hls?.renditions.map((r) => r.height)).toEqual([144, 240]);
  });

  it("plays the ladder with the image's hls.js, reporting its renditions and the one playing", async () => {
    const { page, requested } = first;
    expect(requested.filter((u) => u.includes("/-/static/"))).toEqual([]);
    await page.click(`${CARD} .thumb`);
    await waitInPage(
      page,
      `document.querySelector(${JSON.stringify(`${CARD} video`)})?.currentTime > 1.5`,
      20_000,
    );
    expect(await card(page)).toEqual({
      player: "hls.js",
      renditions: "2",
      rendition: expect.stringMatching(/^(144|240)$/),
      shown: expect.stringMatching(/^HLS \u00b7 (144|240)p$/),
      src: expect.stringMatching(/^blob:/),
    });
    expect(requested.filter((u) => u.includes("/-/static/"))).toEqual([HLS_JS_URL]);
    const master = metadata?.hls?.master ?? "";
    const ladder = master.slice(0, master.lastIndexOf("/") + 1);
    expect(requested).toContain(master);
    expect(requested.filter((u) => u.startsWith(ladder) && u.endsWith(".m3u8")).length).toBeGreaterThan(1);
    expect(requested.filter((u) => u.startsWith(ladder) && u.endsWith(".m4s")).length).toBeGreaterThan(0);
    expect(requested).not.toContain(CLIP);
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, "gallery-hls.png") });
  });

  it("stops on Escape, leaving the card as it was", async () => {
    const { page } = first;
    await page.keyboard.press("Escape");
    expect(await page.$$("video")).toHaveLength(0);
    expect(await card(page)).toEqual({
      player: null,
      renditions: null,
      rendition: null,
      shown: null,
      src: null,
    });
  });

  it("logs no error and breaks no CSP rule, and talks to this server only", () => {
    expect(first.consoleLines).toEqual([]);
    expect(browser.blocked).toEqual([]);
    expect(first.requested.filter((u) => !u.startsWith("/"))).toEqual([]);
  });

  it("plays the MP4 instead when the ladder cannot be loaded", async () => {
    // The ladder's folder, as the worker writes it: hls/<directory>/<file>/ under its derived root.
    fs.rmSync(path.join(stack.workerLayout.derivedRoot, "hls", "videos", "clip.mp4"), { recursive: true });
    const { page, consoleLines } = await open();
    await page.click(`${CARD} .thumb`);
    await waitInPage(
      page,
      `document.querySelector(${JSON.stringify(`${CARD} video`)})?.currentTime > 0.5`,
      20_000,
    );
    expect(await card(page)).toEqual({
      player: "mp4",
      renditions: null,
      rendition: null,
      shown: null,
      src: CLIP,
    });
    const missing = `error: Failed to load resource: the server responded with a status of 404 (Not Found) @ ${origin}${metadata?.hls?.master}`;
    expect(new Set(consoleLines)).toEqual(new Set([missing]));
  });
});
