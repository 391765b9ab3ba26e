/**
 * Swarm mode on 127.0.0.1: the origin nginx (webContainerFiles of a swarm stack) and an edge
 * cache in front of it (edgeContainerFiles), the host's nginx both, with only the substitutions
 * of layout.ts. No FTP server: tests write the media folder directly, as a publish would.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { containerSecrets, edgeContainerFiles, webContainerFiles } from "../../containerFiles";
import { parseSpec, type EdgeLayout, type Spec, type WebLayout } from "../../spec";
import { ftpPasswords, writeServerFiles } from "./files";
import { hostDirs, hostEdgeLayout, hostWebLayout, withHostValues, type HostDirs } from "./layout";
import { findFreePorts } from "./ports";
import { findBinary, requirePrerequisites } from "./prerequisites";
import { startServer, waitForPorts, type Server } from "./processes";
import { PROJECT, PROJECT_DIR, type StackConfig } from "./project";
import { TEMP_PREFIX } from "./servers";

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

export interface EdgeStack {
  readonly spec: Spec;
  readonly dirs: HostDirs;
  readonly originLayout: WebLayout;
  readonly edgeLayout: EdgeLayout;
  /** The origin's port and the edge's, as http.ts's request() takes them. */
  readonly origin: { readonly httpPort: number };
  readonly edge: { readonly httpPort: number };
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
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      const errors: unknown[] = [];
      for (const step of cleanup.reverse())
        await Promise.resolve()
          .then(step)
          .catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new Error(`stopping ${stackName}: ${errors.map(String).join("; ")}`);
    })());
  try {
    // mkdtemp makes 0700; nginx's workers (nobody) must pass through.
    fs.chmodSync(root, 0o755);
    const dirs = hostDirs(root);
    const originPorts = await findFreePorts(2);
    let edgePorts = await findFreePorts(2);
    // Each block was free when found; two found in a row may overlap.
    while (Math.abs(edgePorts.ftp - originPorts.ftp) <= 7) edgePorts = await findFreePorts(2);
    const originLayout = hostWebLayout(dirs, originPorts);
    const edgeLayout: EdgeLayout = {
      ...hostEdgeLayout(
        dirs,
        { http: edgePorts.http, https: edgePorts.https, status: edgePorts.status, relay: edgePorts.metrics },
        originPorts.http,
      ),
      ...(options.originByName === undefined
        ? {}
        : { originHost: options.originByName.host, resolver: options.originByName.resolver }),
    };
    // The viewers' ports are the edge's: it publishes http.port in swarm mode.
    const ctx = { project: PROJECT, stack: stackName, projectDir: PROJECT_DIR };
    const parsed = parseSpec(withHostValues(stack, edgePorts, dirs), ctx);
    const { spec, secrets } = parsed;
    if (spec.edge === undefined) throw new Error(`${stackName}: an edge stack needs target.mode swarm`);
    const hashed = containerSecrets(spec, { ...secrets, ftpPasswords: ftpPasswords(parsed) });
    writeServerFiles(
      [
        ...webContainerFiles(spec, originLayout, hashed.web),
        ...edgeContainerFiles(spec, spec.edge, edgeLayout, hashed.web),
      ],
      { dirs: [root], files: [] },
    );
    for (const d of [dirs.media, originLayout.tempPrefix, edgeLayout.tempPrefix])
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
    const edge = run("edge nginx", edgeLayout);
    await waitForPorts(origin, [originPorts.http, originPorts.status]);
    await waitForPorts(edge, [edgePorts.http, edgePorts.status, edgePorts.metrics]);

    return {
      spec,
      dirs,
      originLayout,
      edgeLayout,
      origin: { httpPort: originPorts.http },
      edge: { httpPort: edgePorts.http },
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
