// The media worker's derived files (worker/): metadata, posters and previews of each location's
// files, served from the derived volume under DERIVED_URLS with the location's own access rules,
// so a poster never shows what its video's location would refuse.
import { DERIVED_URLS, type HttpSpec, type LocationSpec, type WebLayout } from "../spec";
import { accessLines } from "./access";
import { block } from "./block";
import type { LocationContext, RuleContext } from "./location";
import { corsHeaders, isRestricted, preflightLines, securityHeaders } from "./headers";
import { secureLink } from "./location";

/** Posters and previews carry the content's hash in their names: a new upload gets a new URL. */
const IMMUTABLE_SECONDS = 31_536_000;

type Kind = Exclude<keyof typeof DERIVED_URLS, "hls">;
export type DerivedKind = keyof typeof DERIVED_URLS;

/** The derived files a location has: metadata, posters and previews, and HLS where it makes ladders. */
export function derivedKinds(l: LocationSpec): DerivedKind[] {
  return ["meta", "poster", "preview", ...(l.hls === undefined ? [] : (["hls"] as const))];
}

/**
 * The location's own rules for its derived files, written by the server that faces the viewers.
 * HLS has no signature check: a playlist names its segments by relative URLs, which carry none.
 */
export function derivedRules(kind: DerivedKind, l: LocationSpec, ctx: RuleContext): string[] {
  return [
    ...accessLines(l, ctx.htpasswdFile),
    ...preflightLines(l),
    ...(kind === "hls" ? [] : secureLink(l, ctx.secureLinkSecret)),
  ];
}

function cacheControl(kind: Kind, l: LocationSpec): string {
  // The metadata of a file keeps its name, so clients revalidate it.
  if (kind === "meta") return "no-cache";
  return `${isRestricted(l) ? "private" : "public"}, max-age=${IMMUTABLE_SECONDS}, immutable`;
}

function derivedLocation(
  kind: Kind,
  l: LocationSpec,
  index: number,
  layout: WebLayout,
  ctx: LocationContext,
): string[] {
  return block(`location ${DERIVED_URLS[kind]}${l.path}`, [
    `alias ${layout.derivedRoot}/${kind}/${l.directory}/;`,
    "autoindex off;",
    ...(ctx.behindEdges ? [] : derivedRules(kind, l, ctx)),
    `add_header Cache-Control "${cacheControl(kind, l)}";`,
    ...securityHeaders(ctx.tls),
    ...(ctx.behindEdges ? [] : corsHeaders(l, index)),
  ]);
}

const hlsCacheVar = (index: number) => `$vs_hls_cache_${index}`;

/**
 * Playlists are revalidated (the master keeps its name when a new ladder replaces it); segments
 * and init segments live in a folder named after the content's hash, so they never change.
 */
export function hlsMaps(l: LocationSpec, index: number): string[] {
  if (l.hls === undefined) return [];
  return block(`map $uri ${hlsCacheVar(index)}`, [
    '~\\.m3u8$ "no-cache";',
    `default "${cacheControl("poster", l)}";`,
  ]);
}

/** The location's HLS ladders: playlists and fMP4 segments, typed as players expect. */
function hlsLocation(l: LocationSpec, index: number, layout: WebLayout, ctx: LocationContext): string[] {
  return block(`location ${DERIVED_URLS.hls}${l.path}`, [
    `alias ${layout.derivedRoot}/hls/${l.directory}/;`,
    "autoindex off;",
    ...block("types", ["application/vnd.apple.mpegurl m3u8;", "video/mp4 mp4;", "video/iso.segment m4s;"]),
    ...(ctx.behindEdges ? [] : derivedRules("hls", l, ctx)),
    `add_header Cache-Control ${hlsCacheVar(index)};`,
    ...securityHeaders(ctx.tls),
    ...(ctx.behindEdges ? [] : corsHeaders(l, index)),
  ]);
}

/** Every location's derived files; none without the media worker. */
export function derivedLocations(http: HttpSpec, layout: WebLayout, ctx: LocationContext): string[] {
  return http.locations.flatMap((l, i) =>
    derivedKinds(l).flatMap((kind) => [
      "",
      ...(kind === "hls" ? hlsLocation(l, i, layout, ctx) : derivedLocation(kind, l, i, layout, ctx)),
    ]),
  );
}
