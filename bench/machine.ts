/** The machine a run measured: results from a shared two-core box mean little without it. */
import { execFileSync } from "node:child_process";
import * as os from "node:os";

const PACKAGES = ["nginx", "vsftpd", "libpam-pwdfile", "wrk", "curl", "caddy", "docker.io"];

function packageVersion(name: string): string {
  try {
    return execFileSync("dpkg-query", ["-W", "-f", "${Version}", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return "not installed";
  }
}

export function describeMachine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model ?? "unknown",
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((p) => [p, packageVersion(p)])),
    loadavg_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** wrk, curl and caddy must be there; nginx and vsftpd are checked by the services harness. */
export function missingTools(): string[] {
  return ["wrk", "curl", "caddy"].filter((p) => packageVersion(p) === "not installed");
}
