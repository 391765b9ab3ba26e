// The media worker's derived files (worker/): metadata, posters and previews of each location's
// files, served from the derived volume under DERIVED_URLS with the location's own access rules,
// so a poster never shows what its video's location would refuse.
import { DERIVED_URLS, type HttpSpec, type LocationSpec, type WebLayout } from "../spec";
import { accessLines } from "./access";
import { block } from "./block";
import type { LocationContext } from "./location";
import { corsHeaders, isRestricted, preflightLines, securityHeaders } from "./headers";
import { secureLink } from "./location";

/** Posters and previews carry the content's hash in their names: a new upload gets a new URL. */
const IMMUTABLE_SECONDS = 31_536_000;

type Kind = keyof typeof DERIVED_URLS;

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
    ...accessLines(l, ctx.htpasswdFile),
    ...preflightLines(l),
    ...secureLink(l, ctx.secureLinkSecret),
    `add_header Cache-Control "${cacheControl(kind, l)}";`,
    ...securityHeaders(ctx.tls),
    ...corsHeaders(l, index),
  ]);
}

/** Every location's derived files; none without the media worker. */
export function derivedLocations(http: HttpSpec, layout: WebLayout, ctx: LocationContext): string[] {
  const kinds = Object.keys(DERIVED_URLS) as Kind[];
  return http.locations.flatMap((l, i) =>
    kinds.flatMap((kind) => ["", ...derivedLocation(kind, l, i, layout, ctx)]),
  );
}
