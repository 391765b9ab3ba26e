/** Where users reach the server: pure functions of the Spec, used for the stack outputs. */
import type { Spec } from "./spec";

/** The host name in URLs: the server name when it is a real one, else the bound or target host. */
export function publicHost(spec: Spec): string {
  const { serverName, bindAddress } = spec.http;
  if (serverName !== "_" && !serverName.startsWith("*.")) return serverName;
  if (bindAddress !== "0.0.0.0") return bindAddress;
  return spec.target.kind === "ssh" ? spec.target.host : "localhost";
}

/** The URL viewers should use: HTTPS whenever it is on. */
export function httpBaseUrl(spec: Spec): string {
  const { port, tls } = spec.http;
  if (tls.mode !== "off") {
    return `https://${publicHost(spec)}${tls.httpsPort === 443 ? "" : `:${tls.httpsPort}`}/`;
  }
  return `http://${publicHost(spec)}${port === 80 ? "" : `:${port}`}/`;
}

/** One URL per location, keyed by its path. */
export function locationUrls(spec: Spec): Record<string, string> {
  const base = httpBaseUrl(spec).replace(/\/$/, "");
  return Object.fromEntries(spec.http.locations.map((l) => [l.path, `${base}${l.path}`]));
}

export interface FtpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly passivePorts: string;
  readonly url: string;
}

export function ftpEndpoint(spec: Spec): FtpEndpoint {
  const { passiveAddress, port, passivePorts } = spec.ftp;
  return {
    host: passiveAddress,
    port,
    passivePorts: `${passivePorts.min}-${passivePorts.max}`,
    url: `ftp://${passiveAddress}${port === 21 ? "" : `:${port}`}/`,
  };
}

export interface SftpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** Where SFTP clients connect: the FTP server's public address, on sftp.port. */
export function sftpEndpoint(spec: Spec, sftp: { readonly port: number }): SftpEndpoint {
  const host = spec.ftp.passiveAddress;
  return { host, port: sftp.port, url: `sftp://${host}${sftp.port === 22 ? "" : `:${sftp.port}`}/` };
}
