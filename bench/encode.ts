/**
 * ffmpeg for the pipeline benchmark: a large valid MP4 and the HLS workload's 1080p source, made
 * once and cached outside the repo, and a long H.264 encode run in the background as the
 * stand-in for a heavy media job.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runOk } from "./exec";

const CACHE = "/var/cache/video-server/bench";
const MiB = 1024 * 1024;

/**
 * 64 s of 720p at a capped 13 Mb/s: about 100 MiB, and every packet valid, so the worker's full
 * read finds nothing wrong. The name carries the parameters: changing them makes a new file.
 */
const CLIP_ARGS = [
  ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "64"],
  ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "13M", "-maxrate", "13M", "-bufsize", "26M"],
  ["-pix_fmt", "yuv420p", "-movflags", "+faststart"],
].flat();
const CLIP = path.join(CACHE, "testsrc2-720p30-64s-13M.mp4");
const CLIP_BYTES = { min: 90 * MiB, max: 110 * MiB };

/** The path of the ~100 MiB MP4, encoded on first use (about a quarter of a minute here). */
export function largeClip(log: (line: string) => void): Promise<string> {
  return cachedClip(CLIP, CLIP_ARGS, CLIP_BYTES, log);
}

/** The HLS workload's source: 1080p30 H.264 at a capped 8 Mb/s with a stereo AAC tone. */
const sourceArgs = (seconds: number) =>
  [
    ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30"],
    ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", String(seconds)],
    ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "8M", "-maxrate", "8M", "-bufsize", "16M"],
    ["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart"],
  ].flat();

/** A `seconds`-long 1080p30 MP4 at ~8 Mb/s (about 1 MB per second), encoded on first use. */
export function hlsSource(seconds: number, log: (line: string) => void): Promise<string> {
  const expected = seconds * 1e6;
  const file = path.join(CACHE, `testsrc2-sine-1080p30-${seconds}s-8M.mp4`);
  return cachedClip(file, sourceArgs(seconds), { min: 0.7 * expected, max: 1.2 * expected }, log);
}

/** `file`, made by ffmpeg with `args` unless a copy of a plausible size is cached. */
async function cachedClip(
  file: string,
  args: readonly string[],
  bytes: { readonly min: number; readonly max: number },
  log: (line: string) => void,
): Promise<string> {
  const sized = () => {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    return size >= bytes.min && size <= bytes.max;
  };
  if (sized()) return file;
  fs.mkdirSync(CACHE, { recursive: true, mode: 0o755 });
  log(`encoding ${file} (once; cached outside the repo)`);
  const scratch = `${file}.${process.pid}.mp4`;
  try {
    await runOk("ffmpeg", ["-nostdin", "-v", "error", "-y", ...args, scratch], { timeoutMs: 600_000 });
    fs.renameSync(scratch, file);
  } finally {
    fs.rmSync(scratch, { force: true });
  }
  if (!sized()) {
    throw new Error(
      `${file} is ${fs.statSync(file).size} bytes, outside ${bytes.min}–${bytes.max}: adjust its ffmpeg arguments`,
    );
  }
  return file;
}

export interface Encoder {
  readonly pid: number;
  running(): boolean;
  /** SIGKILL, and resolves once it has exited. */
  kill(): Promise<void>;
}

const encoders = new Set<ChildProcess>();

/** The encode as a command line: 1080p H.264 of a test source at `nice`, on `core` only, output nowhere. */
export function encoderCommand(nice: number, core: number): string[] {
  return [
    ["taskset", "-c", String(core), "nice", "-n", String(nice), "ffmpeg", "-nostdin", "-v", "error"],
    ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "600"],
    ["-c:v", "libx264", "-preset", "medium", "-f", "null", "-"],
  ].flat();
}

/** The encode, started: ten minutes of work, far more than one download lasts. */
export function startEncoder(nice: number, core: number): Encoder {
  const [command, ...args] = encoderCommand(nice, core);
  const child = spawn(command, args, { stdio: "ignore" });
  if (child.pid === undefined) throw new Error("could not start ffmpeg");
  encoders.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => encoders.delete(child));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    running,
    kill: async () => {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Kills every encoder still running (on failure or interrupt). */
export function killEncoders(): void {
  for (const child of encoders) child.kill("SIGKILL");
}
