import type { HttpTlsSpec, LocationSpec } from "../spec";
import { accessLines } from "./access";
import { block } from "./block";
import { cacheHeader, corsHeaders, mediaSecurityHeaders, preflightLines } from "./headers";
import { mp4Directive, mp4SeekGuard } from "./mp4";
import { secureLinkLines } from "./secureLink";

export interface LocationContext {
  readonly mediaRoot: string;
  readonly htpasswdFile: string;
  readonly secureLinkSecret?: string;
  readonly tls: HttpTlsSpec;
  /**
   * The swarm origin: the edges in front of it enforce each location's client rules
   * (nginx/edge.ts), and here every request comes from an edge, so none is written.
   */
  readonly behindEdges?: boolean;
  /** http.aioThreads: MP4 locations hand their reads to nginx's thread pool. */
  readonly aioThreads?: boolean;
}

/** What a location's client rules read: the password file and the secure-link secret. */
export type RuleContext = Pick<LocationContext, "htpasswdFile" | "secureLinkSecret">;

export const connZone = (index: number) => `vs_conn_${index}`;

export function limitZone(l: LocationSpec, index: number): string[] {
  return l.limitConnPerIp === undefined
    ? []
    : [`limit_conn_zone $binary_remote_addr zone=${connZone(index)}:1m;`];
}

function limitLines(l: LocationSpec, index: number): string[] {
  return [
    ...(l.limitConnPerIp === undefined ? [] : [`limit_conn ${connZone(index)} ${l.limitConnPerIp};`]),
    ...(l.limitRate === undefined ? [] : [`limit_rate ${l.limitRate};`]),
    ...(l.limitRateAfter === undefined ? [] : [`limit_rate_after ${l.limitRateAfter};`]),
  ];
}

export function secureLink(l: LocationSpec, secret: string | undefined): string[] {
  if (!l.secureLink) return [];
  if (secret === undefined)
    throw new Error(`location ${l.path} has secureLink on but no http.secureLinkSecret was given`);
  return secureLinkLines(secret);
}

/**
 * What a location asks of a client before it gets a file, in phase order: access, preflight,
 * signature, seek guard, limits. The server that faces the viewers writes them: the single
 * server in host mode, each edge in swarm mode.
 */
export function locationRules(l: LocationSpec, index: number, ctx: RuleContext): string[] {
  return [
    ...accessLines(l, ctx.htpasswdFile),
    // Rewrite-phase checks run in this order: a preflight is answered before the signature check.
    ...preflightLines(l),
    ...secureLink(l, ctx.secureLinkSecret),
    ...mp4SeekGuard(l),
    ...limitLines(l, index),
  ];
}

/** `index` is the location's place in the sorted Spec; it names its maps and zone. */
export function renderLocation(l: LocationSpec, index: number, ctx: LocationContext): string[] {
  return block(`location ${l.path}`, [
    `alias ${ctx.mediaRoot}/${l.directory}/;`,
    `autoindex ${l.autoindex ? "on" : "off"};`,
    ...mp4Directive(l, ctx.aioThreads === true),
    // Behind the edges the seek guard stays: it is about the file, not the client.
    ...(ctx.behindEdges ? mp4SeekGuard(l) : locationRules(l, index, ctx)),
    cacheHeader(l, index),
    ...mediaSecurityHeaders(ctx.tls),
    ...(ctx.behindEdges ? [] : corsHeaders(l, index)),
  ]);
}
