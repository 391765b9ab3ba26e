/**
 * The ffprobe and ffmpeg runs of a job; each writes only to the path it is given. Paths are
 * absolute, so ffmpeg never reads one as an option or a protocol ("concat:…").
 */
import * as fs from "node:fs";
import { ladderArgs, type LadderOptions, type Rung } from "./ladder";
import type { MediaKind } from "./mediaPaths";
import type { SpriteLayout } from "./preview";
import { readProbe, type Probe } from "./probe";
import { firstLine, runTool, ToolError, type ToolOptions } from "./tools";

export type RunOptions = Omit<ToolOptions, "timeoutMs">;

/** Probing reads headers only. */
const PROBE_TIMEOUT_MS = 60_000;
/** Passes that read the whole file (checks, sprites) of a large upload at nice 19. */
const FULL_PASS_TIMEOUT_MS = 60 * 60_000;
/** One decoded frame. */
const FRAME_TIMEOUT_MS = 120_000;
/** An encode at nice 19 on a shared core runs slower than real time: ten times, and an hour more. */
const ENCODE_TIMEOUT_FACTOR = 10;

/** ffprobe's view of the file, or null with its message when it cannot read it at all. */
export async function probeFile(
  file: string,
  run: RunOptions,
): Promise<{ probe: Probe } | { error: string }> {
  const args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file];
  const r = await runTool("ffprobe", args, { ...run, timeoutMs: PROBE_TIMEOUT_MS });
  if (r.code !== 0) return { error: `ffprobe cannot read it: ${firstLine(r.stderr)}` };
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    return { error: "ffprobe wrote no JSON" };
  }
  return { probe: readProbe(json) };
}

/**
 * Why the file does not read cleanly to its end, or null. Images are decoded fully; videos are
 * demuxed without decoding (every packet read, so a cut-off upload shows, at the cost of
 * reading the file once rather than of decoding it). At `-v error` a clean file prints nothing.
 */
export async function integrityProblem(
  file: string,
  kind: MediaKind,
  run: RunOptions,
): Promise<string | null> {
  const args =
    kind === "image"
      ? ["-v", "error", "-i", file, "-f", "null", "-"]
      : ["-v", "error", "-i", file, "-map", "0", "-c", "copy", "-f", "null", "-"];
  const r = await runTool("ffmpeg", args, { ...run, timeoutMs: FULL_PASS_TIMEOUT_MS });
  if (r.code === 0 && r.stderr.trim() === "") return null;
  return `ffmpeg cannot read it to the end: ${firstLine(r.stderr)}`;
}

/** A JPEG of the frame at `atSeconds` (images: the picture), at most `width` wide. */
export async function renderPoster(
  file: string,
  out: string,
  options: { atSeconds: number; width: number },
  run: RunOptions,
): Promise<void> {
  const seek = options.atSeconds > 0 ? ["-ss", options.atSeconds.toFixed(3)] : [];
  const args = [
    ...["-v", "error", ...seek, "-i", file, "-map", "0:v:0", "-frames:v", "1"],
    ...["-vf", `scale='min(${options.width},iw)':-2`, "-q:v", "3", "-f", "mjpeg", "-y", out],
  ];
  await expectOutput(await runTool("ffmpeg", args, { ...run, timeoutMs: FRAME_TIMEOUT_MS }), out, "poster");
}

/**
 * The sprite of a preview. First from keyframes only (`-skip_frame nokey`: a fraction of the
 * decoding); a video with too few keyframes gives no frame that way, and is then decoded whole.
 */
export async function renderSprite(
  file: string,
  out: string,
  layout: SpriteLayout,
  run: RunOptions,
): Promise<void> {
  const filter = [
    // eof_action=pass: with keyframes only, the last thumbnail's frame is otherwise dropped.
    `fps=1/${layout.interval}:eof_action=pass`,
    `scale=${layout.width}:${layout.height}`,
    `tile=${layout.columns}x${layout.rows}`,
  ].join(",");
  const pass = (fast: boolean) => [
    ...["-v", "error", ...(fast ? ["-skip_frame", "nokey"] : []), "-i", file, "-map", "0:v:0", "-an", "-sn"],
    ...["-vf", filter, "-frames:v", "1", "-q:v", "5", "-f", "mjpeg", "-y", out],
  ];
  const fast = await runTool("ffmpeg", pass(true), { ...run, timeoutMs: FULL_PASS_TIMEOUT_MS });
  if (fast.code === 0 && sizeOf(out) > 0) return;
  await expectOutput(
    await runTool("ffmpeg", pass(false), { ...run, timeoutMs: FULL_PASS_TIMEOUT_MS }),
    out,
    "sprite",
  );
}

/** The HLS ladder of a video in `folder` (a version folder, made empty). */
export async function renderLadder(
  file: string,
  folder: string,
  rungs: readonly Rung[],
  options: LadderOptions & { durationSeconds: number | null },
  run: RunOptions,
): Promise<void> {
  const timeoutMs = FULL_PASS_TIMEOUT_MS + (options.durationSeconds ?? 0) * 1000 * ENCODE_TIMEOUT_FACTOR;
  const r = await runTool("ffmpeg", ladderArgs(file, rungs, options), { ...run, cwd: folder, timeoutMs });
  if (r.code !== 0) throw new ToolError(`ffmpeg exited with ${r.code}: ${firstLine(r.stderr)}`);
}

async function expectOutput(
  r: { code: number | null; stderr: string },
  out: string,
  what: string,
): Promise<void> {
  if (r.code !== 0 || sizeOf(out) === 0) {
    throw new ToolError(`ffmpeg made no ${what}: ${firstLine(r.stderr)}`);
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
