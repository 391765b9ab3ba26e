/**
 * Swarm mode on 127.0.0.1: the origin nginx (webContainerFiles of a swarm stack) and an edge
 * cache in front of it (edgeContainerFiles), the host's nginx both, with only the substitutions
 * of layout.ts. No FTP server: tests write the media folder directly, as a publish would.
 *
 * bench/edge.ts asks for more: several edges (`edgeCount`), each its own nginx with its own
 * ports, cache and files (the second's in `<temp>/edge-2/edge/`, and so on), as one edge per
 * node would be; and edges whose public server listens on a test host's gateway
 * (`edgeAddress`, testHost.ts) instead of 127.0.0.1, so that clients in a network namespace
 * reach them as viewers on other machines would. Their status server and relay stay on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { containerSecrets, edgeContainerFiles, webContainerFiles } from "../../containerFiles";
import { parseSpec, type EdgeLayout, type Spec, type WebLayout } from "../../spec";
import { ftpPasswords, writeServerFiles } from "./files";
import { hostDirs, hostEdgeLayout, hostWebLayout, withHostValues, type HostDirs } from "./layout";
import { findFreePorts, HOST, type FreePorts } from "./ports";
import { findBinary, requirePrerequisites } from "./prerequisites";
import { startServer, waitForPorts, type Server } from "./processes";
import { PROJECT, PROJECT_DIR, type StackConfig } from "./project";
import { TEMP_PREFIX, stopOnce } from "./servers";

/** One line of the origin's access log (nginx/conf.ts ORIGIN_LOG_FORMAT). */
export interface OriginLogLine {
  /** Who connected: the edge. */
  readonly client: string;
  /** The viewer the edge fetched for (X-Forwarded-For), or "-". */
  readonly forwardedFor: string;
  readonly method: string;
  /** The request target as the origin got it, query included. */
  readonly target: string;
  readonly status: number;
  readonly bytes: number;
  /** The Range header, or "-". */
  readonly range: string;
}

const LINE = /^(\S+) (\S+) \[[^\]]+\] "(\S+) (\S+) HTTP\/[0-9.]+" (\d{3}) (\d+) "([^"]*)" \S+$/;

export function parseOriginLog(text: string): OriginLogLine[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const m = LINE.exec(l);
      if (m === null) throw new Error(`not an origin log line: ${l}`);
      const [, client, forwardedFor, method, target, status, bytes, range] = m;
      return { client, forwardedFor, method, target, status: Number(status), bytes: Number(bytes), range };
    });
}

/** One edge nginx: where viewers reach it, and its files. */
export interface EdgeServer {
  readonly address: string;
  readonly httpPort: number;
  readonly layout: EdgeLayout;
}

export interface EdgeStack {
  readonly spec: Spec;
  readonly dirs: HostDirs;
  readonly originLayout: WebLayout;
  /** The first edge's layout (edges[0].layout). */
  readonly edgeLayout: EdgeLayout;
  /** The origin's port and the first edge's, as http.ts's request() takes them. */
  readonly origin: { readonly httpPort: number };
  readonly edge: { readonly httpPort: number };
  /** Every edge, the first one first. */
  readonly edges: readonly EdgeServer[];
  /** Every line the origin logged so far. */
  originLog(): OriginLogLine[];
  stopOrigin(): Promise<void>;
  describe(): string;
  stop(): Promise<void>;
}

export interface EdgeStackOptions {
  /**
   * The origin by name, as in a swarm (layout.ts): the edge asks this resolver for `host`, which
   * must answer 127.0.0.1 for the origin to be reached.
   */
  readonly originByName?: { readonly host: string; readonly resolver: string };
  /** Edges in front of the one origin, each its own nginx; 1 unless given. */
  readonly edgeCount?: number;
  /** Where the edges' public servers listen (a test host's gateway); 127.0.0.1 unless given. */
  readonly edgeAddress?: string;
}

/** findFreePorts(2) spans 7 ports from `ftp`: blocks this far apart do not overlap. */
const PORT_BLOCK = 7;

/** Free-port blocks, one per server, none overlapping another (each was free when found). */
async function portBlocks(count: number): Promise<FreePorts[]> {
  const blocks: FreePorts[] = [];
  for (let attempt = 0; blocks.length < count; attempt++) {
    if (attempt > 50) throw new Error(`no ${count} separate blocks of free ports found`);
    const next = await findFreePorts(2);
    if (blocks.every((b) => Math.abs(b.ftp - next.ftp) >= PORT_BLOCK)) blocks.push(next);
  }
  return blocks;
}

