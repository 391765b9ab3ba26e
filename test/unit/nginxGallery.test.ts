/** The gallery: which locations it lists, its nginx locations, and the page with its CSP. */
import { createHash } from "node:crypto";
import { WEB_CONTAINER_LAYOUT } from "../../spec";
import { parseSpec } from "../../spec";
import {
  galleryCsp,
  galleryEntries,
  galleryLocations,
  galleryPlaysHls,
  renderGalleryPage,
} from "../../nginx/gallery";
import { GALLERY_SCRIPT, GALLERY_STYLE, HLS_JS_INTEGRITY, HLS_JS_URL } from "../../nginx/galleryPage";
import { HLS_JS_SHA256 } from "../../nginx/static/hls";
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from "../../worker/src/settings";
import { PROJECT } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";

const ctx = { project: PROJECT, stack: "prod", projectDir: "/p" };
const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
/** The integrity of nginx/static/hls.min.js (whose hash test/unit/nginxStatic.test.ts checks). */
const HLS_JS_SRI = `sha256-${Buffer.from(HLS_JS_SHA256, "hex").toString("base64")}`;
const SECRET = "a-secure-link-secret-0123";

/** threeUserConfig with these locations (its FTP users need team-a/videos to exist). */
function http(locations: object[], gallery?: object, processing?: object) {
  let config = withValue(threeUserConfig(), "http.locations", [
    ...locations,
    { path: "/team-a/videos/", directory: "team-a/videos" },
  ]);
  config = withValue(config, "http.secureLinkSecret", SECRET);
  config = withValue(config, "http.users", [{ name: "viewer", password: "viewer-password" }]);
  if (gallery) config = withValue(config, "http.gallery", gallery);
  if (processing) config = withValue(config, "processing", processing);
  return parseSpec(config, ctx).spec.http;
}

describe("galleryEntries", () => {
  it("lists the locations with autoindex on, except secure-link ones it could not fetch", () => {
    const spec = http([
      { path: "/videos/", directory: "videos", autoindex: true },
      { path: "/images/", directory: "images", autoindex: true, basicAuth: true },
      { path: "/signed/", directory: "signed", autoindex: true, secureLink: true },
      { path: "/quiet/", directory: "quiet" },
    ]);
    expect(galleryEntries(spec).map((e) => e.path)).toEqual(["/images/", "/videos/"]);
  });

  it("gives each location its listing and, with the media worker, its metadata", () => {
    const locations = [{ path: "/videos/", directory: "videos", autoindex: true }];
    expect(galleryEntries(http(locations))).toEqual([
      { path: "/videos/", listing: "/-/listing/videos/", meta: "/-/meta/videos/" },
    ]);
    expect(galleryEntries(http(locations, undefined, { enabled: false }))).toEqual([
      { path: "/videos/", listing: "/-/listing/videos/" },
    ]);
  });

  it("lists nothing when the gallery is off", () => {
    const spec = http([{ path: "/videos/", directory: "videos", autoindex: true }], { enabled: false });
    expect(galleryEntries(spec)).toEqual([]);
    expect(galleryLocations(spec, WEB_CONTAINER_LAYOUT)).toEqual([]);
  });
});

