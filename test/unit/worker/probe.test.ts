import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildMetadata } from "../../../worker/src/metadata";
import { renderVtt, spriteLayout } from "../../../worker/src/preview";
import { describe as describeProbe, mismatchOf, readProbe } from "../../../worker/src/probe";

const ffprobeJson = (file: string): unknown =>
  JSON.parse(
    execFileSync("ffprobe", [
      "-v",
      "error",
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      file,
    ]).toString(),
  );

describe("metadata from ffprobe's JSON", () => {
  let dir: string;
  let clip: unknown;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-probe-"));
    const file = path.join(dir, "clip.mp4");
    execFileSync("ffmpeg", [
      ...["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:v", "libx264", "-preset", "ultrafast"],
      ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file],
    ]);
    clip = ffprobeJson(file);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("describes a real clip: size, codecs, duration, frame rate, bit rate", () => {
    const d = describeProbe(readProbe(clip), "video");
    expect(d).toMatchObject({
      width: 320,
      height: 180,
      videoCodec: "h264",
      audioCodec: "aac",
      frameRate: 25,
    });
    expect(d.durationSeconds).toBeGreaterThan(0.9);
    expect(d.durationSeconds).toBeLessThan(1.2);
    expect(d.bitRate).toBeGreaterThan(0);
  });

  it("finds a real MP4 to be what .mp4 and .mov claim, and not what .webm claims", () => {
    const probe = readProbe(clip);
    expect(mismatchOf(probe, "video", "mp4")).toBeNull();
    expect(mismatchOf(probe, "video", "mov")).toBeNull();
    expect(mismatchOf(probe, "video", "webm")).toMatch(/not WEBM video/);
  });

  it("gives null audio codec for a video without an audio track", () => {
    const json = {
      streams: [
        { codec_type: "video", codec_name: "vp9", width: 640, height: 360, avg_frame_rate: "30000/1001" },
      ],
      format: { format_name: "matroska,webm", duration: "12.500000", bit_rate: "N/A" },
    };
    expect(describeProbe(readProbe(json), "video")).toEqual({
      durationSeconds: 12.5,
      width: 640,
      height: 360,
      videoCodec: "vp9",
      audioCodec: null,
      bitRate: null,
      frameRate: 29.97,
    });
  });

  it("swaps width and height of a video a phone recorded turned by 90°", () => {
    const json = {
      streams: [
        {
          codec_type: "video",
          codec_name: "h264",
          width: 1920,
          height: 1080,
          side_data_list: [{ rotation: -90 }],
        },
      ],
      format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2" },
    };
    expect(describeProbe(readProbe(json), "video")).toMatchObject({ width: 1080, height: 1920 });
  });

  it("refuses as a video a file whose only picture is a cover image", () => {
    const json = {
      streams: [
        { codec_type: "audio", codec_name: "aac" },
        {
          codec_type: "video",
          codec_name: "mjpeg",
          width: 500,
          height: 500,
          disposition: { attached_pic: 1 },
        },
      ],
      format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2" },
    };
    expect(mismatchOf(readProbe(json), "video", "mp4")).toBe("the file has no video track");
  });

  it("checks an image by its codec: a PNG is no JPEG", () => {
    const png = readProbe({
      streams: [{ codec_type: "video", codec_name: "png", width: 4, height: 3 }],
      format: { format_name: "png_pipe" },
    });
    expect(mismatchOf(png, "image", "png")).toBeNull();
    expect(mismatchOf(png, "image", "jpg")).toMatch(/not a JPG image \(ffprobe found png\)/);
    expect(describeProbe(png, "image")).toMatchObject({
      width: 4,
      height: 3,
      durationSeconds: null,
      frameRate: null,
    });
  });

  it("reads JSON that is not ffprobe's as a file with nothing in it", () => {
    expect(readProbe("nonsense")).toEqual({
      formatName: "",
      durationSeconds: null,
      bitRate: null,
      streams: [],
    });
  });
});

describe("buildMetadata", () => {
  it("fills MediaMetadata with the URL, the whole-millisecond mtime and the upload's facts", () => {
    const metadata = buildMetadata({
      location: { path: "/videos/", directory: "videos", publish: "verified" },
      rest: "trips/día 1.mp4",
      kind: "video",
      size: 10,
      mtimeMs: Date.parse("2026-12-01T12:00:00.123Z") + 0.7,
      uploadedAt: "2026-12-01T12:00:01.000Z",
      uploader: "uploader",
      sha256: "ab".repeat(32),
      description: {
        durationSeconds: 1,
        width: 2,
        height: 2,
        videoCodec: "h264",
        audioCodec: null,
        bitRate: 5,
        frameRate: 25,
      },
      poster: "/_poster/videos/trips/d%C3%ADa%201.mp4.abababababab.jpg",
      preview: null,
    });
    expect(metadata).toMatchObject({
      version: 1,
      url: "/videos/trips/d%C3%ADa%201.mp4",
      location: "/videos/",
      file: "trips/día 1.mp4",
      modifiedAt: "2026-12-01T12:00:00.123Z",
      uploadedAt: "2026-12-01T12:00:01.000Z",
      uploader: "uploader",
    });
  });
});

describe("the preview's VTT", () => {
  it("has a cue per thumbnail pointing at its cell of the sprite", () => {
    const layout = spriteLayout(2.5, 320, 180);
    expect(layout).toEqual({ interval: 1, count: 3, columns: 3, rows: 1, width: 160, height: 90 });
    expect(renderVtt(layout, 2.5, "/_preview/videos/a.mp4.0123456789ab.jpg")).toBe(
      [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:01.000",
        "/_preview/videos/a.mp4.0123456789ab.jpg#xywh=0,0,160,90",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "/_preview/videos/a.mp4.0123456789ab.jpg#xywh=160,0,160,90",
        "",
        "00:00:02.000 --> 00:00:02.500",
        "/_preview/videos/a.mp4.0123456789ab.jpg#xywh=320,0,160,90",
        "",
      ].join("\n"),
    );
  });

  it("spaces thumbnails so a long video has at most 100, ten to a row", () => {
    expect(spriteLayout(3600, 1920, 1080)).toMatchObject({ interval: 36, count: 100, columns: 10, rows: 10 });
  });
});
