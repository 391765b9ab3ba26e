/**
 * The gallery page in a real browser (Debian's headless Chromium) against the real nginx, under
 * its strict Content-Security-Policy, talking to 127.0.0.1 only. With the media worker it shows
 * the worker's posters and loads a video only when a card is played; with processing off, a
 * player per video that preloads its metadata. Leaves test-output/gallery.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { launchChromium, type Browser, waitInPage } from "../support/browser";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { HOST } from "../support/ports";
import { startStack, type RunningStack, type StartOptions } from "../support/servers";
import type { StackConfig } from "../support/project";
import { pollUntil } from "../support/wait";
import { GALLERY, GALLERY_WITHOUT_WORKER } from "./deliveryStacks";

const OUTPUT = path.resolve(__dirname, "../../test-output");
const SCRIPTED_PAGE = "<title>inert</title><script>document.title = 'ran';</script>";
const VIDEOS = ["/videos/2024/trip/day%20one.mp4", "/videos/sample.mp4"];
const IMAGES = ["/images/pattern.jpg", "/images/pattern.png"];
/** The worker's metadata of each shown file. */
const METAS = [...VIDEOS, ...IMAGES].map((u) => `/-/meta${u}.json`);
/** The one console error either page logs: the /office/ listing nginx refuses, as the page says. */
const REFUSED = "/-/listing/office/";

interface Gallery {
  readonly stack: RunningStack;
  readonly browser: Browser;
  readonly page: Page;
  readonly origin: string;
  /** `type: text @ url` of each console message. */
  readonly consoleLines: string[];
  readonly requested: string[];
  /** `status path` of each response of 400 or more. */
  readonly failed: string[];
  close(): Promise<void>;
}

async function uploadMedia(stack: RunningStack): Promise<void> {
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
}

