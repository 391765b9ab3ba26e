// The page reads a JSON twin of each listed location under LISTING_PREFIX, which no configured path
// can produce (a segment cannot start with '-'), with the location's allow/deny and basic auth.
// Secure-link locations are not listed: the page cannot sign their URLs. With the media worker
// the page also reads each file's metadata under DERIVED_URLS.meta (nginx/derived.ts), and where a
// listed location makes HLS ladders it plays them with the image's hls.js, served here.
import { createHash } from "node:crypto";
import * as path from "node:path";
import { DERIVED_URLS, type HttpSpec, type LocationSpec, type WebLayout } from "../spec";
import { accessLines } from "./access";
import { block } from "./block";
import { securityHeaders } from "./headers";
import { GALLERY_SCRIPT, GALLERY_STYLE, HLS_JS_INTEGRITY, HLS_JS_URL } from "./galleryPage";

/** The hls.js copy nginx/Dockerfile puts into the image, in the layout's staticDir. */
export const HLS_JS_FILE = "hls.min.js";
/** A year: the URL names the file's hash, so a new hls.js gets a new URL. */
const IMMUTABLE_SECONDS = 31_536_000;

export const LISTING_PREFIX = "/-/listing";

export interface GalleryEntry {
  readonly path: string;
  readonly listing: string;
  /** Where the worker's metadata of the location's files is; absent without the worker. */
  readonly meta?: string;
}

export function galleryLocationsOf(http: HttpSpec): LocationSpec[] {
  return http.gallery.enabled ? http.locations.filter((l) => l.autoindex && !l.secureLink) : [];
}

export function galleryEntries(http: HttpSpec): GalleryEntry[] {
  return galleryLocationsOf(http).map((l) => ({
    path: l.path,
    listing: `${LISTING_PREFIX}${l.path}`,
    ...(http.derived ? { meta: `${DERIVED_URLS.meta}${l.path}` } : {}),
  }));
}

/** Whether the page may play HLS: some location it lists has the media worker make ladders. */
export function galleryPlaysHls(http: HttpSpec): boolean {
  return galleryLocationsOf(http).some((l) => l.hls !== undefined);
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export function galleryCsp(playsHls: boolean): string {
  // hls.js by its integrity (CSP3 hash-source for external scripts); it runs without a worker.
  const scripts = [sha256(GALLERY_SCRIPT), ...(playsHls ? [`'${HLS_JS_INTEGRITY}'`] : [])];
  return [
    "default-src 'none'",
    `script-src ${scripts.join(" ")}`,
    `style-src ${sha256(GALLERY_STYLE)}`,
    // data: for the empty favicon alone: Chromium checks a favicon against img-src.
    "img-src 'self' data:",
    // blob: for hls.js, which feeds the player through a MediaSource object URL.
    playsHls ? "media-src 'self' blob:" : "media-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join("; ");
}

export function renderGalleryPage(entries: readonly GalleryEntry[]): string {
  // Paths are allow-listed, so no '<' can end the data block; escaped all the same.
  const config = JSON.stringify({ locations: entries }).replace(/</g, "\\u003c");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>Gallery</title>",
    // No favicon: without this line the browser asks for /favicon.ico and logs its 404.
    '<link rel="icon" href="data:,">',
    `<style>${GALLERY_STYLE}</style>`,
    "</head>",
    '<body data-state="loading">',
    '<header><h1>Gallery</h1><p id="status" role="status">Loading…</p></header>',
    '<main id="sections"></main>',
    "<noscript><p>The gallery needs JavaScript; the folders are listed at their own URLs.</p></noscript>",
    `<script type="application/json" id="gallery-config">${config}</script>`,
    `<script>${GALLERY_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function listingLocation(l: LocationSpec, http: HttpSpec, layout: WebLayout, behindEdges: boolean): string[] {
  const { mediaRoot, htpasswdFile } = layout;
  return block(`location ${LISTING_PREFIX}${l.path}`, [
    `alias ${mediaRoot}/${l.directory}/;`,
    "autoindex on;",
    "autoindex_format json;",
    ...(behindEdges ? [] : accessLines(l, htpasswdFile)),
    'add_header Cache-Control "no-cache";',
    ...securityHeaders(http.tls),
    // Folders only: files are served by the location itself, with its limits and headers.
    ...block("location ~ [^/]$", ["return 404;"]),
  ]);
}

function hlsJsLocation(http: HttpSpec, layout: WebLayout): string[] {
  return block(`location = ${HLS_JS_URL}`, [
    `alias ${layout.staticDir}/${HLS_JS_FILE};`,
    // 609 KiB as built, 222 KiB with gzip at nginx's default level; fetched once, then cached.
    "gzip on;",
    "gzip_types application/javascript text/javascript;",
    "gzip_vary on;",
    `add_header Cache-Control "public, max-age=${IMMUTABLE_SECONDS}, immutable";`,
    ...securityHeaders(http.tls),
  ]);
}

/** The gallery's path without its final slash answers with a redirect to the page. */
export function galleryRedirect(http: HttpSpec): string[] {
  const { path: at } = http.gallery;
  return at === "/" ? [] : block(`location = ${at.slice(0, -1)}`, [`return 301 ${at};`]);
}

/** `behindEdges`: the swarm origin, where the edges check each listing's access (nginx/edge.ts). */
export function galleryLocations(http: HttpSpec, layout: WebLayout, behindEdges = false): string[] {
  if (!http.gallery.enabled) return [];
  const { path: at } = http.gallery;
  const playsHls = galleryPlaysHls(http);
  const page = block(`location = ${at}`, [
    `root ${path.posix.dirname(layout.galleryFile)};`,
    `rewrite ^ /${path.posix.basename(layout.galleryFile)} break;`,
    "charset utf-8;",
    'add_header Cache-Control "no-cache";',
    `add_header Content-Security-Policy "${galleryCsp(playsHls)}" always;`,
    ...securityHeaders(http.tls),
  ]);
  const redirect = galleryRedirect(http);
  const hlsJs = playsHls ? ["", ...hlsJsLocation(http, layout)] : [];
  const listings = galleryLocationsOf(http).flatMap((l) => [
    "",
    ...listingLocation(l, http, layout, behindEdges),
  ]);
  return [...page, ...(redirect.length > 0 ? ["", ...redirect] : []), ...hlsJs, ...listings];
}
