/** Child processes with a deadline: wrk, curl and the program runner. */
import { spawn } from "node:child_process";

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly cwd?: string;
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  readonly stdin?: string;
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    child.stdin?.end(options.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-64 * 1024)));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (signal === "SIGKILL")
        reject(new Error(`${command} ${args.join(" ")}: killed after ${options.timeoutMs} ms`));
      else resolve({ code, stdout, stderr, ms });
    });
  });
}

/** Like run, but a non-zero exit is an error carrying what the command said. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<Finished> {
  const done = await run(command, args, options);
  if (done.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${done.code}\n${done.stderr.slice(-2000)}${done.stdout.slice(-2000)}`,
    );
  }
  return done;
}
