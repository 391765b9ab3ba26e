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
}

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

/** `index` is the location's place in the sorted Spec; it names its maps and zone. */
export function renderLocation(l: LocationSpec, index: number, ctx: LocationContext): string[] {
  return block(`location ${l.path}`, [
    `alias ${ctx.mediaRoot}/${l.directory}/;`,
    `autoindex ${l.autoindex ? "on" : "off"};`,
    ...mp4Directive(l),
    ...accessLines(l, ctx.htpasswdFile),
    // Rewrite-phase checks run in this order: a preflight is answered before the signature check.
    ...preflightLines(l),
    ...secureLink(l, ctx.secureLinkSecret),
    ...mp4SeekGuard(l),
    ...limitLines(l, index),
    cacheHeader(l, index),
    ...mediaSecurityHeaders(ctx.tls),
    ...corsHeaders(l, index),
  ]);
}