export async function startEdgeStack(
  stackName: string,
  stack: StackConfig,
  options: EdgeStackOptions = {},
): Promise<EdgeStack> {
  requirePrerequisites();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-edge-`));
  const servers: Server[] = [];
  const cleanup: (() => Promise<void> | void)[] = [() => fs.rmSync(root, { recursive: true, force: true })];
  const stop = stopOnce(stackName, cleanup);
  try {
    // mkdtemp makes 0700; nginx's workers (nobody) must pass through.
    fs.chmodSync(root, 0o755);
    const dirs = hostDirs(root);
    const edgeCount = options.edgeCount ?? 1;
    if (!Number.isInteger(edgeCount) || edgeCount < 1) throw new Error(`edgeCount ${edgeCount}: 1 or more`);
    const address = options.edgeAddress ?? HOST;
    const [originPorts, ...edgeBlocks] = await portBlocks(1 + edgeCount);
    const edgePorts = edgeBlocks[0];
    const originLayout = hostWebLayout(dirs, originPorts);
    const edgeLayouts = edgeBlocks.map((ports, i): EdgeLayout => {
      // hostEdgeLayout puts an edge's files in <root>/edge/: the second edge's root is <root>/edge-2.
      const edgeDirs = i === 0 ? dirs : { ...dirs, root: path.join(root, `edge-${i + 1}`) };
      const layout = hostEdgeLayout(
        edgeDirs,
        { http: ports.http, https: ports.https, status: ports.status, relay: ports.metrics },
        originPorts.http,
      );
      return {
        ...layout,
        ...(address === HOST
          ? {}
          : { listen: `${address}:${ports.http}`, httpsListen: `${address}:${ports.https}` }),
        ...(options.originByName === undefined
          ? {}
          : { originHost: options.originByName.host, resolver: options.originByName.resolver }),
      };
    });
    const edgeLayout = edgeLayouts[0];
    // The viewers' ports are the edge's: it publishes http.port in swarm mode.
    const ctx = { project: PROJECT, stack: stackName, projectDir: PROJECT_DIR };
    const parsed = parseSpec(withHostValues(stack, edgePorts, dirs), ctx);
    const { spec, secrets } = parsed;
    const edge = spec.edge;
    if (edge === undefined) throw new Error(`${stackName}: an edge stack needs target.mode swarm`);
    const hashed = containerSecrets(spec, { ...secrets, ftpPasswords: ftpPasswords(parsed) });
    writeServerFiles(
      [
        ...webContainerFiles(spec, originLayout, hashed.web),
        ...edgeLayouts.flatMap((layout) => edgeContainerFiles(spec, edge, layout, hashed.web)),
      ],
      { dirs: [root], files: [] },
    );
    for (const d of [dirs.media, originLayout.tempPrefix, ...edgeLayouts.map((l) => l.tempPrefix)])
      fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    for (const l of spec.http.locations)
      fs.mkdirSync(path.join(dirs.media, l.directory), { recursive: true, mode: 0o755 });

    const nginx = findBinary("nginx") ?? "nginx";
    const run = (name: string, layout: { configFile: string; errorLog: string }) => {
      const server = startServer(
        name,
        nginx,
        ["-c", layout.configFile, "-g", "daemon off;"],
        [layout.errorLog],
      );
      servers.push(server);
      cleanup.push(() => server.stop());
      return server;
    };
    const origin = run("origin nginx", originLayout);
    const edges = edgeLayouts.map((l, i) => run(i === 0 ? "edge nginx" : `edge nginx ${i + 1}`, l));
    await waitForPorts(origin, [originPorts.http, originPorts.status]);
    // waitForPorts dials 127.0.0.1; nginx binds every listen socket before it answers on any.
    for (const [i, server] of edges.entries()) {
      const ports = edgeBlocks[i];
      await waitForPorts(server, [...(address === HOST ? [ports.http] : []), ports.status, ports.metrics]);
    }

    return {
      spec,
      dirs,
      originLayout,
      edgeLayout,
      origin: { httpPort: originPorts.http },
      edge: { httpPort: edgePorts.http },
      edges: edgeLayouts.map((layout, i) => ({ address, httpPort: edgeBlocks[i].http, layout })),
      originLog: () =>
        parseOriginLog(
          fs.existsSync(originLayout.accessLog) ? fs.readFileSync(originLayout.accessLog, "utf8") : "",
        ),
      stopOrigin: () => origin.stop(),
      describe: () => servers.map((s) => s.describe()).join("\n\n"),
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
