/**
 * What the server workloads run against, all on 127.0.0.1 and under temp dirs:
 * - generated: vsftpd + nginx from the program's renderers (test/support/servers startStack);
 * - seed, caddy, ceiling: the peers of bench/peers.ts, serving the same media folder.
 * Every server process is pinned to the server core and counted in a cpuacct group of its own;
 * every client runs on the other core (bench/cpu.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLIENT_CORE, onClientCore, pinToCore, serverGroup, type CpuGroup } from "./cpu";
import { PEERS, startPeers, type Peer, type PeerServer } from "./peers";
import type { Profile } from "./profile";
import type { Variant } from "./report";
import { HOST } from "../test/support/ports";
import { processesMentioning, type Server } from "../test/support/processes";
import type { StackConfig } from "../test/support/project";
import { startStack, type RunningStack } from "../test/support/servers";

export type HttpVariant = "generated" | Peer;
export const HTTP_VARIANTS: readonly HttpVariant[] = ["generated", ...PEERS];

/** Where a load generator runs: a command line, given the tool and its arguments. */
export type Client = (command: string, args: readonly string[]) => [string, string[]];
export const hostClient: Client = onClientCore;

/** An HTTP server a workload measures, and where its clients run. */
export interface HttpTarget {
  readonly variant: Variant;
  readonly host: string;
  readonly port: number;
  readonly client: Client;
  /** CPU seconds every process of the server has used so far, exited ones too. */
  cpu(): number;
}

/**
 * The program's defaults (the same /videos/ and /images/ locations as Pulumi.dev.yaml): one FTP
 * user, nothing tuned for the benchmark. layout.ts fills in ports and the media path.
 */
export const BENCH_STACK: StackConfig = {
  ftp: { passiveAddress: HOST, users: [{ name: "uploader", password: "bench-uploader-password" }] },
};
export const FTP_USER = "uploader";
/**
 * The harness gives the passive range free ports; as many as the default range has (20). vsftpd
 * holds a passive port for the whole transfer and picks ports at random (9 retries), so 10
 * simultaneous uploads on 10 ports failed now and then with "500" to PASV/EPSV (3–6 of 80 here);
 * on 20, none did: hence the default.
 */
const PASSIVE_PORTS = 20;

export interface BenchEnv {
  readonly profile: Profile;
  /** The bench's own temp dir: upload sources, wrk scripts, the peers' folders. */
  readonly tmp: string;
  readonly stack: RunningStack;
  /** The media folder every HTTP server serves and vsftpd writes. */
  readonly media: string;
  readonly targets: Readonly<Record<HttpVariant, HttpTarget>>;
  /** CPU seconds vsftpd (its listener and every session) has used so far. */
  ftpCpu(): number;
  readonly log: (line: string) => void;
}

const isHttpVariant = (v: Variant): v is HttpVariant => (HTTP_VARIANTS as readonly Variant[]).includes(v);

/** The server a variant names. */
export function target(env: BenchEnv, variant: Variant): HttpTarget {
  if (!isHttpVariant(variant)) throw new Error(`${variant} is not one of the bench's HTTP servers`);
  return env.targets[variant];
}

/** The locations the workloads request must be served from the folders they write. */
function checkLocations(stack: RunningStack): void {
  for (const [prefix, directory] of [
    ["/videos/", "videos"],
    ["/images/", "images"],
  ]) {
    if (!stack.spec.http.locations.some((l) => l.path === prefix && l.directory === directory)) {
      throw new Error(
        `the bench stack must serve ${prefix} from '${directory}' as the baseline does; see bench/env.ts`,
      );
    }
  }
}

/** Starts everything, runs fn, and stops and removes everything, also on Ctrl-C. */
export async function withBenchEnv<T>(
  profile: Profile,
  log: (line: string) => void,
  fn: (env: BenchEnv) => Promise<T>,
): Promise<T> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-bench-"));
  fs.chmodSync(tmp, 0o755);
  const cleanup: (() => unknown)[] = [() => fs.rmSync(tmp, { recursive: true, force: true })];
  // One cleanup, whoever asks first: a signal, or the workload failing because of it.
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      for (const step of cleanup.reverse())
        await Promise.resolve()
          .then(step)
          .catch((e: unknown) => log(`cleanup: ${String(e)}`));
    })());
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const groups: CpuGroup[] = [];
  // Removed last (cleanup runs backwards): a group is empty only once its server has stopped.
  cleanup.push(() => groups.forEach((g) => g.remove()));
  const counted = (name: string, pids: readonly number[]): CpuGroup => {
    const group = serverGroup(`video-server-bench-${process.pid}-${name}`, pids);
    groups.push(group);
    return group;
  };
  // The bench itself orchestrates from the client core; servers are moved to the other one.
  pinToCore([process.pid], CLIENT_CORE);
  try {
    const stack = await startStack("bench", BENCH_STACK, { passivePorts: PASSIVE_PORTS });
    cleanup.push(() => stack.stop());
    checkLocations(stack);
    const media = stack.dirs.media;
    for (const d of ["videos", "images"]) fs.mkdirSync(path.join(media, d), { recursive: true, mode: 0o755 });

    const peers = await startPeers(tmp, media);
    const peerList = PEERS.map((p) => peers[p]);
    for (const p of peerList) cleanup.push(() => p.server.stop());
    log(
      `generated: nginx ${HOST}:${stack.httpPort}, vsftpd ${HOST}:${stack.ftpPort}; ${peerList.map((p) => `${p.peer}: ${HOST}:${p.port}`).join(", ")}`,
    );

    const vsftpd = counted("vsftpd", processesMentioning(stack.ftpLayout.configFile));
    const targetOf = (variant: HttpVariant, port: number, pids: readonly number[]): HttpTarget => {
      const group = counted(variant, pids);
      return { variant, host: HOST, port, client: hostClient, cpu: () => group.usage().total };
    };
    const peerTarget = (p: PeerServer) => targetOf(p.peer, p.port, [p.server.pid]);
    const targets: Record<HttpVariant, HttpTarget> = {
      generated: targetOf("generated", stack.httpPort, processesMentioning(stack.webLayout.configFile)),
      seed: peerTarget(peers.seed),
      caddy: peerTarget(peers.caddy),
      ceiling: peerTarget(peers.ceiling),
    };
    const env: BenchEnv = {
      profile,
      tmp,
      stack,
      media,
      targets,
      ftpCpu: () => vsftpd.usage().total,
      log,
    };
    const value = await fn(env);
    const crashed = peerList.map((p) => p.server).filter((s: Server) => !s.running());
    if (crashed.length > 0)
      throw new Error(`stopped during the run:\n${crashed.map((s) => s.describe()).join("\n")}`);
    return value;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await stopAll();
  }
}
