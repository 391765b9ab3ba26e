/**
 * What ffprobe's JSON (`-show_format -show_streams`) says about a file: the descriptive fields
 * of MediaMetadata, and whether the content is what the file's extension claims.
 */
import type { MediaKind } from "./mediaPaths";
import type { MediaMetadata } from "./settings";

export interface ProbeStream {
  readonly codecType: string;
  readonly codecName: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly frameRate: number | null;
  /** Degrees of the display matrix (phones store portrait video as rotated landscape). */
  readonly rotation: number;
  /** A cover image in an audio file, not a video track. */
  readonly attachedPicture: boolean;
}

export interface Probe {
  readonly formatName: string;
  readonly durationSeconds: number | null;
  readonly bitRate: number | null;
  readonly streams: readonly ProbeStream[];
}

/** What ffprobe tells of a file: these fields of its metadata. */
export type Description = Pick<
  MediaMetadata,
  "durationSeconds" | "width" | "height" | "videoCodec" | "audioCodec" | "bitRate" | "frameRate"
>;

/** ffprobe's format names for each video extension (format_name lists aliases, comma-separated). */
const VIDEO_FORMATS: Readonly<Record<string, string>> = {
  mp4: "mp4",
  m4v: "mp4",
  mov: "mov",
  webm: "webm",
  mkv: "matroska",
  ogv: "ogg",
};
/** Codec of the single picture for each image extension. */
const IMAGE_CODECS: Readonly<Record<string, string>> = {
  jpg: "mjpeg",
  jpeg: "mjpeg",
  png: "png",
  gif: "gif",
  webp: "webp",
};

/** ffprobe's JSON, read field by field; whatever is missing or malformed becomes null. */
export function readProbe(json: unknown): Probe {
  const root = record(json);
  const format = record(root.format);
  const streams = Array.isArray(root.streams) ? root.streams.map(record) : [];
  return {
    formatName: text(format.format_name) ?? "",
    durationSeconds: positive(number(format.duration)),
    bitRate: positive(number(format.bit_rate)),
    streams: streams.map((s) => ({
      codecType: text(s.codec_type) ?? "",
      codecName: text(s.codec_name),
      width: positive(number(s.width)),
      height: positive(number(s.height)),
      frameRate: positive(ratio(text(s.avg_frame_rate)) ?? ratio(text(s.r_frame_rate))),
      rotation: rotationOf(s),
      attachedPicture: record(s.disposition).attached_pic === 1,
    })),
  };
}

export function describe(probe: Probe, kind: MediaKind): Description {
  const video = pictureOf(probe);
  const audio = probe.streams.find((s) => s.codecType === "audio");
  const turned = video !== undefined && Math.abs(video.rotation) % 180 === 90;
  return {
    durationSeconds: kind === "video" ? round(probe.durationSeconds, 3) : null,
    width: (turned ? video?.height : video?.width) ?? null,
    height: (turned ? video?.width : video?.height) ?? null,
    videoCodec: video?.codecName ?? null,
    audioCodec: kind === "video" ? (audio?.codecName ?? null) : null,
    bitRate: kind === "video" ? probe.bitRate : null,
    frameRate: kind === "video" ? round(video?.frameRate ?? null, 3) : null,
  };
}

/** Why the content is not what `ext` claims, or null when it is. */
export function mismatchOf(probe: Probe, kind: MediaKind, ext: string): string | null {
  const picture = pictureOf(probe);
  if (kind === "video") {
    const expected = VIDEO_FORMATS[ext];
    const names = probe.formatName.split(",");
    if (expected === undefined || !names.includes(expected)) {
      return `the file is not ${ext.toUpperCase()} video (ffprobe found format ${probe.formatName || "none"})`;
    }
    if (picture === undefined) return "the file has no video track";
    return null;
  }
  const expected = IMAGE_CODECS[ext];
  if (expected === undefined || picture?.codecName !== expected) {
    return `the file is not a ${ext.toUpperCase()} image (ffprobe found ${picture?.codecName ?? "no picture"})`;
  }
  return null;
}

/** The first video stream that is not a cover picture. */
export function pictureOf(probe: Probe): ProbeStream | undefined {
  return probe.streams.find((s) => s.codecType === "video" && !s.attachedPicture);
}

function rotationOf(stream: Record<string, unknown>): number {
  const sides = Array.isArray(stream.side_data_list) ? stream.side_data_list.map(record) : [];
  const fromMatrix = sides.map((d) => number(d.rotation)).find((r) => r !== null);
  return fromMatrix ?? number(record(stream.tags).rotate) ?? 0;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function text(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** ffprobe writes most numbers as strings ("2.000000", "N/A"). */
function number(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function ratio(v: string | null): number | null {
  const m = v === null ? null : /^(\d+)\/(\d+)$/.exec(v);
  return m && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : null;
}

function positive(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}

function round(n: number | null, digits: number): number | null {
  return n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;
}
