/**
 * Video-friendly HTTP on the real nginx: MIME types, CORS for web players, cache headers,
 * security headers on every kind of response, no version in `Server`, and the per-location rate
 * and connection limits.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { signUrl } from "../../nginx/secureLink";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { request, type HttpResponse, type RequestOptions } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { DELIVERY, PLAYER_ORIGIN, SECURE_LINK_SECRET, VIEWER } from "./deliveryStacks";

const VIDEO = fixture("sample.mp4");
const FAR_FUTURE = 4_102_444_800;

describe("response headers", () => {
  let stack: RunningStack;
  const get = (url: string, options?: RequestOptions): Promise<HttpResponse> => request(stack, url, options);

  beforeAll(async () => {
    stack = await startStack("services-headers", DELIVERY);
    await withFtp(stack, "uploader", async (c) => {
      for (const dir of ["videos", "images", "members", "signed", "lan"])
        await upload(c, VIDEO, `/${dir}/clip.mp4`);
    });
  });
  afterAll(() => stack?.stop());

  test.each([
    ["mp4", "video/mp4"],
    ["webm", "video/webm"],
    ["mov", "video/quicktime"],
    ["m4v", "video/x-m4v"],
    ["m3u8", "application/vnd.apple.mpegurl"],
    ["ts", "video/mp2t"],
    ["jpg", "image/jpeg"],
    ["jpeg", "image/jpeg"],
    ["png", "image/png"],
    ["webp", "image/webp"],
    ["gif", "image/gif"],
  ])("serves .%s as %s", async (extension, type) => {
    fs.writeFileSync(path.join(stack.dirs.media, "videos", `type.${extension}`), "x", { mode: 0o644 });
    const res = await get(`/videos/type.${extension}`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(type);
  });

  describe("CORS", () => {
    it("echoes an allowed Origin, exposes the range headers and varies by Origin", async () => {
      const res = await get("/videos/clip.mp4", { headers: { Origin: PLAYER_ORIGIN, Range: "bytes=0-99" } });
      expect(res.status).toBe(206);
      expect(res.headers).toMatchObject({
        "access-control-allow-origin": PLAYER_ORIGIN,
        "access-control-expose-headers": "Content-Range, Accept-Ranges, Content-Length",
        vary: "Origin",
      });
    });

    it("sends no Access-Control-Allow-Origin to an origin that is not listed", async () => {
      const res = await get("/videos/clip.mp4", { headers: { Origin: "https://evil.example.net" } });
      expect(res.status).toBe(200);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    });

    it("answers a preflight with 204, the methods and the Range header", async () => {
      const res = await get("/videos/clip.mp4", {
        method: "OPTIONS",
        headers: {
          Origin: PLAYER_ORIGIN,
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "range",
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        "access-control-allow-origin": PLAYER_ORIGIN,
        "access-control-allow-methods": "GET, HEAD, OPTIONS",
        "access-control-allow-headers": "Range",
        "access-control-max-age": "86400",
      });
    });

    it("allows any origin with '*', without Vary", async () => {
      const res = await get("/images/clip.mp4", { headers: { Origin: "https://anyone.example.org" } });
      expect(res.headers["access-control-allow-origin"]).toBe("*");
      expect(res.headers.vary).toBeUndefined();
    });

    it("sends no CORS headers where no origin is configured, and does not answer OPTIONS there", async () => {
      const res = await get("/lan/clip.mp4", { headers: { Origin: PLAYER_ORIGIN } });
      expect(Object.keys(res.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
      expect(
        (await get("/lan/clip.mp4", { method: "OPTIONS", headers: { Origin: PLAYER_ORIGIN } })).status,
      ).toBe(405);
    });

    it("keeps CORS headers on errors, so a player can read why", async () => {
      const res = await get("/videos/missing.mp4", { headers: { Origin: PLAYER_ORIGIN } });
      expect(res.status).toBe(404);
      expect(res.headers["access-control-allow-origin"]).toBe(PLAYER_ORIGIN);
    });
  });

  describe("caching", () => {
    it.each([
      ["a public location's file", "/videos/clip.mp4", {}, "public, max-age=600"],
      ["a cacheSeconds 0 location's file", "/images/clip.mp4", {}, "no-cache"],
      ["a folder listing", "/videos/", {}, "no-cache"],
      [
        "a basic-auth location's file",
        "/members/clip.mp4",
        { auth: `${VIEWER.name}:${VIEWER.password}` },
        "private, max-age=3600",
      ],
      [
        "a secure-link location's file",
        signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, FAR_FUTURE),
        {},
        "private, max-age=3600",
      ],
      ["an allow-listed location's file", "/lan/clip.mp4", {}, "private, max-age=3600"],
      ["the gallery", "/gallery/", {}, "no-cache"],
      ["a JSON listing", "/-/listing/videos/", {}, "no-cache"],
    ])("sends Cache-Control for %s", async (_, url, options, value) => {
      const res = await get(url, options);
      expect(res.status).toBe(200);
      expect(res.headers["cache-control"]).toBe(value);
    });

    it("revalidates with 304 by ETag and sends no Cache-Control on errors", async () => {
      const first = await get("/videos/clip.mp4");
      const again = await get("/videos/clip.mp4", { headers: { "If-None-Match": first.headers.etag ?? "" } });
      expect(again.status).toBe(304);
      expect((await get("/videos/missing.mp4")).headers["cache-control"]).toBeUndefined();
    });
  });

  describe("security headers", () => {
    const expected = {
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "SAMEORIGIN",
    };
    it.each([
      ["a file (200)", "/videos/clip.mp4", {}, 200],
      ["a range (206)", "/videos/clip.mp4", { headers: { Range: "bytes=0-9" } }, 206],
      ["a folder listing (200)", "/videos/", {}, 200],
      ["a folder without its slash (301)", "/videos/sub", {}, 301],
      ["a URL outside every location (404)", "/nowhere", {}, 404],
      ["a dotfile (404)", "/videos/.hidden", {}, 404],
      ["a partial upload (404)", "/videos/clip.mp4.part", {}, 404],
      ["a refused address (403)", "/office/clip.mp4", {}, 403],
      ["a missing password (401)", "/members/clip.mp4", {}, 401],
      ["a missing signature (403)", "/signed/clip.mp4", {}, 403],
      ["an expired link (410)", signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, 1), {}, 410],
      ["a bad seek (400)", "/videos/type.png?start=1", {}, 400],
      [
        "a preflight (204)",
        "/videos/clip.mp4",
        { method: "OPTIONS" as const, headers: { Origin: PLAYER_ORIGIN } },
        204,
      ],
      ["the gallery (200)", "/gallery/", {}, 200],
      ["the gallery without its slash (301)", "/gallery", {}, 301],
      ["a JSON listing (200)", "/-/listing/videos/", {}, 200],
    ])("sends them on %s", async (_, url, options, status) => {
      fs.mkdirSync(path.join(stack.dirs.media, "videos", "sub"), { recursive: true, mode: 0o755 });
      fs.writeFileSync(path.join(stack.dirs.media, "videos", "type.png"), "x", { mode: 0o644 });
      const res = await get(url, options);
      expect(res.status).toBe(status);
      expect(res.headers).toMatchObject(expected);
      expect(res.headers.server).toBe("nginx");
    });

    it("sandboxes documents that could run script (HTML, SVG), and no video or image", async () => {
      for (const name of ["page.html", "page.htm", "drawing.svg", "feed.xml", "type.png", "clip.mp4"]) {
        if (!name.startsWith("type.") && !name.startsWith("clip.")) {
          fs.writeFileSync(path.join(stack.dirs.media, "videos", name), "<x/>", { mode: 0o644 });
        }
      }
      const csp = async (url: string) => (await get(url)).headers["content-security-policy"];
      expect(await csp("/videos/page.html")).toBe("sandbox");
      expect(await csp("/videos/page.htm")).toBe("sandbox");
      expect(await csp("/videos/drawing.svg")).toBe("sandbox");
      expect(await csp("/videos/feed.xml")).toBe("sandbox");
      expect(await csp("/videos/")).toBe("sandbox");
      expect(await csp("/videos/clip.mp4")).toBeUndefined();
      expect(await csp("/videos/type.png")).toBeUndefined();
    });

    it("keeps the host and port of the request in redirects (relative Location)", async () => {
      fs.mkdirSync(path.join(stack.dirs.media, "videos", "sub"), { recursive: true, mode: 0o755 });
      expect((await get("/videos/sub")).headers.location).toBe("/videos/sub/");
      expect((await get("/gallery")).headers.location).toBe("/gallery/");
    });

    it("puts a Content-Security-Policy that allows only the page's own script and style on the gallery", async () => {
      const res = await get("/gallery/");
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      const csp = res.headers["content-security-policy"] ?? "";
      expect(csp).toMatch(
        /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'sha256-[A-Za-z0-9+/]+=*';/,
      );
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain("unsafe");
    });
  });

  describe("limits", () => {
    // /slow/: 256 KiB/s after the first 64 KiB, one connection per address.
    const size = 1024 * 1024;
    beforeAll(() => {
      fs.writeFileSync(path.join(stack.dirs.media, "slow", "big.bin"), randomBytes(size), { mode: 0o644 });
    });

    it("sends the first limitRateAfter bytes at once, then limitRate bytes per second", async () => {
      const fast = await get("/slow/big.bin", { headers: { Range: "bytes=0-32767" } });
      expect(fast.totalMs).toBeLessThan(500);
      const whole = await get("/slow/big.bin");
      expect(whole.body.length).toBe(size);
      // (1 MiB - 64 KiB) / 256 KiB/s = 3.75 s; nginx may run a little ahead within a second.
      expect(whole.totalMs).toBeGreaterThan(2_500);
      expect(whole.totalMs).toBeLessThan(8_000);
    }, 30_000);

    it("refuses a second concurrent download from one address with 429, and serves another address", async () => {
      const first = get("/slow/big.bin");
      try {
        await new Promise((r) => setTimeout(r, 300));
        const second = await get("/slow/big.bin", { headers: { Range: "bytes=0-9" } });
        const elsewhere = await get("/slow/big.bin", {
          headers: { Range: "bytes=0-9" },
          localAddress: "127.0.0.9",
        });
        expect(second.status).toBe(429);
        expect(elsewhere.status).toBe(206);
        expect((await first).status).toBe(200);
        // nginx frees the slot when it finalizes the first request, a moment after its last byte.
        let again = await get("/slow/big.bin", { headers: { Range: "bytes=0-9" } });
        for (let i = 0; i < 20 && again.status === 429; i++) {
          await new Promise((r) => setTimeout(r, 100));
          again = await get("/slow/big.bin", { headers: { Range: "bytes=0-9" } });
        }
        expect(again.status).toBe(206);
      } finally {
        // Still downloading when an expectation fails: let it end before the stack stops.
        await first.catch(() => undefined);
      }
    }, 30_000);

    it("does not limit locations without limits", async () => {
      fs.writeFileSync(path.join(stack.dirs.media, "videos", "big.bin"), randomBytes(size), { mode: 0o644 });
      const downloads = await Promise.all([1, 2, 3].map(() => get("/videos/big.bin")));
      for (const d of downloads) {
        expect(d.status).toBe(200);
        expect(d.totalMs).toBeLessThan(2_000);
      }
    });
  });
});
