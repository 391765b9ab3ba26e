// Swarm mode's edge caches (docs/scale-out.md, issue #15): the viewers' side of the web server.
// Each location's client rules are enforced here by the very functions the single server uses;
// then the request goes to the origin (nginx/conf.ts renderOriginConf), which serves plain files
// to the edges only. Sizes, times and paths are allow-listed by the spec module; the origin's
// address, which the program makes, is checked here.
import {
  DERIVED_URLS,
  isHostName,
  PATTERNS,
  sizeBytes,
  type EdgeLayout,
  type EdgeSpec,
  type HttpSpec,
  type LocationSpec,
} from "../spec";
import { accessLines } from "./access";
import { banCheck } from "./bans";
import { block } from "./block";
import { confFile, refusals, statusServer, transferLines } from "./conf";
import { derivedKinds, derivedRules, type DerivedKind } from "./derived";
import { galleryLocationsOf, galleryPlaysHls, galleryRedirect, LISTING_PREFIX } from "./gallery";
import { HLS_JS_URL } from "./galleryPage";
import { corsHeaders, corsMap, mediaSecurityHeaders, sandboxMap, securityHeaders } from "./headers";
import { limitZone, locationRules, type RuleContext } from "./location";
import { mp4SeekMap } from "./mp4";
import { listenLines, redirectServer, tlsLines } from "./tls";

/** Where an edge fetches from: the origin's host (a Docker DNS name, or an address) and port. */
export interface EdgeOrigin {
  readonly host: string;
  readonly port: number;
  /** The DNS server that answers `host` at run time (Docker's, 127.0.0.11); absent: `host` is an address. */
  readonly resolver?: string;
}

const ZONE = "vs_edge";
const UPSTREAM = "vs_origin";
/** The request's path as the client encoded it, without its query. */
const PATH_VAR = "$vs_edge_path";
/** `?start=…&end=…` when the client asked an mp4 location for a cut, else empty. */
const SEEK_VAR = "$vs_edge_seek";
/** 1 where the origin says no-cache: passed to the origin every time, never stored. */
const PASS_VAR = "$vs_edge_pass";

/** One megabyte of keys zone holds about 8000 keys (nginx's proxy_cache_path documentation). */
const KEYS_PER_MEGABYTE = 8000;
const MAX_ZONE_MEGABYTES = 512;

/** The smallest object the keys zone is sized for: a poster, an image, the tail of a file. */
const SMALL_OBJECT_BYTES = 32 * 1024;

/**
 * A cache entry per slice of a large file, one per small file (posters, segments, images). Sized
 * so a cache full of 32 KiB objects still fills its disk before its zone: sized for slices only,
 * 55,000 small files of 50 KB pushed a popular film's slices out of a 10g cache holding 1.3 GB
 * (bench/README.md, edge caches). The zone is shared memory that nginx touches only as entries
 * are made, so room never used costs address space, not RAM. Capped at 512 MiB.
 */
export function keysZoneMegabytes(edge: EdgeSpec): number {
  const keys = sizeBytes(edge.cacheSize) / Math.min(sizeBytes(edge.sliceSize), SMALL_OBJECT_BYTES);
  return Math.min(MAX_ZONE_MEGABYTES, Math.max(1, Math.ceil(keys / KEYS_PER_MEGABYTE)));
}

/**
 * How long viewers wait for another request's fetch of the same slice before they ask the origin
 * themselves (uncached), and how long a fetch may take before one more is let through: nginx's
 * 5 s, or longer for slices that take longer than that at 4 MiB/s. Shorter would send every
 * waiting viewer to an origin that is slow already.
 */
export function lockSeconds(edge: EdgeSpec): number {
  return Math.max(5, Math.ceil(sizeBytes(edge.sliceSize) / (4 * 1024 * 1024)));
}