describe("galleryLocations", () => {
  it("serves the page at / and a JSON listing twin with the location's access rules", () => {
    const spec = http([
      { path: "/videos/", directory: "videos", autoindex: true, allow: ["10.0.0.0/8"], basicAuth: true },
    ]);
    expect(galleryLocations(spec, WEB_CONTAINER_LAYOUT)).toEqual([
      "location = / {",
      "    root /etc/nginx/video-server;",
      "    rewrite ^ /gallery.html break;",
      "    charset utf-8;",
      '    add_header Cache-Control "no-cache";',
      `    add_header Content-Security-Policy "${galleryCsp(false)}" always;`,
      "    add_header X-Content-Type-Options nosniff always;",
      "    add_header Referrer-Policy no-referrer always;",
      "    add_header X-Frame-Options SAMEORIGIN always;",
      "}",
      "",
      "location /-/listing/videos/ {",
      "    alias /srv/media/videos/;",
      "    autoindex on;",
      "    autoindex_format json;",
      "    allow 10.0.0.0/8;",
      "    deny all;",
      '    auth_basic "video-server";',
      "    auth_basic_user_file /etc/nginx/video-server/htpasswd;",
      '    add_header Cache-Control "no-cache";',
      "    add_header X-Content-Type-Options nosniff always;",
      "    add_header Referrer-Policy no-referrer always;",
      "    add_header X-Frame-Options SAMEORIGIN always;",
      "    location ~ [^/]$ {",
      "        return 404;",
      "    }",
      "}",
    ]);
  });

  it("serves the image's hls.js at its hashed URL for a year when a listed location makes ladders", () => {
    const spec = http([{ path: "/videos/", directory: "videos", autoindex: true, hls: {} }]);
    const lines = galleryLocations(spec, WEB_CONTAINER_LAYOUT);
    const at = lines.indexOf(`location = /-/static/hls.${HLS_JS_SHA256.slice(0, 12)}.min.js {`);
    expect(lines.slice(at, at + 11)).toEqual([
      `location = ${HLS_JS_URL} {`,
      "    alias /usr/share/video-server/hls.min.js;",
      "    gzip on;",
      "    gzip_types application/javascript text/javascript;",
      "    gzip_vary on;",
      '    add_header Cache-Control "public, max-age=31536000, immutable";',
      "    add_header X-Content-Type-Options nosniff always;",
      "    add_header Referrer-Policy no-referrer always;",
      "    add_header X-Frame-Options SAMEORIGIN always;",
      "}",
      "",
    ]);
    expect(lines).toContain(`    add_header Content-Security-Policy "${galleryCsp(true)}" always;`);
  });

  test.each([
    [
      "the gallery is off",
      [{ path: "/videos/", directory: "videos", autoindex: true, hls: {} }],
      { enabled: false },
    ],
    ["no location makes ladders", [{ path: "/videos/", directory: "videos", autoindex: true }], undefined],
    [
      "the location with ladders is not listed",
      [
        { path: "/videos/", directory: "videos", hls: {} },
        { path: "/images/", directory: "images", autoindex: true },
      ],
      undefined,
    ],
  ])("serves no hls.js, and the CSP allows none, when %s", (_, locations, gallery) => {
    const spec = http(locations, gallery);
    expect(galleryPlaysHls(spec)).toBe(false);
    expect(galleryLocations(spec, WEB_CONTAINER_LAYOUT).filter((l) => l.includes("/-/static/"))).toEqual([]);
  });

  it("redirects the gallery path without its slash to the page", () => {
    const spec = http([{ path: "/videos/", directory: "videos", autoindex: true }], { path: "/gallery/" });
    const lines = galleryLocations(spec, WEB_CONTAINER_LAYOUT);
    expect(lines[0]).toBe("location = /gallery/ {");
    expect(
      lines.slice(lines.indexOf("location = /gallery {"), lines.indexOf("location = /gallery {") + 3),
    ).toEqual(["location = /gallery {", "    return 301 /gallery/;", "}"]);
  });
});

