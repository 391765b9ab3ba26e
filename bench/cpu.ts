/**
 * CPU time and CPU affinity of running processes, from /proc and taskset: what a process cost,
 * and which core it may run on, for benchmarks that pin servers and clients apart.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

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