function checkOrigin(origin: EdgeOrigin): void {
  const { host, port, resolver } = origin;
  if (!(PATTERNS.ipv4.test(host) || isHostName(host)))
    throw new Error(`edge origin host '${host}' is neither an IPv4 address nor a host name`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`edge origin port ${port} is not a TCP port`);
  if (resolver === undefined) return;
  const [address, resolverPort, ...rest] = resolver.split(":");
  const portOk =
    resolverPort === undefined || (/^[0-9]{1,5}$/.test(resolverPort) && Number(resolverPort) <= 65535);
  if (!PATTERNS.ipv4.test(address ?? "") || !portOk || rest.length > 0)
    throw new Error(`edge resolver '${resolver}' is not an IPv4 address with an optional port`);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function edgeMaps(http: HttpSpec): string[] {
  const passed = [
    // Folder listings, the gallery page and the gallery's JSON listings: all end in `/`.
    '"~/$" 1;',
    // The worker's playlists and metadata keep their names when they change.
    ...(http.derived ? ['"~\\.m3u8$" 1;', `"~^${escapeRegex(DERIVED_URLS.meta)}/" 1;`] : []),
    "default 0;",
  ];
  return [
    ...block(`map $request_uri ${PATH_VAR}`, ['"~^([^?]*)" $1;']),
    ...(http.locations.some((l) => l.mp4)
      ? block(`map "$arg_start$arg_end" ${SEEK_VAR}`, ['"" "";', 'default "?start=$arg_start&end=$arg_end";'])
      : []),
    ...block(`map $uri ${PASS_VAR}`, passed),
  ];
}

/** Names of the headers a list of `add_header` lines sets. */
const headerNames = (lines: readonly string[]) =>
  lines.filter((l) => l.startsWith("add_header ")).map((l) => l.split(" ")[1]);

/** Headers the origin sends as well: each is sent once, the edge's (its own error pages need them). */
const hideLines = (added: readonly string[]) =>
  [...new Set(headerNames(added))].sort().map((h) => `proxy_hide_header ${h};`);

/** nginx's `combined`, and whether the cache answered (HIT, MISS, STALE, …). */
const EDGE_LOG_FORMAT =
  'log_format vs_edge \'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_cache_status\';';

const CACHE_STATUS = "add_header X-Cache-Status $upstream_cache_status always;";

/**
 * Cache and upstream settings of the server that faces the viewers.
 * - The key is the slice, (mp4 locations) the cut, then the path as nginx matched it: no other
 *   argument, so every signed link of a file (md5, expires) shares one copy, and no made-up
 *   query string adds another. Neither of the first two holds a space, so no path can pose as
 *   another key.
 * - Validity is edge.cacheSeconds whatever the origin's Cache-Control says (that header is for
 *   browsers, and says `private` where a location is restricted, which the edge enforces
 *   itself); then a revalidation with the copy's ETag and Last-Modified, a 304 when unchanged.
 * - 404s are not kept: an upload shows at the edge the moment the origin has it.
 */
function cacheLines(http: HttpSpec, edge: EdgeSpec): string[] {
  const lock = lockSeconds(edge);
  return [
    `proxy_cache ${ZONE};`,
    'proxy_cache_key "$slice_range $uri";',
    `proxy_cache_valid 200 206 301 302 ${edge.cacheSeconds}s;`,
    "proxy_cache_revalidate on;",
    "proxy_ignore_headers Cache-Control Expires;",
    // One origin fetch per slice however many viewers ask for it; the others poll every 500 ms.
    "proxy_cache_lock on;",
    `proxy_cache_lock_timeout ${lock}s;`,
    `proxy_cache_lock_age ${lock}s;`,
    "proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
    `proxy_no_cache ${PASS_VAR};`,
    `proxy_cache_bypass ${PASS_VAR};`,
    "proxy_http_version 1.1;",
    'proxy_set_header Connection "";',
    "proxy_set_header Host $host;",
    // The origin logs the viewer beside the edge; a client's own X-Forwarded-For is replaced.
    "proxy_set_header X-Forwarded-For $remote_addr;",
    // Checked here; the origin has no use for a viewer's password, and the overlay may be clear.
    'proxy_set_header Authorization "";',
    "proxy_set_header Range $slice_range;",
    ...hideLines(securityHeaders(http.tls)),
  ];
}

interface EdgeContext extends RuleContext {
  readonly tls: HttpSpec["tls"];
}

const proxyPass = (seek: boolean) => `proxy_pass http://${UPSTREAM}${PATH_VAR}${seek ? SEEK_VAR : ""};`;

/**
 * A media location: its rules, then its files in slices from the origin. Every slice must carry
 * the first one's ETag: a file replaced under its own name while some of its slices are cached
 * breaks off ("etag mismatch in slice response") until those expire, after edge.cacheSeconds.
 */
function mediaLocation(l: LocationSpec, index: number, edge: EdgeSpec, ctx: EdgeContext): string[] {
  const security = mediaSecurityHeaders(ctx.tls);
  return block(`location ${l.path}`, [
    ...locationRules(l, index, ctx),
    `slice ${edge.sliceSize};`,
    // The origin cuts `?start=`/`?end=` itself; each cut is cached in slices of its own.
    ...(l.mp4 ? [`proxy_cache_key "${SEEK_VAR} $slice_range $uri";`] : []),
    proxyPass(l.mp4),
    // The sandbox too: the edge's own error pages get it as the single server's do.
    ...hideLines(security),
    ...security,
    ...corsHeaders(l, index),
    CACHE_STATUS,
  ]);
}

function derivedLocation(
  kind: DerivedKind,
  l: LocationSpec,
  index: number,
  edge: EdgeSpec,
  ctx: EdgeContext,
): string[] {
  return block(`location ${DERIVED_URLS[kind]}${l.path}`, [
    ...derivedRules(kind, l, ctx),
    `slice ${edge.sliceSize};`,
    proxyPass(false),
    ...securityHeaders(ctx.tls),
    ...corsHeaders(l, index),
    CACHE_STATUS,
  ]);
}

/** The gallery's page (not kept: it ends in `/`), its player and its listings, as the origin has them. */
function galleryProxies(http: HttpSpec, ctx: EdgeContext): string[] {
  if (!http.gallery.enabled) return [];
  const proxied = (head: string, rules: readonly string[]) =>
    block(head, [...rules, proxyPass(false), ...securityHeaders(ctx.tls), CACHE_STATUS]);
  const redirect = galleryRedirect(http);
  return [
    ...proxied(`location = ${http.gallery.path}`, []),
    ...(redirect.length > 0 ? ["", ...redirect] : []),
    ...(galleryPlaysHls(http) ? ["", ...proxied(`location = ${HLS_JS_URL}`, [])] : []),
    ...galleryLocationsOf(http).flatMap((l) => [
      "",
      ...proxied(`location ${LISTING_PREFIX}${l.path}`, accessLines(l, ctx.htpasswdFile)),
    ]),
  ];
}

/**
 * The relay: the cache's one upstream, a loopback server that asks the origin. nginx resolves a
 * name in proxy_pass at run time only where the directive holds a variable, and a name that does
 * not resolve (no origin task: Docker's DNS has no record) fails the request with a 502 before
 * proxy_cache_use_stale is consulted. Behind the relay that 502 is a response like any other, and
 * the cache answers with its stale copy. The edge starts without the origin, follows its task to
 * a new address within the resolver's 10 s, and keeps a connection pool to the relay.
 */
function relayServer(layout: EdgeLayout, origin: EdgeOrigin): string[] {
  return block("server", [
    `listen ${layout.relayListen};`,
    "access_log off;",
    ...(origin.resolver === undefined
      ? []
      : [`resolver ${origin.resolver} valid=10s ipv6=off;`, "resolver_timeout 5s;"]),
    // An origin task that is gone does not refuse: its address just stops answering.
    "proxy_connect_timeout 5s;",
    // The cache in front buffers; this hop streams.
    "proxy_buffering off;",
    "proxy_set_header Host $http_host;",
    ...block("location /", [
      `set $vs_origin ${origin.host}:${origin.port};`,
      "proxy_pass http://$vs_origin;",
    ]),
  ]);
}

export function renderEdgeConf(
  http: HttpSpec,
  edge: EdgeSpec,
  layout: EdgeLayout,
  origin: EdgeOrigin,
  secureLinkSecret?: string,
): string {
  checkOrigin(origin);
  const ctx: EdgeContext = {
    htpasswdFile: layout.htpasswdFile,
    secureLinkSecret,
    tls: http.tls,
  };
  const gallery = galleryProxies(http, ctx);
  const server = [
    ...listenLines(http, layout),
    `server_name ${http.serverName};`,
    ...tlsLines(http, layout),
    ...banCheck(http),
    ...securityHeaders(http.tls),
    ...cacheLines(http, edge),
    "",
    ...block("location /", ["return 404;"]),
    "",
    ...refusals(),
    ...(gallery.length > 0 ? ["", ...gallery] : []),
    ...http.locations.flatMap((l, i) => ["", ...mediaLocation(l, i, edge, ctx)]),
    ...(http.derived
      ? http.locations.flatMap((l, i) =>
          derivedKinds(l).flatMap((kind) => ["", ...derivedLocation(kind, l, i, edge, ctx)]),
        )
      : []),
  ];
  const maps = [
    ...sandboxMap(),
    ...(http.locations.some((l) => l.mp4) ? mp4SeekMap() : []),
    ...edgeMaps(http),
    ...http.locations.flatMap((l, i) => [...limitZone(l, i), ...corsMap(l, i)]),
  ];
  const redirect = redirectServer(http, layout);
  const httpBody = [
    EDGE_LOG_FORMAT,
    `access_log ${layout.accessLog} vs_edge;`,
    ...transferLines(http, layout),
    `proxy_cache_path ${layout.cacheDir} levels=1:2 keys_zone=${ZONE}:${keysZoneMegabytes(edge)}m max_size=${edge.cacheSize} inactive=${edge.cacheInactive} use_temp_path=off;`,
    // max_fails=0: a slow origin never takes the relay out of the pool.
    ...block(`upstream ${UPSTREAM}`, [`server ${layout.relayListen} max_fails=0;`, "keepalive 16;"]),
    "",
    ...maps,
    "",
    ...block("server", server),
    "",
    ...(redirect.length > 0 ? [...redirect, ""] : []),
    ...relayServer(layout, origin),
    "",
    ...statusServer(http, layout),
  ];
  return confFile(layout, http, httpBody);
}