async function openGallery(name: string, config: StackConfig, options: StartOptions): Promise<Gallery> {
  const stack = await startStack(name, config, options);
  let browser: Browser | undefined;
  try {
    await uploadMedia(stack);
    if (options.worker) {
      // The page is opened once the worker has described every file, so no card is "processing".
      const statuses = () => Promise.all(METAS.map(async (m) => (await request(stack, m)).status));
      const seen = await pollUntil(statuses, (s) => s.every((x) => x === 200), 60_000);
      expect(seen).toEqual(METAS.map(() => 200));
    }
    const origin = `http://${HOST}:${stack.httpPort}`;
    browser = await launchChromium(origin);
    const page = await browser.context.newPage();
    const consoleLines: string[] = [];
    const requested: string[] = [];
    const failed: string[] = [];
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()} @ ${m.location().url}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
    const local = (url: string) => (url.startsWith(`${origin}/`) ? url.slice(origin.length) : url);
    page.on("request", (r) => requested.push(local(r.url())));
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${local(r.url())}`);
    });
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
    const opened = browser;
    const close = async () => {
      await opened.close();
      await stack.stop();
    };
    return { stack, browser, page, origin, consoleLines, requested, failed, close };
  } catch (e) {
    await browser?.close();
    await stack.stop();
    throw e;
  }
}

const refusedLine = (origin: string) =>
  `error: Failed to load resource: the server responded with a status of 403 (Forbidden) @ ${origin}${REFUSED}`;

/**
 * Waits for an expression to hold, evaluated from here: Playwright's own polling of a string
 * evaluates it with eval inside the page, which the page's CSP refuses (and logs).
 */

/** The focused element, as the test names cards: a thumbnail's label or link, or a player. */
const focused = (page: Page): Promise<string> =>
  page.evaluate(`(() => {
    const e = document.activeElement;
    return (e.tagName.toLowerCase() + " " + (e.getAttribute("aria-label") ?? e.getAttribute("href") ?? "")).trim();
  })()`);

describe("the gallery in Chromium, with the media worker", () => {
  let g: Gallery;

  beforeAll(async () => {
    g = await openGallery("services-gallery", GALLERY, { worker: true });
    await waitInPage(
      g.page,
      "Array.from(document.querySelectorAll('figure')).every((f) => f.dataset.state === 'ready') &&" +
        " Array.from(document.querySelectorAll('img')).every((i) => i.complete && i.naturalWidth > 0)",
    );
  }, 120_000);

  afterAll(async () => {
    await g?.close();
  });

  it("shows a loaded poster, the duration and the resolution of each video, and loads none of its bytes", async () => {
    const cards = await g.page.evaluate(`Array.from(document.querySelectorAll("figure.video")).map((f) => {
      const img = f.querySelector(".thumb img");
      return {
        file: f.querySelector("figcaption a").getAttribute("href"),
        poster: img && img.getAttribute("src").replace(/\\.[0-9a-f]{12}\\.jpg$/, ".<version>.jpg"),
        width: img && img.naturalWidth,
        details: f.querySelector(".details").textContent,
      };
    })`);
    expect(cards).toEqual(
      VIDEOS.map((file) => ({
        file,
        poster: `/-/poster${file}.<version>.jpg`,
        width: 160,
        details: "0:03 \u00b7 160\u00d7120",
      })),
    );
    expect(await g.page.$$("video")).toHaveLength(0);
    expect(g.requested.filter((u) => u.endsWith(".mp4"))).toEqual([]);
  });

  it("shows the images by their posters, linking to the files, with their resolution", async () => {
    const cards = await g.page.$$eval("figure.image", (figures) =>
      figures.map((f) => [
        f.querySelector(".thumb")?.getAttribute("href"),
        f.querySelector(".thumb img")?.getAttribute("src")?.startsWith("/-/poster/images/"),
        f.querySelector(".details")?.textContent,
      ]),
    );
    expect(cards).toEqual(IMAGES.map((file) => [file, true, "64\u00d748"]));
  });

  it("moves the focus across the grid with the arrow keys", async () => {
    // Two rows: the images, then (below the refused /office/) the videos, newest first.
    await g.page.focus('figure.image .thumb[href="/images/pattern.jpg"]');
    const path: string[] = [await focused(g.page)];
    for (const key of ["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "End", "Home"]) {
      await g.page.keyboard.press(key);
      path.push(await focused(g.page));
    }
    expect(path).toEqual([
      "a /images/pattern.jpg",
      "a /images/pattern.png",
      "button Play sample.mp4",
      "button Play 2024/trip/day one.mp4",
      "a /images/pattern.jpg",
      "button Play sample.mp4",
      "a /images/pattern.jpg",
    ]);
  });

  it("plays a card activated with Enter, and Escape stops it and gives the focus back", async () => {
    await g.page.focus('figure.video .thumb[aria-label="Play sample.mp4"]');
    expect(await g.page.$eval(".thumb:focus", (b) => b.matches(":focus-visible"))).toBe(true);
    await g.page.keyboard.press("Enter");
    await waitInPage(g.page, "document.querySelector('video')?.currentTime > 0.5");
    const player = await g.page.$eval("video", (v) => [
      v.getAttribute("src"),
      v.getAttribute("poster"),
      v.controls,
    ]);
    expect(player).toEqual([
      "/videos/sample.mp4",
      expect.stringMatching(/^\/-\/poster\/videos\/sample\.mp4\.[0-9a-f]{12}\.jpg$/),
      true,
    ]);
    expect(await focused(g.page)).toBe("video");
    expect(g.requested).toContain("/videos/sample.mp4");

    await g.page.keyboard.press("Escape");
    expect(await g.page.$$("video")).toHaveLength(0);
    expect(await focused(g.page)).toBe("button Play sample.mp4");
  });

  it("leaves out uploads in progress and files that are neither video nor image", async () => {
    const text = await g.page.textContent("main");
    expect(text).toContain("day one.mp4");
    expect(text).not.toContain("next.mp4");
    expect(text).not.toContain("notes.txt");
    expect(await g.page.textContent("#status")).toBe("2 videos and 2 images");
  });

  it("says a location it may not list is not available, and shows the others", async () => {
    const office = await g.page.textContent('section[data-location="/office/"]');
    expect(office).toContain("Not available (HTTP 403)");
  });

  it("logs no error but the refused listing, asks for no favicon, and talks to this server only", () => {
    expect(g.consoleLines).toEqual([refusedLine(g.origin)]);
    expect(g.failed).toEqual([`403 ${REFUSED}`]);
    expect(g.requested).not.toContain("/favicon.ico");
    expect(g.browser.blocked).toEqual([]);
    expect(g.requested.filter((u) => !u.startsWith("/"))).toEqual([]);
    expect(g.requested).toContain("/-/listing/videos/2024/trip/");
    expect(g.requested).toEqual(expect.arrayContaining(METAS));
  });

  it("runs no script of an HTML page uploaded next to the videos", async () => {
    const other = await g.browser.context.newPage();
    try {
      await other.goto(`${g.origin}/videos/page.html`, { timeout: 15_000 });
      expect(await other.title()).toBe("inert");
    } finally {
      await other.close();
    }
  });

  it("renders a page worth looking at (screenshot in test-output/gallery.png)", async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    const file = path.join(OUTPUT, "gallery.png");
    await g.page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(5_000);
    const heights = await g.page.$$eval("figure", (figures) =>
      figures.map((f) => f.getBoundingClientRect().height),
    );
    expect(heights).toHaveLength(4);
    for (const h of heights) expect(h).toBeGreaterThan(100);
  });

  it("shows a file the worker has not described yet as processing, then its poster", async () => {
    await g.stack.worker?.stop();
    await withFtp(g.stack, "uploader", (c) => upload(c, fixture("sample.mp4"), "/videos/later.mp4"));
    const other = await g.browser.context.newPage();
    const later = 'figure:has(a[href="/videos/later.mp4"])';
    try {
      await other.goto(`${g.origin}/`, { timeout: 15_000 });
      await other.waitForSelector(`${later}[data-state="processing"]`, { timeout: 15_000 });
      expect(await other.textContent(`${later} .thumb`)).toBe("Processing\u2026");
      // The page asks again after 2, 4, 8… seconds; the worker catches up from the FTP log.
      await g.stack.restartWorker();
      await other.waitForSelector(`${later}[data-state="ready"] .thumb img`, { timeout: 30_000 });
      expect(await other.textContent(`${later} .details`)).toBe("0:03 \u00b7 160\u00d7120");
    } finally {
      await other.close();
    }
  });
});

describe("the gallery in Chromium, with processing off", () => {
  let g: Gallery;

  beforeAll(async () => {
    g = await openGallery("services-gallery-plain", GALLERY_WITHOUT_WORKER, {});
  }, 60_000);

  afterAll(async () => {
    await g?.close();
  });

  it("lists every uploaded video, in subfolders too, with a player that loads its metadata", async () => {
    const players = await g.page.$$eval("video", (videos) =>
      videos.map((v) => [v.getAttribute("src"), v.getAttribute("preload")]),
    );
    expect(players).toEqual(VIDEOS.map((v) => [v, "metadata"]));
    // HAVE_METADATA (1) or better: the browser fetched and parsed the MP4 header over HTTP.
    await waitInPage(
      g.page,
      "Array.from(document.querySelectorAll('video')).every((v) => v.readyState >= 1)",
    );
    const durations = await g.page.$$eval("video", (videos) => videos.map((v) => Math.round(v.duration)));
    expect(durations).toEqual([3, 3]);
  });

  it("shows the images as loaded thumbnails linking to the files", async () => {
    await waitInPage(
      g.page,
      "Array.from(document.querySelectorAll('img')).every((i) => i.complete && i.naturalWidth > 0)",
    );
    const images = await g.page.$$eval("img", (imgs) =>
      imgs.map((i) => [i.getAttribute("src"), i.naturalWidth, i.closest("a")?.getAttribute("href")]),
    );
    expect(images).toEqual(IMAGES.map((i) => [i, 64, i]));
  });

  it("asks for no metadata and logs no error but the refused listing", () => {
    expect(g.requested.filter((u) => u.startsWith("/-/meta/") || u.startsWith("/-/poster/"))).toEqual([]);
    expect(g.consoleLines).toEqual([refusedLine(g.origin)]);
    expect(g.failed).toEqual([`403 ${REFUSED}`]);
  });
});
