/**
 * The ban watcher (containerFiles/bans.sh) run on the host, as a container's entrypoint runs it,
 * for the services tier: its output is collected, and `start` returns once it follows its log.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_DIR } from "./project";
import { waitFor } from "./wait";

export interface BanWatcher {
  /** Everything it printed so far (bans, unbans, complaints). */
  output(): string;
  stop(): void;
}

export async function startBanWatcher(
  mode: "vsftpd" | "nginx" | "sshd",
  log: string,
  settingsFile: string,
): Promise<BanWatcher> {
  const script = path.join(PROJECT_DIR, "containerFiles/bans.sh");
  const child = spawn("bash", [script, mode, log, settingsFile], {
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const watcher = { output: () => output, stop: () => void child.kill() };
  try {
    await waitFor("the ban watcher to start", () => output.includes(" ban an address for "), 5_000);
  } catch (e) {
    watcher.stop();
    throw new Error(`${String(e)}; it printed: ${output}`, { cause: e });
  }
  // tail -F opens the log a moment after the watcher prints its first line.
  await new Promise((r) => setTimeout(r, 500));
  return watcher;
}
