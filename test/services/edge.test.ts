/**
 * Swarm mode's edge cache on the real nginx (issue 15): an origin (the swarm variant of the web
 * server, which accepts 127.0.0.0/28 only) and an edge in front of it on one media folder. What
 * reached the origin is read from its access log (the origin's log format: the edge, the viewer,
 * the request, status, bytes and Range), so each claim about the cache counts origin fetches.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { signUrl } from "../../nginx/secureLink";
import { fixture, MB, sha256 } from "../support/data";
import { containerSecrets, edgeContainerFiles, webContainerFiles } from "../../containerFiles";
import { parseSpec } from "../../spec";
import { startEdgeStack, type EdgeStack, type OriginLogLine } from "../support/edgeStack";
import { ftpPasswords, writeServerFiles } from "../support/files";
import { hostDirs, hostEdgeLayout, hostWebLayout, withHostValues } from "../support/layout";
import { findFreePorts } from "../support/ports";
import { PROJECT, PROJECT_DIR } from "../support/project";
import { nginxTest } from "../support/servers";
import { request, type HttpResponse, type RequestOptions } from "../support/http";
import { findBinary } from "../support/prerequisites";
import {
  CACHE_SECONDS,
  EDGE,
  EVERY_OPTION_SWARM,
  PLAYER_ORIGIN,
  SECURE_LINK_SECRET,
  VIEWER,
} from "./edgeStacks";

const VIDEO = fixture("sample.mp4");
const SLICE = MB;
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past a copy's validity: nginx keeps it for whole seconds. */
const PAST_VALIDITY_MS = CACHE_SECONDS * 1000 + 1_200;
const sliceRange = (k: number) => `bytes=${k * SLICE}-${k * SLICE + SLICE - 1}`;

