/**
 * An HLS ladder without I/O: which renditions a source gets, and the one ffmpeg run that encodes
 * them all (H.264 + AAC in fMP4 segments, keyframes aligned across renditions).
 */
import { MASTER_PLAYLIST } from "./derived";
import type { HlsSettings, Rendition } from "./settings";

/** A rendition at the size it is encoded. */
export interface Rung extends Rendition {
  readonly width: number;
}

/**
 * The location's renditions no taller than the source, widths from its aspect ratio; a source
 * smaller than every rendition gets one at its own height with the lowest one's bit rates.
 * Never larger than the source: upscaling spends bits on nothing.
 */
export function ladderFor(hls: HlsSettings, source: { width: number; height: number }): Rung[] {
  const fitting = hls.renditions.filter((r) => r.height <= source.height);
  const chosen = fitting.length > 0 ? fitting : [{ ...hls.renditions[0], height: evenBelow(source.height) }];
  const widest = evenBelow(source.width);
  return chosen.map((r) => ({
    ...r,
    width: Math.min(widest, evenNearest((r.height * source.width) / source.height)),
  }));
}

// H.264 with 4:2:0 chroma needs even sizes.
const evenNearest = (n: number) => Math.max(2, Math.round(n / 2) * 2);
const evenBelow = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

/** Each rung's folder in a version folder, and its name in ffmpeg's var_stream_map. */
export function rungFolder(rung: Pick<Rendition, "height">): string {
  return `${rung.height}p`;
}

export const SEGMENT_PATTERN = "%v/%d.m4s";
export const VARIANT_PLAYLIST = "index.m3u8";

export interface LadderOptions {
  /** Whether the source has an audio stream: without one, the renditions are video only. */
  readonly audio: boolean;
  readonly segmentSeconds: number;
}

/**
 * ffmpeg's arguments: the source decoded once, split and scaled per rung, each rung its own
 * libx264 encoder. Outputs are relative, for a run in the (temporary) version folder: a file
 * name with `%` in it would otherwise be read as one of the hls muxer's patterns.
 */
export function ladderArgs(input: string, rungs: readonly Rung[], o: LadderOptions): string[] {
  const scaled = rungs.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`);
  const split =
    rungs.length === 1
      ? `[0:v:0]scale=${rungs[0].width}:${rungs[0].height}[v0]`
      : [`[0:v:0]split=${rungs.length}${rungs.map((_, i) => `[s${i}]`).join("")}`, ...scaled].join(";");
  const maps = rungs.flatMap((_, i) => ["-map", `[v${i}]`, ...(o.audio ? ["-map", "0:a:0"] : [])]);
  const rates = rungs.flatMap((r, i) => [
    ...[`-b:v:${i}`, `${r.videoBitrate}k`, `-maxrate:v:${i}`, `${r.maxRate}k`],
    ...[`-bufsize:v:${i}`, `${2 * r.maxRate}k`],
    ...(o.audio ? [`-b:a:${i}`, `${r.audioBitrate}k`] : []),
  ]);
  const streams = rungs.map((r, i) => `v:${i},${o.audio ? `a:${i},` : ""}name:${rungFolder(r)}`);
  const s = String(o.segmentSeconds);
  return [
    ...["-v", "error", "-i", input, "-filter_complex", split, ...maps],
    // A keyframe at every segment boundary and nowhere by scene cut: every rung's segments
    // start at the same times, so a player can switch between them at any boundary.
    ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p"],
    ...["-force_key_frames", `expr:gte(t,n_forced*${s})`, "-sc_threshold", "0"],
    ...(o.audio ? ["-c:a", "aac", "-ac", "2"] : []),
    ...rates,
    ...["-f", "hls", "-hls_time", s, "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"],
    ...["-hls_flags", "independent_segments", "-hls_fmp4_init_filename", "init.mp4"],
    ...["-hls_segment_filename", SEGMENT_PATTERN, "-master_pl_name", MASTER_PLAYLIST],
    ...["-var_stream_map", streams.join(" "), `%v/${VARIANT_PLAYLIST}`],
  ];
}
