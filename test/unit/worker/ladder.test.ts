import { isVersion, ladderFiles } from "../../../worker/src/derived";
import { ladderArgs, ladderFor, type Rung } from "../../../worker/src/ladder";
import { parseMaster, rewriteMaster, urisOf, versionOfMaster } from "../../../worker/src/playlist";
import type { HlsSettings } from "../../../worker/src/settings";

/** Like the spec's default ladder. */
const DEFAULT: HlsSettings = {
  renditions: [
    { height: 360, videoBitrate: 800, maxRate: 856, audioBitrate: 96 },
    { height: 720, videoBitrate: 2800, maxRate: 2996, audioBitrate: 128 },
    { height: 1080, videoBitrate: 5000, maxRate: 5350, audioBitrate: 128 },
  ],
  segmentSeconds: 4,
};
const sizes = (rungs: Rung[]) => rungs.map((r) => `${r.width}x${r.height}`);

describe("ladderFor", () => {
  test.each([
    ["a 1080p source gets every rung", 1920, 1080, ["640x360", "1280x720", "1920x1080"]],
    ["a 480p source gets the rungs below it", 854, 480, ["640x360"]],
    ["a source between rungs gets those below it", 1280, 800, ["576x360", "1152x720"]],
    ["a source smaller than every rung gets one at its own size", 320, 240, ["320x240"]],
    ["a portrait phone video keeps its shape", 1080, 1920, ["202x360", "406x720", "608x1080"]],
  ])("%s", (_, width, height, expected) => {
    expect(sizes(ladderFor(DEFAULT, { width, height }))).toEqual(expected);
  });

  it("rounds widths from an odd aspect ratio to even numbers", () => {
    const rungs = ladderFor(DEFAULT, { width: 1000, height: 750 }); // 4:3 → 480 exactly at 360
    expect(sizes(rungs)).toEqual(["480x360", "960x720"]);
    expect(sizes(ladderFor(DEFAULT, { width: 1366, height: 768 }))).toEqual(["640x360", "1280x720"]);
    for (const r of ladderFor(DEFAULT, { width: 1279, height: 721 })) expect(r.width % 2).toBe(0);
  });

  it("gives a small source's one rung the lowest rung's bit rates, at an even size no larger than the source", () => {
    expect(ladderFor(DEFAULT, { width: 321, height: 241 })).toEqual([
      { height: 240, width: 320, videoBitrate: 800, maxRate: 856, audioBitrate: 96 },
    ]);
  });
});

describe("ladderArgs", () => {
  const rungs: Rung[] = [
    { width: 320, height: 240, videoBitrate: 300, maxRate: 330, audioBitrate: 64 },
    { width: 160, height: 120, videoBitrate: 100, maxRate: 110, audioBitrate: 32 },
  ];
  const args = ladderArgs("/media/a.mp4", rungs, { audio: true, segmentSeconds: 2 });
  const after = (option: string, list = args) => list[list.indexOf(option) + 1];

  it("decodes once, splits and scales each rung", () => {
    expect(after("-filter_complex")).toBe(
      "[0:v:0]split=2[s0][s1];[s0]scale=320:240[v0];[s1]scale=160:120[v1]",
    );
    expect(
      after("-filter_complex", ladderArgs("/a.mp4", [rungs[1]], { audio: false, segmentSeconds: 2 })),
    ).toBe("[0:v:0]scale=160:120[v0]");
  });

  it("aligns keyframes to the segment length and never cuts at a scene change", () => {
    expect(after("-force_key_frames")).toBe("expr:gte(t,n_forced*2)");
    expect(after("-sc_threshold")).toBe("0");
    expect(after("-hls_time")).toBe("2");
  });

  it("gives each rung its bit rates, buffer twice the maximum rate", () => {
    expect([after("-b:v:1"), after("-maxrate:v:1"), after("-bufsize:v:1"), after("-b:a:1")]).toEqual([
      "100k",
      "110k",
      "220k",
      "32k",
    ]);
  });

  it("pairs each rung with the audio, or leaves audio out of a silent source", () => {
    expect(after("-var_stream_map")).toBe("v:0,a:0,name:240p v:1,a:1,name:120p");
    const silent = ladderArgs("/a.mp4", rungs, { audio: false, segmentSeconds: 2 });
    expect(after("-var_stream_map", silent)).toBe("v:0,name:240p v:1,name:120p");
    expect(silent).not.toContain("0:a:0");
    expect(silent).not.toContain("-b:a:0");
  });

  it("writes fMP4 segments under relative names, whatever the source is called", () => {
    expect(after("-hls_segment_type")).toBe("fmp4");
    expect(args.slice(-1)).toEqual(["%v/index.m3u8"]);
    expect(after("-hls_segment_filename")).toBe("%v/%d.m4s");
  });
});

