// nginx drops every inherited `add_header` in a block that has one of its own, so each block that
// adds a header repeats securityHeaders().
import type { HttpTlsSpec, LocationSpec } from "../spec";
import { block } from "./block";

/** HSTS only where plain HTTP is refused: with tls enabled a user may still need http://. */
function hsts(tls: HttpTlsSpec): string[] {
  return tls.mode === "required" && tls.hstsMaxAge > 0
    ? [`add_header Strict-Transport-Security "max-age=${tls.hstsMaxAge}" always;`]
    : [];
}

export function securityHeaders(tls: HttpTlsSpec): string[] {
  return [
    "add_header X-Content-Type-Options nosniff always;",
    "add_header Referrer-Policy no-referrer always;",
    "add_header X-Frame-Options SAMEORIGIN always;",
    ...hsts(tls),
  ];
}

// Sandboxed by Content-Type, so an uploaded page cannot act as this origin whatever its name. No CSP
// for videos or images: Chromium cannot play a video it opens directly under `sandbox`.
export function sandboxMap(): string[] {
  return block("map $sent_http_content_type $vs_sandbox", [
    '"~*^(text/html|application/xhtml\\+xml|image/svg\\+xml|text/xml|application/xml)" "sandbox";',
    'default "";',
  ]);
}

export function mediaSecurityHeaders(tls: HttpTlsSpec): string[] {
  return [...securityHeaders(tls), "add_header Content-Security-Policy $vs_sandbox always;"];
}

const cacheVar = (index: number) => `$vs_cache_${index}`;
const corsVar = (index: number) => `$vs_cors_${index}`;

/** Shared caches must not hand a restricted file to someone the restriction would refuse. */
export function isRestricted(l: LocationSpec): boolean {
  return l.basicAuth || l.secureLink || l.allow.length > 0 || l.deny.length > 0;
}

export function fileCacheControl(l: LocationSpec): string {
  if (l.cacheSeconds === 0) return "no-cache";
  return `${isRestricted(l) ? "private" : "public"}, max-age=${l.cacheSeconds}`;
}

/** Folder listings always revalidate, so new uploads show. */
export function cacheMap(l: LocationSpec, index: number): string[] {
  if (l.cacheSeconds <= 0) return [];
  return block(`map $uri ${cacheVar(index)}`, ['~/$ "no-cache";', `default "${fileCacheControl(l)}";`]);
}

/** The allowed Origin echoed back; written by the server that faces the browsers (the edges in swarm mode). */
export function corsMap(l: LocationSpec, index: number): string[] {
  if (l.corsOrigins.length === 0 || l.corsOrigins.includes("*")) return [];
  // Browsers send the Origin in lower case; the echo makes the header name exactly one origin.
  const origins = [...new Set(l.corsOrigins.map((o) => o.toLowerCase()))];
  return block(`map $http_origin ${corsVar(index)}`, [
    'default "";',
    ...origins.map((o) => `"${o}" $http_origin;`),
  ]);
}

export function locationMaps(l: LocationSpec, index: number): string[] {
  return [...cacheMap(l, index), ...corsMap(l, index)];
}

/** Without `always`: only successful and redirect responses are cacheable. */
export function cacheHeader(l: LocationSpec, index: number): string {
  return `add_header Cache-Control ${l.cacheSeconds > 0 ? cacheVar(index) : '"no-cache"'};`;
}

export function corsHeaders(l: LocationSpec, index: number): string[] {
  if (l.corsOrigins.length === 0) return [];
  const any = l.corsOrigins.includes("*");
  return [
    // An empty value (an Origin not in the list) sends no header at all.
    `add_header Access-Control-Allow-Origin ${any ? '"*"' : corsVar(index)} always;`,
    'add_header Access-Control-Allow-Methods "GET, HEAD, OPTIONS" always;',
    'add_header Access-Control-Allow-Headers "Range" always;',
    'add_header Access-Control-Expose-Headers "Content-Range, Accept-Ranges, Content-Length" always;',
    "add_header Access-Control-Max-Age 86400 always;",
    ...(any ? [] : ["add_header Vary Origin always;"]),
  ];
}

/** Answers a CORS preflight before any check: browsers send preflights without credentials. */
export function preflightLines(l: LocationSpec): string[] {
  return l.corsOrigins.length === 0 ? [] : block("if ($request_method = OPTIONS)", ["return 204;"]);
}
