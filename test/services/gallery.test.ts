/**
 * The gallery page in a real browser (Debian's headless Chromium) against the real nginx: after
 * FTP uploads it lists the videos with a working player and the images as thumbnails, under its
 * strict Content-Security-Policy, talking to 127.0.0.1 only. Leaves test-output/gallery.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { launchChromium, type Browser } from "../support/browser";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { HOST } from "../support/ports";
import { startStack, type RunningStack } from "../support/servers";
import { GALLERY } from "./deliveryStacks";

const OUTPUT = path.resolve(__dirname, "../../test-output");
const SCRIPTED_PAGE = "<title>inert</title><script>document.title = 'ran';</script>";

describe("the gallery in Chromium", () => {
  let stack: RunningStack;
  let browser: Browser;
  let page: Page;
  const consoleLines: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    stack = await startStack("services-gallery", GALLERY);
    await withFtp(stack, "uploader", async (c) => {
      await upload(c, fixture("sample.mp4"), "/videos/sample.mp4");
      await c.ensureDir("/videos/2024/trip");
      await upload(c, fixture("sample.mp4"), "/videos/2024/trip/day one.mp4");
      await upload(c, fixture("sample.png"), "/images/pattern.png");
      await upload(c, fixture("sample.jpg"), "/images/pattern.jpg");
      // Neither is shown: an upload still in progress, and a file that is neither video nor image.
      await upload(c, fixture("sample.mp4"), "/videos/next.mp4.part");
      await upload(c, Buffer.from("notes\n"), "/videos/notes.txt");
      // An uploaded page that would act as this origin, if it could run.
      await upload(c, Buffer.from(SCRIPTED_PAGE), "/videos/page.html");
    });
    const origin = `http://${HOST}:${stack.httpPort}`;
    browser = await launchChromium(origin);
    page = await browser.context.newPage();
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("request", (r) => requested.push(r.url()));
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("lists every uploaded video, in subfolders too, with a player that loads its metadata", async () => {
    const sources = await page.$$eval("video", (videos) => videos.map((v) => v.getAttribute("src")));
    expect(sources.sort()).toEqual(["/videos/2024/trip/day%20one.mp4", "/videos/sample.mp4"]);
    expect(await page.$$eval("video", (videos) => videos.map((v) => v.getAttribute("preload")))).toEqual([
      "metadata",
      "metadata",
    ]);
    // HAVE_METADATA (1) or better: the browser fetched and parsed the MP4 header over HTTP.
    await page.waitForFunction(
      "Array.from(document.querySelectorAll('video')).every((v) => v.readyState >= 1)",
      undefined,
      {
        timeout: 15_000,
      },
    );
    const durations = await page.$$eval("video", (videos) => videos.map((v) => Math.round(v.duration)));
    expect(durations).toEqual([3, 3]);
  });

  it("shows the images as loaded thumbnails linking to the files", async () => {
    await page.waitForFunction(
      "Array.from(document.querySelectorAll('img')).every((i) => i.complete && i.naturalWidth > 0)",
      undefined,
      {
        timeout: 15_000,
      },
    );
    const images = await page.$$eval("img", (imgs) =>
      imgs.map((i) => [i.getAttribute("src"), i.naturalWidth, i.closest("a")?.getAttribute("href")]),
    );
    expect(images.sort()).toEqual([
      ["/images/pattern.jpg", 64, "/images/pattern.jpg"],
      ["/images/pattern.png", 64, "/images/pattern.png"],
    ]);
  });

  it("leaves out uploads in progress and files that are neither video nor image", async () => {
    const text = await page.textContent("main");
    expect(text).toContain("day one.mp4");
    expect(text).not.toContain("next.mp4");
    expect(text).not.toContain("notes.txt");
    expect(await page.textContent("#status")).toBe("2 videos and 2 images");
  });

  it("says a location it may not list is not available, and shows the others", async () => {
    const office = await page.textContent('section[data-location="/office/"]');
    expect(office).toContain("Not available (HTTP 403)");
  });

  it("runs under its Content-Security-Policy without a violation and talks to this server only", () => {
    expect(consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l))).toEqual([]);
    expect(browser.blocked).toEqual([]);
    const origin = `http://${HOST}:${stack.httpPort}/`;
    expect(requested.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(requested).toContain(`${origin}-/listing/videos/2024/trip/`);
  });

  it("runs no script of an HTML page uploaded next to the videos", async () => {
    const other = await browser.context.newPage();
    try {
      await other.goto(`http://${HOST}:${stack.httpPort}/videos/page.html`, { timeout: 15_000 });
      expect(await other.title()).toBe("inert");
    } finally {
      await other.close();
    }
  });

  it("renders a page worth looking at (screenshot in test-output/gallery.png)", async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    const file = path.join(OUTPUT, "gallery.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(5_000);
    const heights = await page.$$eval("figure", (figures) =>
      figures.map((f) => f.getBoundingClientRect().height),
    );
    expect(heights).toHaveLength(4);
    for (const h of heights) expect(h).toBeGreaterThan(100);
  });
});