/** What ffmpeg 7.1 writes (5.1 omits AVERAGE-BANDWIDTH). */
const FFMPEG_MASTER = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  '#EXT-X-STREAM-INF:BANDWIDTH=434461,AVERAGE-BANDWIDTH=342193,RESOLUTION=320x240,CODECS="avc1.64000d,mp4a.40.2"',
  "240p/index.m3u8",
  "",
  '#EXT-X-STREAM-INF:BANDWIDTH=153230,AVERAGE-BANDWIDTH=121653,RESOLUTION=160x120,CODECS="avc1.64000b,mp4a.40.2"',
  "120p/index.m3u8",
  "",
].join("\n");

describe("the master playlist", () => {
  it("points each variant into the version folder and keeps every attribute", () => {
    expect(rewriteMaster(FFMPEG_MASTER, "0123456789ab")).toBe(
      FFMPEG_MASTER.replace("240p/", "0123456789ab/240p/").replace("120p/", "0123456789ab/120p/"),
    );
  });

  it("rewrites a URI attribute too (an init segment, an audio rendition)", () => {
    expect(rewriteMaster('#EXT-X-MEDIA:TYPE=AUDIO,URI="a/index.m3u8"\na.m3u8', "v")).toBe(
      '#EXT-X-MEDIA:TYPE=AUDIO,URI="v/a/index.m3u8"\nv/a.m3u8',
    );
  });

  it("refuses a URI outside the folder", () => {
    for (const uri of ["../x.m3u8", "/x.m3u8", "http://h/x.m3u8"]) {
      expect(() => rewriteMaster(`#EXTM3U\n${uri}\n`, "v")).toThrow(/not a file beside it/);
    }
  });

  it("lists each variant's size and bandwidth, in order", () => {
    expect(parseMaster(rewriteMaster(FFMPEG_MASTER, "0123456789ab"))).toEqual([
      { uri: "0123456789ab/240p/index.m3u8", bandwidth: 434461, width: 320, height: 240 },
      { uri: "0123456789ab/120p/index.m3u8", bandwidth: 153230, width: 160, height: 120 },
    ]);
    expect(() => parseMaster("#EXTM3U\n")).toThrow(/no variant/);
  });

  it("tells which version a rewritten master points to", () => {
    expect(versionOfMaster(rewriteMaster(FFMPEG_MASTER, "0123456789ab"))).toBe("0123456789ab");
    expect(versionOfMaster(FFMPEG_MASTER)).toBeNull();
  });

  it("reads the init segment and the segments of a variant playlist", () => {
    const variant = '#EXTM3U\n#EXT-X-MAP:URI="init_0.mp4"\n#EXTINF:1.000000,\n0.m4s\n#EXT-X-ENDLIST\n';
    expect(urisOf(variant)).toEqual(["init_0.mp4", "0.m4s"]);
  });
});

describe("ladderFiles", () => {
  const settings = {
    derivedRoot: "/derived",
    urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
  };
  const location = { path: "/videos/", directory: "media/videos", publish: "immediate" as const };

  it("puts a file's ladder in hls/<directory>/<file>/ with a master.m3u8 served under the location's path", () => {
    expect(ladderFiles(settings, location, "trips/alps.mp4")).toEqual({
      folder: "/derived/hls/media/videos/trips/alps.mp4",
      master: "/derived/hls/media/videos/trips/alps.mp4/master.m3u8",
      url: "/_hls/videos/trips/alps.mp4/master.m3u8",
    });
  });

  it("percent-encodes each segment of the file part of the master's URL", () => {
    expect(ladderFiles(settings, location, "été 2026/a#1?.mp4").url).toBe(
      "/_hls/videos/%C3%A9t%C3%A9%202026/a%231%3F.mp4/master.m3u8",
    );
  });

  it("names version folders by the first 12 hex digits of the sha256", () => {
    expect([
      isVersion("0123456789ab"),
      isVersion("0123456789AB"),
      isVersion("240p"),
      isVersion(".0123456789ab"),
    ]).toEqual([true, false, false, false]);
  });
});
