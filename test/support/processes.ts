/**
 * Server processes with bounded start and stop. Each server leads its own process group; stop()
 * signals it and the groups of its children (vsftpd gives every FTP session one of its own) and
 * waits until none of them runs, so no worker or session outlives a test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { HOST } from "./ports";

const OUTPUT_LIMIT = 64 * 1024;

export interface Server {
  readonly name: string;
  readonly pid: number;
  running(): boolean;
  /** What the process wrote to stdout/stderr (the last 64 KiB) and the log files it was given. */
  describe(): string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/** Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, … */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // gone meanwhile
  }
}

const processIds = (): string[] => fs.readdirSync("/proc").filter((f) => /^\d+$/.test(f));

/**
 * The server's process group and the groups of its direct children. vsftpd puts every FTP
 * session in a session (and group) of its own, so the server's group alone misses them.
 */
function serverGroups(pid: number): number[] {
  const groups = new Set([pid]);
  for (const p of processIds()) {
    const fields = statFields(p);
    if (fields && Number(fields[1]) === pid) groups.add(Number(fields[2]));
  }
  return [...groups];
}

/** Pids of running processes whose command line contains `text`, such as a run's temp dir. */
export function processesMentioning(text: string): number[] {
  return processIds()
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Whether a process of these groups still runs. Zombies do not count: vsftpd's sessions are
 * reparented to PID 1 when the listener goes, and it reaps them when it gets round to it.
 */
function groupsRunning(groups: readonly number[]): boolean {
  return processIds().some((p) => {
    const fields = statFields(p);
    return fields !== undefined && fields[0] !== "Z" && groups.includes(Number(fields[2]));
  });
}

async function waitForEmptyGroups(groups: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupsRunning(groups)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export function startServer(
  name: string,
  command: string,
  args: readonly string[],
  logFiles: readonly string[],
): Server {
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const describe = () => {
    const state = exited(child) ? `exited (code ${child.exitCode}, signal ${child.signalCode})` : "running";
    const tail = (f: string) =>
      fs.existsSync(f) ? fs.readFileSync(f, "utf8").slice(-OUTPUT_LIMIT) : "(none)";
    const logs = logFiles.map((f) => `--- ${f}\n${tail(f)}`);
    return [
      `${name} (pid ${pid}, ${command} ${args.join(" ")}): ${state}`,
      `--- output\n${output}`,
      ...logs,
    ].join("\n");
  };

  // Signals go to the server's group (nginx's workers) and its children's groups (vsftpd's
  // sessions), found while the server still runs: they hold only processes it forked.
  const stop = async () => {
    const groups = serverGroups(pid);
    for (const g of groups) signalGroup(g, "SIGTERM");
    if ((await waitForExit(child, 5_000)) && (await waitForEmptyGroups(groups, 5_000))) return;
    for (const g of groups) signalGroup(g, "SIGKILL");
    if (!(await waitForExit(child, 5_000)) || !(await waitForEmptyGroups(groups, 5_000))) {
      throw new Error(`${name}: process groups ${groups.join(", ")} still run after SIGKILL`);
    }
  };

  return { name, pid, running: () => !exited(child), describe, stop };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.setTimeout(1_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once every port accepts a connection; fails with the server's output otherwise. */
export async function waitForPorts(
  server: Server,
  ports: readonly number[],
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await connects(port))) {
      if (!server.running()) throw new Error(`${server.name} exited before listening\n${server.describe()}`);
      if (Date.now() > deadline) {
        throw new Error(
          `${server.name}: port ${port} not answering after ${timeoutMs} ms\n${server.describe()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
