/**
 * What the server workloads run against, all on 127.0.0.1 and under temp dirs:
 * - generated: vsftpd + nginx from the program's renderers (test/services startStack);
 * - baseline: nginx with bench/baseline-nginx.conf, serving the same media folder;
 * - loopback: an iperf3 server, the limit of TCP over loopback on this machine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BASELINE_CONF, writeBaselineConf } from "./baseline";
import type { Profile } from "./profile";
import type { Variant } from "./report";
import { hostDirs, hostWebLayout } from "../test/support/layout";
import { findFreePorts, HOST } from "../test/support/ports";
import { findBinary } from "../test/support/prerequisites";
import { startServer, waitForPorts, type Server } from "../test/support/processes";
import type { StackConfig } from "../test/support/project";
import { startStack, type RunningStack } from "../test/support/servers";

export type HttpVariant = "generated" | "baseline";
export const HTTP_VARIANTS: readonly HttpVariant[] = ["generated", "baseline"];

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
  /** The bench's own temp dir: upload sources, wrk scripts, the baseline's nginx folder. */
  readonly tmp: string;
  readonly stack: RunningStack;
  /** The media folder both nginx variants serve and vsftpd writes. */
  readonly media: string;
  readonly httpPorts: Readonly<Record<HttpVariant, number>>;
  readonly iperfPort: number;
  readonly log: (line: string) => void;
}

/** The HTTP port of the generated or baseline nginx. */
export function httpPort(env: BenchEnv, variant: Variant): number {
  if (variant !== "generated" && variant !== "baseline") throw new Error(`${variant} is not an HTTP server`);
  return env.httpPorts[variant];
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
  try {
    const stack = await startStack("bench", BENCH_STACK, { passivePorts: PASSIVE_PORTS });
    cleanup.push(() => stack.stop());
    checkLocations(stack);
    const media = stack.dirs.media;

    // A block of three free ports: the baseline nginx, iperf3, and one unused.
    const spare = await findFreePorts(0);
    const baselineLayout = hostWebLayout({ ...hostDirs(path.join(tmp, "baseline")), media }, spare);
    fs.mkdirSync(path.dirname(baselineLayout.configFile), { recursive: true, mode: 0o755 });
    writeBaselineConf(baselineLayout);
    const nginx = findBinary("nginx") ?? "nginx";
    const baseline = startServer(
      "nginx (baseline)",
      nginx,
      ["-c", baselineLayout.configFile, "-g", "daemon off;"],
      [baselineLayout.errorLog],
    );
    cleanup.push(() => baseline.stop());
    const iperf = startServer("iperf3", "iperf3", ["-s", "-B", HOST, "-p", String(spare.ftp)], []);
    cleanup.push(() => iperf.stop());
    await Promise.all([waitForPorts(baseline, [spare.http]), waitForPorts(iperf, [spare.ftp])]);
    log(
      `generated: nginx ${HOST}:${stack.httpPort}, vsftpd ${HOST}:${stack.ftpPort}; baseline (${path.basename(BASELINE_CONF)}): ${HOST}:${spare.http}; iperf3: ${spare.ftp}`,
    );

    for (const d of ["videos", "images"]) fs.mkdirSync(path.join(media, d), { recursive: true, mode: 0o755 });
    const env: BenchEnv = {
      profile,
      tmp,
      stack,
      media,
      httpPorts: { generated: stack.httpPort, baseline: spare.http },
      iperfPort: spare.ftp,
      log,
    };
    const value = await fn(env);
    const crashed = [baseline, iperf].filter((s: Server) => !s.running());
    if (crashed.length > 0)
      throw new Error(`stopped during the run:\n${crashed.map((s) => s.describe()).join("\n")}`);
    return value;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await stopAll();
  }
}
