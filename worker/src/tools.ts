/**
 * ffprobe and ffmpeg as child processes, at the configured niceness (through `nice`, so the
 * child starts at that priority rather than being lowered after it has begun).
 */
import { spawn } from "node:child_process";

export interface ToolOptions {
  readonly nice: number;
  readonly timeoutMs: number;
  /** Aborting kills the child (shutdown after its grace period). */
  readonly signal?: AbortSignal;
  /** Working folder of the child (relative output names). */
  readonly cwd?: string;
}

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class ToolError extends Error {}

/** Output kept per stream; ffprobe's JSON of a file is a few KiB, ffmpeg's errors fewer. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export function runTool(
  tool: "ffprobe" | "ffmpeg",
  args: readonly string[],
  options: ToolOptions,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    // ffmpeg reads keys from stdin unless told not to; ffprobe has no such option.
    const quiet = tool === "ffmpeg" ? ["-nostdin"] : [];
    const child = spawn("nice", ["-n", String(options.nice), tool, ...quiet, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: options.cwd,
      signal: options.signal,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      if (into.reduce((n, b) => n + b.length, 0) < OUTPUT_LIMIT) into.push(chunk);
    };
    child.stdout.on("data", keep(out));
    child.stderr.on("data", keep(err));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(options.signal?.aborted ? new ToolError(`${tool} stopped: the worker is shutting down`) : e);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== null && !options.signal?.aborted) {
        reject(
          new ToolError(
            `${tool} was killed (${signal}) after ${options.timeoutMs / 1000} s or by the system`,
          ),
        );
        return;
      }
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/**
 * The first line of a tool's error output, for a reason or a log line, without the component
 * prefix ("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55…] moov atom not found").
 */
export function firstLine(stderr: string): string {
  const line = stderr
    .split("\n")
    .map((l) => l.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, "").trim())
    .find((l) => l !== "");
  return line ?? "no error message";
}
