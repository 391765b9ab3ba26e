/**
 * Short test clips made with the host's ffmpeg (a test pattern and a tone: no third-party
 * content), cached in the temp folder by their parameters so a run makes each once.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface ClipSpec {
  readonly width: number;
  readonly height: number;
  readonly seconds: number;
  readonly fps?: number;
}

export function makeClip({ width, height, seconds, fps = 24 }: ClipSpec): string {
  const file = path.join(os.tmpdir(), `video-server-clip-${width}x${height}-${seconds}s-${fps}.mp4`);
  if (fs.existsSync(file)) return file;
  const scratch = `${file}.${process.pid}.mp4`;
  // prettier-ignore
  execFileSync("ffmpeg", [
    "-v", "error", "-y",
    "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`,
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
    "-t", String(seconds),
    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart",
    scratch,
  ], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  fs.renameSync(scratch, file);
  return file;
}
