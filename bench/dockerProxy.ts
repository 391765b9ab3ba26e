/**
 * Docker's userland proxy as dockerd runs it for a published port: its command line, read from
 * /proc, and the same with other flag values, for a copy on another address.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { processesMentioning } from "../test/support/processes";

/** The arguments of a running docker-proxy for `hostIp:hostPort`, as dockerd started it. */
export function dockerProxyArgs(hostIp: string, hostPort: number): string[] {
  for (const pid of processesMentioning("docker-proxy")) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith("docker-proxy")) continue;
    const value = (flag: string) => argv[argv.indexOf(flag) + 1];
    if (value("-host-ip") === hostIp && value("-host-port") === String(hostPort)) return argv;
  }
  throw new Error(`no docker-proxy for ${hostIp}:${hostPort}: is the engine's userland-proxy off?`);
}

/** `argv` with each flag's value replaced. */
export function withFlags(argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  const out = [...argv];
  for (const [flag, value] of Object.entries(values)) {
    const i = out.indexOf(flag);
    if (i < 0 || i + 1 >= out.length) throw new Error(`${argv.join(" ")}: no ${flag}`);
    out[i + 1] = value;
  }
  return out;
}

export interface ProxyProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Starts docker-proxy as dockerd does: with a pipe on fd 3, where it writes "0\n" once it
 * listens, or "1\n<error>". (Without an fd 3 it closes whatever has that number: its listener.)
 */
export function startDockerProxy(argv: readonly string[], timeoutMs = 10_000): Promise<ProxyProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "pipe", "pipe"] });
    const status = child.stdio[3] as Readable;
    let said = "";
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${argv.join(" ")}: no status within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      });
    status.on("data", (c: Buffer) => {
      said += c.toString("utf8");
      if (!said.includes("\n")) return;
      clearTimeout(timer);
      if (said.startsWith("0\n") && child.pid !== undefined) resolve({ pid: child.pid, stop });
      else {
        child.kill("SIGKILL");
        reject(new Error(`${argv.join(" ")}: ${said.trim()} ${stderr.trim()}`));
      }
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
