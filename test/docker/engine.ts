/**
 * A Docker engine for the docker test tier: the one answering on the local socket, or a `dockerd`
 * started here (as root) when none answers. `stop` ends only a dockerd that this module started.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Dockerode from "dockerode";

export const DOCKER_SOCKET = "/var/run/docker.sock";
const DOCKER_PIDFILE = "/var/run/docker.pid";

/**
 * Flags of the dockerd started here. Checked on this kind of machine (Debian bookworm,
 * docker.io 20.10, cgroup v1, iptables-nft): dockerd's defaults work, so the flags only pin
 * what the docker tier relies on, instead of changing it.
 * - No --storage-driver: dockerd picks overlay2 on an ext4 root and falls back by itself
 *   (fuse-overlayfs, vfs) where overlay is unavailable; forcing one would break that.
 * - --iptables and --ip-forward (defaults, pinned): containers of `docker build` reach the apt
 *   mirror through the bridge's NAT rules; with forwarding off they cannot even resolve it.
 * - --userland-proxy (default, pinned): a host client's connection to a port published on
 *   127.0.0.1 goes through docker-proxy (one process per published port: 11 for FTP). vsftpd then
 *   sees control and passive data connections alike come from the bridge gateway, so its check
 *   that both come from one address holds. (--userland-proxy=false works too here: dockerd turns
 *   on route_localnet and NATs loopback; the tier was verified with the proxy.)
 * - Bridge networking (default docker0, 172.17.0.0/16) works; its MTU 1500 above this VM's
 *   uplink MTU 1400 did not matter for apt downloads, so no --mtu.
 * - Cgroup driver: cgroupfs, the default without systemd (there is no systemd here).
 */
const DOCKERD_FLAGS = [
  `--host=unix://${DOCKER_SOCKET}`,
  `--pidfile=${DOCKER_PIDFILE}`,
  "--iptables=true",
  "--ip-forward=true",
  "--userland-proxy=true",
];

/** dockerd looks up docker-proxy, docker-init (HostConfig.Init) and iptables on its PATH. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface DockerEngine {
  readonly docker: Dockerode;
  /** Stops the dockerd this module started; does nothing for an engine that was already there. */
  readonly stop: () => Promise<void>;
  /** The started dockerd's log file; undefined when the engine was already there. */
  readonly logFile: string | undefined;
}

export interface EngineOptions {
  /** How long a starting dockerd may take to answer. */
  readonly startTimeoutMs?: number;
}

const NOT_FOUND_HELP =
  "Install Docker (Debian: `apt-get install docker.io`) and start its engine " +
  "(`dockerd` as root, or `systemctl start docker`), or run the docker tests as root so they start dockerd.";

export async function ensureDockerEngine(options: EngineOptions = {}): Promise<DockerEngine> {
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const docker = new Dockerode({ socketPath: DOCKER_SOCKET });
  const external: DockerEngine = { docker, stop: async () => undefined, logFile: undefined };

  const first = await probe();
  if (first === "denied") {
    throw new Error(
      `A Docker engine listens on ${DOCKER_SOCKET}, but this user may not use it: ` +
        "run the docker tests as root or as a member of the `docker` group.",
    );
  }
  if (first === "answers") return external;

  // A dockerd that is still starting (its pid file names a live process): wait for it, leave it.
  const starting = runningDockerdPid();
  if (starting !== undefined) {
    if (await waitUntilAnswers(timeoutMs, () => false)) return external;
    throw new Error(
      `dockerd (pid ${starting}) is running but does not answer on ${DOCKER_SOCKET} after ${timeoutMs} ms.`,
    );
  }

  if (process.getuid?.() !== 0) {
    throw new Error(
      `No Docker engine answers on ${DOCKER_SOCKET}, and only root can start one here. ${NOT_FOUND_HELP}`,
    );
  }

  const logFile = path.join(os.tmpdir(), `video-server-dockerd-${process.pid}.log`);
  const child = await startDockerd(logFile);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  if (!(await waitUntilAnswers(timeoutMs, () => exitedEarly))) {
    if (!exitedEarly) await terminate(child, exited);
    throw new Error(
      `dockerd did not answer on ${DOCKER_SOCKET} within ${timeoutMs} ms` +
        `${exitedEarly ? ` (it exited with ${child.exitCode ?? child.signalCode})` : ""}. ` +
        `Last lines of ${logFile}:\n${tail(logFile, 20)}`,
    );
  }
  return { docker, stop: () => terminate(child, exited), logFile };
}

