import { TLS12_CIPHERS, type HttpSpec, type WebLayout } from "../spec";
import { block } from "./block";

export const TLS_PROTOCOLS = "TLSv1.2 TLSv1.3";

/** What the TLS lines read of a layout: the web server's and the edge's have it alike. */
export type TlsLayout = Pick<
  WebLayout,
  "listen" | "httpsListen" | "http2" | "tlsCertificateFile" | "tlsKeyFile"
>;

/** The `listen` lines of the server that serves the locations. */
export function listenLines(http: HttpSpec, layout: TlsLayout): string[] {
  const https = `listen ${layout.httpsListen} ssl${layout.http2 === "listen-parameter" ? " http2" : ""};`;
  if (http.tls.mode === "off") return [`listen ${layout.listen};`];
  if (http.tls.mode === "enabled") return [`listen ${layout.listen};`, https];
  return [https];
}

/** Certificate, protocols and sessions; nginx never renegotiates on a client's request. */
export function tlsLines(http: HttpSpec, layout: TlsLayout): string[] {
  if (http.tls.mode === "off") return [];
  return [
    ...(layout.http2 === "directive" ? ["http2 on;"] : []),
    `ssl_certificate ${layout.tlsCertificateFile};`,
    `ssl_certificate_key ${layout.tlsKeyFile};`,
    `ssl_protocols ${TLS_PROTOCOLS};`,
    `ssl_ciphers ${TLS12_CIPHERS};`,
    "ssl_prefer_server_ciphers off;",
    "ssl_session_cache shared:vs_tls:10m;",
    "ssl_session_timeout 1d;",
    // Tickets would be encrypted with a key that lives as long as the container: sessions resume
    // from the cache instead.
    "ssl_session_tickets off;",
  ];
}

/** With tls required, plain HTTP answers every request with a redirect to the same URL over HTTPS. */
export function redirectServer(http: HttpSpec, layout: TlsLayout): string[] {
  if (http.tls.mode !== "required") return [];
  const port = http.tls.httpsPort === 443 ? "" : `:${http.tls.httpsPort}`;
  return block("server", [
    `listen ${layout.listen};`,
    `server_name ${http.serverName};`,
    ...block("location /", [`return 301 https://$host${port}$request_uri;`]),
  ]);
}
