/**
 * The HTTP servers `npm run bench` runs beside the generated nginx, each a host process on
 * 127.0.0.1 serving the same media folder:
 * - seed: the original setup's nginx configuration (bench/baseline-nginx.conf, bench/baseline.ts);
 * - caddy: Debian's Caddy with `file_server browse`, what a user might pick instead;
 * - ceiling: a minimal nginx, sendfile and tcp_nopush, no logs, no headers, one location with an
 *   alias: what this nginx can do on this machine with nothing else to do.
 * The renderers are pure; startPeers starts the servers and waits for their ports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeBaselineConf } from "./baseline";
import type { WebLayout } from "../spec";
import { hostDirs, hostWebLayout } from "../test/support/layout";
import { findFreePorts, HOST } from "../test/support/ports";
import { findBinary } from "../test/support/prerequisites";
import { startServer, waitForPorts, type Server } from "../test/support/processes";

export const PEERS = ["seed", "caddy", "ceiling"] as const;
export type Peer = (typeof PEERS)[number];

/**
 * The ceiling: what every nginx here must do to serve a file, and nothing more. Its events block
 * holds 4096 connections so that 1000 streaming connections are not refused; that is capacity,
 * not work per request.
 */
export function renderCeilingConf(
  layout: Pick<WebLayout, "pidFile" | "errorLog" | "listen" | "tempPrefix">,
  media: string,
): string {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
    (t) => `    ${t}_temp_path ${layout.tempPrefix}/${t};`,
  );
  return [
    "worker_processes auto;",
    `pid ${layout.pidFile};`,
    `error_log ${layout.errorLog};`,
    "events {",
    "    worker_connections 4096;",
    "}",
    "http {",
    "    sendfile on;",
    "    tcp_nopush on;",
    "    access_log off;",
    ...temp,
    "    server {",
    `        listen ${layout.listen};`,
    "        location / {",
    `            alias ${media}/;`,
    "        }",
    "    }",
    "}",
    "",
  ].join("\n");
}

/**
 * Caddy serving the media folder as the seed does (listings on), plain HTTP on one address:
 * no admin endpoint, no automatic HTTPS, and its storage (and the config it saves) under the
 * bench's folder (Caddy 2.6 has no `persist_config`). Caddy writes no access log unless told to.
 */
export function renderCaddyfile(
  listen: { host: string; port: number },
  media: string,
  storage: string,
): string {
  return [
    "{",
    "\tadmin off",
    "\tauto_https off",
    `\tstorage file_system ${storage}`,
    "}",
    "",
    `http://${listen.host}:${listen.port} {`,
    `\tbind ${listen.host}`,
    `\troot * ${media}`,
    "\tfile_server browse",
    "}",
    "",
  ].join("\n");
}

export interface PeerServer {
  readonly peer: Peer;
  readonly port: number;
  readonly server: Server;
}

function nginxPeer(peer: "seed" | "ceiling", dir: string, media: string, port: number): PeerServer {
  const ports = { ftp: 0, http: port, status: 0, https: 0, metrics: 0, passiveMin: 0, passiveMax: 0 };
  const layout = hostWebLayout({ ...hostDirs(dir), media }, ports);
  fs.mkdirSync(path.dirname(layout.configFile), { recursive: true, mode: 0o755 });
  fs.mkdirSync(layout.tempPrefix, { recursive: true, mode: 0o755 });
  if (peer === "seed") writeBaselineConf(layout);
  else fs.writeFileSync(layout.configFile, renderCeilingConf(layout, media), { mode: 0o644 });
  const nginx = findBinary("nginx") ?? "nginx";
  const server = startServer(
    `nginx (${peer})`,
    nginx,
    ["-c", layout.configFile, "-g", "daemon off;"],
    [layout.errorLog],
  );
  return { peer, port, server };
}

function caddyPeer(dir: string, media: string, port: number): PeerServer {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const caddyfile = path.join(dir, "Caddyfile");
  fs.writeFileSync(caddyfile, renderCaddyfile({ host: HOST, port }, media, path.join(dir, "data")));
  // Caddy reads HOME and XDG_* for its own files: keep them in the bench's folder.
  const env = { HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") };
  const server = startServer(
    "caddy",
    "env",
    [
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      "caddy",
      "run",
      "--config",
      caddyfile,
      "--adapter",
      "caddyfile",
    ],
    [],
  );
  return { peer: "caddy", port, server };
}

/** Starts the three peers on one block of free ports, serving `media`; stops them on failure. */
export async function startPeers(tmp: string, media: string): Promise<Readonly<Record<Peer, PeerServer>>> {
  const block = await findFreePorts(0);
  const ports: Record<Peer, number> = { seed: block.ftp, caddy: block.http, ceiling: block.status };
  const start = (peer: Peer): PeerServer => {
    const dir = path.join(tmp, peer);
    return peer === "caddy" ? caddyPeer(dir, media, ports[peer]) : nginxPeer(peer, dir, media, ports[peer]);
  };
  const started: PeerServer[] = [];
  try {
    for (const peer of PEERS) started.push(start(peer));
    await Promise.all(started.map((s) => waitForPorts(s.server, [s.port])));
    const [seed, caddy, ceiling] = started;
    return { seed, caddy, ceiling };
  } catch (e) {
    await Promise.all(started.map((s) => s.server.stop().catch(() => undefined)));
    throw e;
  }
}
