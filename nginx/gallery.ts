// The page reads a JSON twin of each listed location under LISTING_PREFIX, which no configured path
// can produce (a segment cannot start with '-'), with the location's allow/deny and basic auth.
// Secure-link locations are not listed: the page cannot sign their URLs. With the media worker
// the page also reads each file's metadata under DERIVED_URLS.meta (nginx/derived.ts).
import { createHash } from "node:crypto";
import * as path from "node:path";
import { DERIVED_URLS, type HttpSpec, type LocationSpec, type WebLayout } from "../spec";
import { accessLines } from "./access";
import { block } from "./block";
import { securityHeaders } from "./headers";
import { GALLERY_SCRIPT, GALLERY_STYLE } from "./galleryPage";

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

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export function galleryCsp(): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(GALLERY_SCRIPT)}`,
    `style-src ${sha256(GALLERY_STYLE)}`,
    // data: for the empty favicon alone: Chromium checks a favicon against img-src.
    "img-src 'self' data:",
    "media-src 'self'",
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

function listingLocation(l: LocationSpec, http: HttpSpec, layout: WebLayout): string[] {
  const { mediaRoot, htpasswdFile } = layout;
  return block(`location ${LISTING_PREFIX}${l.path}`, [
    `alias ${mediaRoot}/${l.directory}/;`,
    "autoindex on;",
    "autoindex_format json;",
    ...accessLines(l, htpasswdFile),
    'add_header Cache-Control "no-cache";',
    ...securityHeaders(http.tls),
    // Folders only: files are served by the location itself, with its limits and headers.
    ...block("location ~ [^/]$", ["return 404;"]),
  ]);
}

export function galleryLocations(http: HttpSpec, layout: WebLayout): string[] {
  if (!http.gallery.enabled) return [];
  const { path: at } = http.gallery;
  const page = block(`location = ${at}`, [
    `root ${path.posix.dirname(layout.galleryFile)};`,
    `rewrite ^ /${path.posix.basename(layout.galleryFile)} break;`,
    "charset utf-8;",
    'add_header Cache-Control "no-cache";',
    `add_header Content-Security-Policy "${galleryCsp()}" always;`,
    ...securityHeaders(http.tls),
  ]);
  const redirect = at === "/" ? [] : ["", ...block(`location = ${at.slice(0, -1)}`, [`return 301 ${at};`])];
  const listings = galleryLocationsOf(http).flatMap((l) => ["", ...listingLocation(l, http, layout)]);
  return [...page, ...redirect, ...listings];
}
