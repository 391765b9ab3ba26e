/**
 * CPU time and CPU affinity of running processes, from /proc and taskset: what a process cost,
 * and which core it may run on, for benchmarks that pin servers and clients apart.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Benchmarks that pin run every server on this core and every load generator on the other. */
export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

/** A command line run on the client core: `taskset -c 1 <command> <args…>`. */
export function onClientCore(command: string, args: readonly string[]): [string, string[]] {
  return ["taskset", ["-c", String(CLIENT_CORE), command, ...args]];
}

const CPUACCT = "/sys/fs/cgroup/cpuacct";

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): state, ppid, … */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // gone meanwhile
  }
}

/** User + system CPU seconds of a process, all its threads; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of stat(5), 11 and 12 after the command name.
  return fields === undefined ? 0 : (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/**
 * CPU seconds of the children `pid` has waited for (cutime + cstime): what its ffmpeg runs cost,
 * counted once each has exited and been reaped.
 */
export function childrenCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields === undefined ? 0 : (Number(fields[13]) + Number(fields[14])) / TICKS;
}

/** The command name of a process (/proc/<pid>/comm), or undefined once it is gone. */
export function commandOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Pids of the running children of `parent`. */
export function childrenOf(parent: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((f) => /^\d+$/.test(f))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[1]) === parent);
}

/** The cores each thread of `pid` may run on, as /proc lists them ("0", "0-1"). */
export function allowedCores(pid: number): string[] {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .map((t) => /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/task/${t}/status`, "utf8")))
    .map((m) => m?.[1] ?? "unknown");
}

/**
 * Pins every thread of each process to `core` (taskset -a: nginx's thread pool for `aio
 * threads` exists before the call, and `taskset -p` alone moves only the main thread), and
 * checks that it took.
 */
export function pinToCore(pids: readonly number[], core: number): void {
  pinToCores(pids, String(core));
}

/** Like pinToCore, to a list of cores as taskset and /proc write it ("0", "0-1"). */
export function pinToCores(pids: readonly number[], cores: string): void {
  for (const pid of pids) {
    execFileSync("taskset", ["-a", "-c", "-p", cores, String(pid)], { stdio: "ignore" });
    const wrong = allowedCores(pid).filter((c) => c !== cores);
    if (wrong.length > 0) throw new Error(`pid ${pid}: threads still allowed on ${wrong.join(", ")}`);
  }
}

/** CPU seconds of everything that ran in one cgroup v1 cpuacct group, exited processes too. */
export interface CpuGroup {
  readonly dir: string;
  /** Moves a process and its descendants in; what they fork later joins by itself. */
  add(pid: number): void;
  usage(): { total: number; user: number; sys: number };
  remove(): void;
}

export function cpuacctAvailable(): boolean {
  return fs.existsSync(path.join(CPUACCT, "cpuacct.usage"));
}

export function createCpuGroup(name: string): CpuGroup {
  const dir = path.join(CPUACCT, name);
  fs.mkdirSync(dir);
  const read = (f: string) => parseCpuacctUsage(fs.readFileSync(path.join(dir, f), "utf8"));
  const add = (pid: number): void => {
    fs.writeFileSync(path.join(dir, "cgroup.procs"), String(pid));
    for (const child of childrenOf(pid)) add(child);
  };
  return {
    dir,
    add,
    usage: () => ({
      total: read("cpuacct.usage"),
      user: read("cpuacct.usage_user"),
      sys: read("cpuacct.usage_sys"),
    }),
    // Empty once its processes have exited; rmdir refuses (EBUSY) until then.
    remove: () => fs.rmdirSync(dir),
  };
}

/** A cgroup v1 cpuacct counter (cpuacct.usage, usage_user, usage_sys: nanoseconds) in seconds. */
export function parseCpuacctUsage(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new Error(`not a cpuacct usage counter: '${text}'`);
  return Number(trimmed) / 1e9;
}

/**
 * A Docker container's cpuacct group (cgroup v1, the cgroupfs driver: docker/<id>): what every
 * process of the container spent, exited ones too. Read-only: Docker owns the group.
 */
export function containerCpuGroup(containerId: string): Pick<CpuGroup, "dir" | "usage"> {
  const dir = path.join(CPUACCT, "docker", containerId);
  if (!fs.existsSync(path.join(dir, "cpuacct.usage")))
    throw new Error(`no cpuacct group for container ${containerId.slice(0, 12)} at ${dir}`);
  const read = (f: string) => parseCpuacctUsage(fs.readFileSync(path.join(dir, f), "utf8"));
  return {
    dir,
    usage: () => ({
      total: read("cpuacct.usage"),
      user: read("cpuacct.usage_user"),
      sys: read("cpuacct.usage_sys"),
    }),
  };
}

/** The pids of every process in a cgroup v1 group (its cgroup.procs). */
export function groupProcesses(dir: string): number[] {
  return fs
    .readFileSync(path.join(dir, "cgroup.procs"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number);
}

/** An nginx master (from its pid file) and its worker processes (not the cache manager or loader). */
export function nginxProcesses(pidFile: string): { master: number; workers: number[] } {
  const master = Number(fs.readFileSync(pidFile, "utf8").trim());
  const workers = childrenOf(master).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("worker process");
    } catch {
      return false;
    }
  });
  if (workers.length === 0) throw new Error(`nginx (pid ${master}) has no workers`);
  return { master, workers };
}

/**
 * A server counted and pinned for a benchmark: a cpuacct group named `name` holding each of
 * `pids` and its children (what they fork later joins by itself), every one on the server core.
 */
export function serverGroup(name: string, pids: readonly number[]): CpuGroup {
  const group = createCpuGroup(name);
  for (const pid of pids) {
    pinToCore([pid, ...childrenOf(pid)], SERVER_CORE);
    group.add(pid);
  }
  return group;
}