describe("swarm mode's nginx configs", () => {
  it("nginx -t accepts the edge's and the origin's config of a stack with every option", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-edge-t-"));
    try {
      const dirs = hostDirs(root);
      const ports = await findFreePorts(10);
      const parsed = parseSpec(withHostValues(EVERY_OPTION_SWARM, ports, dirs), {
        project: PROJECT,
        stack: "every-option-swarm",
        projectDir: PROJECT_DIR,
      });
      const { spec, secrets } = parsed;
      if (spec.edge === undefined) throw new Error("not a swarm stack");
      // TLS, bans, basic auth, secure links, CORS, limits, the gallery, HLS and derived files.
      expect([spec.http.tls.mode, spec.http.bans.afterFails > 0, spec.http.derived]).toEqual([
        "required",
        true,
        true,
      ]);
      const web = containerSecrets(spec, { ...secrets, ftpPasswords: ftpPasswords(parsed) }).web;
      const originLayout = hostWebLayout(dirs, ports);
      const edgeLayout = hostEdgeLayout(dirs, { ...ports, relay: ports.metrics }, ports.http);
      const files = [
        ...webContainerFiles(spec, originLayout, web),
        ...edgeContainerFiles(spec, spec.edge, edgeLayout, web),
      ];
      writeServerFiles(files, { dirs: [root], files: [] });
      // The image has its temp folders; nginx makes the ones inside (and the cache folder).
      for (const d of [originLayout.tempPrefix, edgeLayout.tempPrefix]) fs.mkdirSync(d, { recursive: true });
      for (const conf of [originLayout.configFile, edgeLayout.configFile]) {
        const result = await nginxTest(conf);
        expect({ conf, output: result.output }).toEqual({
          conf,
          output: expect.stringContaining("test is successful"),
        });
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the edge cache in front of the origin", () => {
  let stack: EdgeStack;
  let scratch: string;

  const edge = (url: string, options?: RequestOptions) => request(stack.edge, url, options);
  /** Publishes a file at a URL path, as the worker or an upload would. */
  const put = (urlPath: string, data: Buffer) => {
    const location = stack.spec.http.locations.find((l) => urlPath.startsWith(l.path));
    if (location === undefined) throw new Error(`${urlPath} is in no location`);
    const file = path.join(stack.dirs.media, location.directory, urlPath.slice(location.path.length));
    fs.writeFileSync(file, data, { mode: 0o644 });
  };
  /**
   * Origin requests for a path (its query aside). nginx logs a request after its response, so an
   * edge may have answered before the origin's line is written: read once the log stops growing.
   */
  async function fetches(urlPath: string): Promise<OriginLogLine[]> {
    let lines = stack.originLog();
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      const now = stack.originLog();
      if (now.length === lines.length) break;
      lines = now;
    }
    return lines.filter((l) => l.target.split("?")[0] === urlPath);
  }
  const cacheStatus = (res: HttpResponse) => res.headers["x-cache-status"];

  function probeDuration(data: Buffer): number {
    const file = path.join(scratch, `probe-${sha256(data).slice(0, 12)}.mp4`);
    fs.writeFileSync(file, data);
    const out = execFileSync(
      "ffprobe",
      ["-v", "error", "-show_entries", "format=duration", "-of", "json", file],
      {
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    return Number((JSON.parse(out) as { format: { duration: string } }).format.duration);
  }

  beforeAll(async () => {
    if (!findBinary("ffprobe"))
      throw new Error("the seeking test checks cuts with ffprobe: apt-get install ffmpeg");
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-edge-"));
    stack = await startEdgeStack("services-edge", EDGE);
  });
  afterAll(async () => {
    await stack?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("serves a file byte for byte, and the second fetch from its cache", async () => {
    put("/videos/clip.mp4", VIDEO);
    const first = await edge("/videos/clip.mp4");
    expect(first.status).toBe(200);
    expect(sha256(first.body)).toBe(sha256(VIDEO));
    expect(cacheStatus(first)).toBe("MISS");
    const second = await edge("/videos/clip.mp4");
    expect(cacheStatus(second)).toBe("HIT");
    expect(sha256(second.body)).toBe(sha256(VIDEO));
    // One fetch, of the first slice, for the viewer's address.
    expect(await fetches("/videos/clip.mp4")).toEqual([
      expect.objectContaining({
        client: "127.0.0.1",
        forwardedFor: "127.0.0.1",
        status: 206,
        bytes: VIDEO.length,
        range: sliceRange(0),
      }),
    ]);
  });

  it("sends each header once: its own security headers, the origin's Cache-Control and type", async () => {
    put("/videos/headers.mp4", VIDEO);
    for (const expected of ["MISS", "HIT"]) {
      const res = await edge("/videos/headers.mp4", { method: "HEAD" });
      expect(cacheStatus(res)).toBe(expected);
      expect(res.headers).toMatchObject({
        "content-type": "video/mp4",
        "cache-control": "public, max-age=600",
        "x-content-type-options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "referrer-policy": "no-referrer",
        "accept-ranges": "bytes",
      });
      expect(res.headers["content-length"]).toBe(String(VIDEO.length));
    }
  });

  it("answers CORS at the edge: the allowed origin echoed, a preflight without the origin", async () => {
    put("/videos/cors.mp4", VIDEO);
    const res = await edge("/videos/cors.mp4", { headers: { Origin: PLAYER_ORIGIN } });
    expect(res.headers["access-control-allow-origin"]).toBe(PLAYER_ORIGIN);
    expect(res.headers.vary).toBe("Origin");
    const other = await edge("/videos/cors.mp4", { headers: { Origin: "https://elsewhere.example.com" } });
    expect(cacheStatus(other)).toBe("HIT");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await edge("/videos/cors.mp4", {
      method: "OPTIONS",
      headers: { Origin: PLAYER_ORIGIN },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-headers"]).toBe("Range");
    expect(await fetches("/videos/cors.mp4")).toHaveLength(1);
  });

  it("answers a range of a 200 MiB file with exactly those bytes, fetching only the slices it touches", async () => {
    const size = 200 * MB;
    // Sparse but for 3 MiB of random bytes around the 100 MiB mark, which the range reads.
    const marked = randomBytes(3 * SLICE);
    const file = path.join(stack.dirs.media, "videos", "big.bin");
    const fd = fs.openSync(file, "w", 0o644);
    fs.ftruncateSync(fd, size);
    fs.writeSync(fd, marked, 0, marked.length, 99 * SLICE);
    fs.closeSync(fd);
    const [first, last] = [100 * SLICE - 1000, 101 * SLICE + 500];
    const res = await edge("/videos/big.bin", { headers: { Range: `bytes=${first}-${last}` } });
    expect(res.status).toBe(206);
    expect(res.headers["content-range"]).toBe(`bytes ${first}-${last}/${size}`);
    expect(res.body.equals(marked.subarray(first - 99 * SLICE, last + 1 - 99 * SLICE))).toBe(true);
    const fetched = await fetches("/videos/big.bin");
    expect(fetched.map((l) => [l.status, l.bytes, l.range])).toEqual(
      [99, 100, 101].map((k) => [206, SLICE, sliceRange(k)]),
    );
    // Another range inside those slices: from the cache alone.
    const again = await edge("/videos/big.bin", {
      headers: { Range: `bytes=${100 * SLICE}-${100 * SLICE + 99}` },
    });
    expect(cacheStatus(again)).toBe("HIT");
    expect(again.body.equals(marked.subarray(SLICE, SLICE + 100))).toBe(true);
    expect(await fetches("/videos/big.bin")).toHaveLength(3);
  });

  it("fetches each slice once for 50 viewers who ask for an uncached file at the same time", async () => {
    const data = randomBytes(8 * SLICE + 123);
    put("/videos/popular.bin", data);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => edge("/videos/popular.bin", { keepBody: false, timeoutMs: 30_000 })),
    );
    const elapsed = Date.now() - started;
    expect(results.map((r) => [r.status, r.sha256])).toEqual(results.map(() => [200, sha256(data)]));
    const fetched = await fetches("/videos/popular.bin");
    expect(fetched.map((l) => l.range).sort()).toEqual(
      Array.from({ length: 9 }, (_, k) => sliceRange(k)).sort(),
    );
    expect(fetched.every((l) => l.status === 206)).toBe(true);
    // Viewers who wait for another's fetch poll its lock every 500 ms (nginx's file cache).
    expect(elapsed).toBeLessThan(20_000);
  });

  describe("the location's rules, at the edge", () => {
    const creds = `${VIEWER.name}:${VIEWER.password}`;

    it("asks for basic auth, refuses a wrong password, and serves the right one", async () => {
      put("/members/clip.mp4", VIDEO);
      const none = await edge("/members/clip.mp4");
      expect(none.status).toBe(401);
      expect(none.headers["www-authenticate"]).toBe('Basic realm="video-server"');
      expect((await edge("/members/clip.mp4", { auth: `${VIEWER.name}:wrong-password` })).status).toBe(401);
      const right = await edge("/members/clip.mp4", { auth: creds });
      expect(right.status).toBe(200);
      expect(sha256(right.body)).toBe(sha256(VIDEO));
      // A cached copy is no way round the password.
      expect((await edge("/members/clip.mp4")).status).toBe(401);
      expect(await fetches("/members/clip.mp4")).toHaveLength(1);
    });

    it("refuses an address the allow list leaves out, before and after the file is cached", async () => {
      put("/lan/clip.mp4", VIDEO);
      expect((await edge("/lan/clip.mp4", { localAddress: "127.0.0.2" })).status).toBe(403);
      const allowed = await edge("/lan/clip.mp4", { localAddress: "127.0.0.1" });
      expect(allowed.status).toBe(200);
      expect(sha256(allowed.body)).toBe(sha256(VIDEO));
      expect((await edge("/lan/clip.mp4", { localAddress: "127.0.0.2" })).status).toBe(403);
      expect(await fetches("/lan/clip.mp4")).toHaveLength(1);
    });

    it("serves two valid signatures of one file from one cached copy, fetched without the signature", async () => {
      put("/signed/clip.mp4", VIDEO);
      const a = await edge(signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() + 3600));
      const b = await edge(signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() + 7200));
      expect([a.status, cacheStatus(a), b.status, cacheStatus(b)]).toEqual([200, "MISS", 200, "HIT"]);
      expect(sha256(b.body)).toBe(sha256(VIDEO));
      expect((await fetches("/signed/clip.mp4")).map((l) => l.target)).toEqual(["/signed/clip.mp4"]);
    });

    it("refuses a bad or expired signature even where a copy is cached", async () => {
      const good = signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() + 3600);
      await edge(good);
      const forged = good.replace(/md5=./, (m) => (m.endsWith("A") ? "md5=B" : "md5=A"));
      expect((await edge(forged)).status).toBe(403);
      expect((await edge("/signed/clip.mp4")).status).toBe(403);
      expect((await edge(signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() - 60))).status).toBe(410);
    });
  });

  it("accepts only the overlay's addresses at the origin, and none of the location rules there", async () => {
    put("/members/direct.mp4", VIDEO);
    const outside = await request(stack.origin, "/members/direct.mp4", { localAddress: "127.0.0.100" });
    expect(outside.status).toBe(403);
    // An edge's request: no password, as the edge checked it.
    const fromEdge = await request(stack.origin, "/members/direct.mp4", { localAddress: "127.0.0.1" });
    expect(fromEdge.status).toBe(200);
  });

  it("passes ?start= to the origin, which cuts a valid shorter MP4, cached with its query", async () => {
    put("/videos/seek.mp4", VIDEO);
    const cut = await edge("/videos/seek.mp4?start=1");
    expect(cut.status).toBe(200);
    expect(cut.body.length).toBeLessThan(VIDEO.length);
    const duration = probeDuration(cut.body);
    expect(duration).toBeGreaterThan(1.5);
    expect(duration).toBeLessThan(2.5);
    expect((await fetches("/videos/seek.mp4")).map((l) => l.target)).toEqual([
      "/videos/seek.mp4?start=1&end=",
    ]);

    const again = await edge("/videos/seek.mp4?start=1&utm_source=x");
    expect(cacheStatus(again)).toBe("HIT");
    expect(sha256(again.body)).toBe(sha256(cut.body));
    const later = await edge("/videos/seek.mp4?start=2");
    expect(cacheStatus(later)).toBe("MISS");
    expect(later.body.length).toBeLessThan(cut.body.length);
    const whole = await edge("/videos/seek.mp4");
    expect([cacheStatus(whole), sha256(whole.body)]).toEqual(["MISS", sha256(VIDEO)]);
    // A non-MP4 file of an mp4 location: refused at the edge, as the single server does.
    put("/videos/poster.png", fixture("sample.png"));
    expect((await edge("/videos/poster.png?start=1")).status).toBe(400);
    expect(await fetches("/videos/poster.png")).toEqual([]);
  });

  it("never serves a listing from its cache: a new file shows at once", async () => {
    put("/videos/listed-a.mp4", VIDEO);
    const before = await edge("/videos/");
    expect([before.status, cacheStatus(before)]).toEqual([200, "BYPASS"]);
    expect(before.body.toString()).toContain('href="listed-a.mp4"');
    expect(before.body.toString()).not.toContain("listed-b.mp4");
    const json = await edge("/-/listing/videos/");
    expect(JSON.parse(json.body.toString())).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "listed-a.mp4" })]),
    );
    put("/videos/listed-b.mp4", VIDEO);
    expect((await edge("/videos/")).body.toString()).toContain('href="listed-b.mp4"');
    const jsonAfter = JSON.parse((await edge("/-/listing/videos/")).body.toString()) as { name: string }[];
    expect(jsonAfter.map((e) => e.name)).toContain("listed-b.mp4");
    // The gallery page too, with the origin's Content-Security-Policy.
    const page = await edge("/gallery/");
    expect([page.status, cacheStatus(page)]).toEqual([200, "BYPASS"]);
    expect(page.headers["content-security-policy"]).toMatch(/^default-src 'none'; script-src 'sha256-/);
  });

  it("revalidates a copy after edge.cacheSeconds: a 304 while unchanged, the new bytes once replaced", async () => {
    put("/videos/revalidated.mp4", VIDEO);
    expect(cacheStatus(await edge("/videos/revalidated.mp4"))).toBe("MISS");
    await sleep(PAST_VALIDITY_MS);
    const unchanged = await edge("/videos/revalidated.mp4");
    expect([cacheStatus(unchanged), sha256(unchanged.body)]).toEqual(["REVALIDATED", sha256(VIDEO)]);
    expect((await fetches("/videos/revalidated.mp4")).map((l) => l.status)).toEqual([206, 304]);

    const replaced = randomBytes(VIDEO.length);
    put("/videos/revalidated.mp4", replaced);
    // A new mtime: nginx's ETag and Last-Modified are of the second.
    fs.utimesSync(path.join(stack.dirs.media, "videos", "revalidated.mp4"), now() + 5, now() + 5);
    expect(sha256((await edge("/videos/revalidated.mp4")).body)).toBe(sha256(VIDEO));
    await sleep(PAST_VALIDITY_MS);
    const fresh = await edge("/videos/revalidated.mp4");
    expect(sha256(fresh.body)).toBe(sha256(replaced));
    expect((await fetches("/videos/revalidated.mp4")).map((l) => l.status)).toEqual([206, 304, 206]);
  });

  // Last: it stops the origin.
  it("serves its copies stale while the origin is down, and answers 502 at once for the rest", async () => {
    put("/videos/kept.mp4", VIDEO);
    put("/videos/never-fetched.mp4", VIDEO);
    expect(cacheStatus(await edge("/videos/kept.mp4"))).toBe("MISS");
    await stack.stopOrigin();
    const kept = await edge("/videos/kept.mp4");
    expect([kept.status, sha256(kept.body)]).toEqual([200, sha256(VIDEO)]);
    expect(["HIT", "STALE"]).toContain(cacheStatus(kept));
    await sleep(PAST_VALIDITY_MS);
    const stale = await edge("/videos/kept.mp4");
    expect([stale.status, cacheStatus(stale), sha256(stale.body)]).toEqual([200, "STALE", sha256(VIDEO)]);
    const missing = await edge("/videos/never-fetched.mp4", { timeoutMs: 10_000 });
    expect(missing.status).toBe(502);
    expect(missing.totalMs).toBeLessThan(2_000);
    const listing = await edge("/videos/", { timeoutMs: 10_000 });
    expect(listing.status).toBe(502);
  });
});