/** Whether an engine answers `ping` on the socket within a short time. */
async function probe(): Promise<"answers" | "denied" | "silent"> {
  if (!fs.existsSync(DOCKER_SOCKET)) return "silent";
  // A client with its own timeout: a socket nobody serves must not hang the tests.
  const client = new Dockerode({ socketPath: DOCKER_SOCKET, timeout: 2_000 });
  try {
    await client.ping();
    return "answers";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EACCES" ? "denied" : "silent";
  }
}

async function waitUntilAnswers(timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    if ((await probe()) === "answers") return true;
    await sleep(500);
  }
  return false;
}

/** The pid in dockerd's pid file, when that process is a live dockerd (not a zombie). */
function runningDockerdPid(): number | undefined {
  let pid: number;
  let stat: string;
  try {
    pid = Number(fs.readFileSync(DOCKER_PIDFILE, "utf8").trim());
    // "<pid> (<comm>) <state> ...": a killed dockerd nobody reaped stays as state Z.
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // no pid file, or no such process: a stale pid file, which dockerd replaces
  }
  const m = /^\d+ \((.*)\) (\S)/.exec(stat);
  return m !== null && m[1] === "dockerd" && m[2] !== "Z" && m[2] !== "X" ? pid : undefined;
}

async function startDockerd(logFile: string): Promise<ChildProcess> {
  const env = { ...process.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ""}` };
  const log = fs.openSync(logFile, "a");
  try {
    const child = spawn("dockerd", DOCKERD_FLAGS, {
      env,
      // Its own process group, output to the log file: it outlives a test run that dies
      // without calling stop, and the next run finds it answering.
      detached: true,
      stdio: ["ignore", log, log],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            e.code === "ENOENT"
              ? `dockerd is not installed. ${NOT_FOUND_HELP}`
              : `cannot start dockerd: ${e.message}`,
          ),
        ),
      );
    });
    child.unref();
    return child;
  } finally {
    fs.closeSync(log);
  }
}

/** SIGTERM (dockerd then stops its containers and containerd), SIGKILL after 30 s. */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  if (await within(exited, 30_000)) return;
  child.kill("SIGKILL");
  await within(exited, 5_000);
}

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops the engine and starts it again, as a host reboot or a Docker upgrade does: dockerd gets
 * SIGTERM and stops every container with its stop signal and grace, then the same dockerd runs
 * again and brings back the containers their restart policy names. A dockerd this module
 * started is started again the same way; another one with its own command line (read from
 * /proc), or with `systemctl restart docker` when systemd runs it. Returns the engine to use.
 */
export async function restartDockerEngine(engine: DockerEngine, timeoutMs = 90_000): Promise<DockerEngine> {
  if (engine.logFile !== undefined) {
    await engine.stop();
    return ensureDockerEngine({ startTimeoutMs: timeoutMs });
  }
  const pid = runningDockerdPid();
  if (pid === undefined) throw new Error(`no running dockerd found through ${DOCKER_PIDFILE}`);
  if (fs.existsSync("/run/systemd/system")) {
    execFileSync("systemctl", ["restart", "docker"], { stdio: "pipe", timeout: timeoutMs });
  } else {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + timeoutMs;
    while (runningDockerdPid() === pid) {
      if (Date.now() > deadline) throw new Error(`dockerd (pid ${pid}) did not stop within ${timeoutMs} ms`);
      await sleep(250);
    }
    const logFile = path.join(os.tmpdir(), `video-server-dockerd-restart-${process.pid}.log`);
    const log = fs.openSync(logFile, "a");
    try {
      const env = { ...process.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ""}` };
      spawn(argv[0], argv.slice(1), { env, detached: true, stdio: ["ignore", log, log] }).unref();
    } finally {
      fs.closeSync(log);
    }
  }
  if (!(await waitUntilAnswers(timeoutMs, () => false)))
    throw new Error(
      `the Docker engine did not answer on ${DOCKER_SOCKET} within ${timeoutMs} ms of its restart`,
    );
  return engine;
}