describe("the gallery page", () => {
  const entries = [{ path: "/videos/", listing: "/-/listing/videos/", meta: "/-/meta/videos/" }];
  const page = renderGalleryPage(entries);

  it("carries its locations as a JSON data block the script reads", () => {
    expect(page).toContain(
      '<script type="application/json" id="gallery-config">{"locations":[{"path":"/videos/","listing":"/-/listing/videos/","meta":"/-/meta/videos/"}]}</script>',
    );
    expect(renderGalleryPage([{ path: "/videos/", listing: "/-/listing/videos/" }])).toContain(
      '<script type="application/json" id="gallery-config">{"locations":[{"path":"/videos/","listing":"/-/listing/videos/"}]}</script>',
    );
  });

  it("names an empty favicon, so the browser asks for no /favicon.ico", () => {
    expect(page).toContain('<link rel="icon" href="data:,">');
  });

  it("inlines exactly the style and script whose hashes the CSP allows", () => {
    const inline = (tag: string) =>
      [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
    expect(inline("script")).toEqual([GALLERY_SCRIPT]);
    expect(inline("style")).toEqual([GALLERY_STYLE]);
    expect(galleryCsp(false)).toBe(
      [
        "default-src 'none'",
        `script-src ${hash(GALLERY_SCRIPT)}`,
        `style-src ${hash(GALLERY_STYLE)}`,
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
      ].join("; "),
    );
  });

  it("allows hls.js by its hash and blob: media (its MediaSource) when the page plays ladders", () => {
    expect(galleryCsp(true)).toBe(
      [
        "default-src 'none'",
        `script-src ${hash(GALLERY_SCRIPT)} '${HLS_JS_SRI}'`,
        `style-src ${hash(GALLERY_STYLE)}`,
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
      ].join("; "),
    );
  });

  it("plays videos with a metadata-preloading player only where it has no metadata to read", () => {
    expect(GALLERY_SCRIPT).toContain(
      'if (f.video && meta === null) {\n      c.thumb = el("video", { "class": "thumb", controls: "", preload: "metadata", src: url });',
    );
    expect(GALLERY_SCRIPT).toContain(
      'var video = el("video", { "class": "player", controls: "", autoplay: "" });',
    );
    expect(GALLERY_SCRIPT).toContain('if (c.hls === null) { source(p, "mp4", c.url, 0); return; }');
  });

  it("loads hls.js from the URL nginx serves it at, with the integrity the CSP allows, only to play a ladder", () => {
    expect(HLS_JS_INTEGRITY).toBe(HLS_JS_SRI);
    expect(GALLERY_SCRIPT).toContain(`var HLS_JS = { src: "${HLS_JS_URL}", integrity: "${HLS_JS_SRI}" };`);
    expect(GALLERY_SCRIPT).toContain(
      'var script = el("script", { src: HLS_JS.src, integrity: HLS_JS.integrity });',
    );
    // Called once, from play(), after the return of a card without a ladder.
    const calls = [...GALLERY_SCRIPT.matchAll(/loadHls\(\)\.then/g)].map((m) => m.index);
    expect(calls).toEqual([expect.any(Number)]);
    expect(
      GALLERY_SCRIPT.indexOf('if (c.hls === null) { source(p, "mp4", c.url, 0); return; }'),
    ).toBeLessThan(calls[0] ?? -1);
  });

  it("runs hls.js without a worker, which the CSP does not allow", () => {
    expect(GALLERY_SCRIPT).toContain("new Hls({ enableWorker: false, capLevelToPlayerSize: true })");
    expect(galleryCsp(true)).not.toContain("worker-src");
  });

  it("bounds its crawl of subfolders and its metadata requests, retries included", () => {
    expect(GALLERY_SCRIPT).toMatch(/MAX_DEPTH = 4;[\s\S]*MAX_LISTINGS = 200;/);
    expect(GALLERY_SCRIPT).toMatch(
      /META_AT_ONCE = 4;[\s\S]*MAX_META = 1000;[\s\S]*RETRY_SECONDS = \[2, 4, 8, 16, 32\];/,
    );
  });

  it("asks for the metadata of exactly the files the media worker describes", () => {
    const described = new RegExp(/DESCRIBED = \/(.*)\/i;/.exec(GALLERY_SCRIPT)?.[1] ?? "^$", "i");
    const shown = ["mp4", "m4v", "webm", "mov", "ogv", "jpg", "jpeg", "png", "gif", "webp", "avif"];
    const byWorker: readonly string[] = [...VIDEO_EXTENSIONS, ...IMAGE_EXTENSIONS];
    expect(shown.filter((ext) => described.test(`clip.${ext}`))).toEqual(
      shown.filter((ext) => byWorker.includes(ext)),
    );
  });

  it("escapes '<' in the data block, so no value can end it", () => {
    expect(renderGalleryPage([{ path: "/a</script>/", listing: "/-/listing/a/" }])).toContain(
      '"path":"/a\\u003c/script>/"',
    );
  });

  it("is the same bytes for the same locations", () => {
    expect(renderGalleryPage(entries)).toBe(page);
  });
});
