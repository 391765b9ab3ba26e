/**
 * Seeking on the real nginx: byte ranges everywhere, mp4 pseudo-streaming where a location has
 * `mp4: true` (checked with ffprobe on the real fixture), nothing compressed, and files above
 * http.directio (read with O_DIRECT in nginx's thread pool) served byte for byte.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { signUrl } from "../../nginx/secureLink";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { findBinary } from "../support/prerequisites";
import { startStack, type RunningStack } from "../support/servers";
import { DELIVERY, SECURE_LINK_SECRET, VIEWER } from "./deliveryStacks";

const VIDEO = fixture("sample.mp4");
const FAR_FUTURE = 4_102_444_800; // 2100-01-01

interface Probe {
  readonly duration: number;
  readonly codecs: string[];
}

describe("seeking", () => {
  let stack: RunningStack;
  let scratch: string;

  /** ffprobe's view of an MP4: fails the test when ffprobe cannot parse it. */
  function probe(data: Buffer): Probe {
    const file = path.join(scratch, `probe-${sha256(data).slice(0, 12)}.mp4`);
    fs.writeFileSync(file, data);
    const out = execFileSync(
      "ffprobe",
      ["-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "json", file],
      { encoding: "utf8", timeout: 10_000 },
    );
    const parsed = JSON.parse(out) as { format: { duration: string }; streams: { codec_name: string }[] };
    return {
      duration: Number(parsed.format.duration),
      codecs: parsed.streams.map((s) => s.codec_name).sort(),
    };
  }

  beforeAll(async () => {
    if (!findBinary("ffprobe"))
      throw new Error("the seeking tests check the MP4s nginx cuts with ffprobe: apt-get install ffmpeg");
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-seeking-"));
    stack = await startStack("services-seeking", DELIVERY);
    await withFtp(stack, "uploader", async (c) => {
      for (const dir of ["videos", "images", "signed", "slow", "members"])
        await upload(c, VIDEO, `/${dir}/clip.mp4`);
      await upload(c, fixture("sample.png"), "/videos/poster.png");
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("the fixture is what ffprobe calls a 3 s H.264 + AAC MP4", () => {
    expect(probe(VIDEO)).toEqual({ duration: 3, codecs: ["aac", "h264"] });
  });

  it("cuts ?start=1 into a valid, shorter MP4 on an mp4 location", async () => {
    const res = await request(stack, "/videos/clip.mp4?start=1");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("video/mp4");
    expect(res.body.length).toBeLessThan(VIDEO.length);
    const cut = probe(res.body);
    expect(cut.codecs).toEqual(["aac", "h264"]);
    expect(cut.duration).toBeGreaterThan(1.5);
    expect(cut.duration).toBeLessThan(2.5);
  });

  it("cuts ?start=1&end=2 to about one second", async () => {
    const res = await request(stack, "/videos/clip.mp4?start=1&end=2");
    expect(res.status).toBe(200);
    const cut = probe(res.body);
    expect(cut.duration).toBeGreaterThan(0.5);
    expect(cut.duration).toBeLessThan(1.5);
  });

  it("answers a Range request inside a cut MP4 with 206 and that slice of the cut", async () => {
    const whole = await request(stack, "/videos/clip.mp4?start=1");
    const part = await request(stack, "/videos/clip.mp4?start=1", { headers: { Range: "bytes=100-599" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-599/${whole.body.length}`);
    expect(part.body.equals(whole.body.subarray(100, 600))).toBe(true);
  });

  it("cuts a signed link too: the signature and ?start= travel together", async () => {
    const res = await request(
      stack,
      `${signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, FAR_FUTURE)}&start=1`,
    );
    expect(res.status).toBe(200);
    expect(probe(res.body).duration).toBeLessThan(2.5);
  });

  it("ignores ?start= where mp4 is off: the whole file, byte for byte", async () => {
    const res = await request(stack, "/images/clip.mp4?start=1");
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(VIDEO));
  });

  it("answers 400, not a server error, to ?start= on a file that is not MP4 in an mp4 location", async () => {
    expect((await request(stack, "/videos/poster.png?start=1")).status).toBe(400);
    const plain = await request(stack, "/videos/poster.png");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("image/png");
    expect(fs.readFileSync(stack.webLayout.errorLog, "utf8")).not.toContain("mp4 atom");
  });

  it("still lists the folder of an mp4 location", async () => {
    const res = await request(stack, "/videos/");
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('href="clip.mp4"');
  });

  it.each([
    ["an mp4 location with CORS", "/videos/clip.mp4", {}],
    ["a location without mp4, CORS for any origin", "/images/clip.mp4", {}],
    ["a rate-limited location", "/slow/clip.mp4", {}],
    ["a basic-auth location", "/members/clip.mp4", { auth: `${VIEWER.name}:${VIEWER.password}` }],
    ["a secure-link location", signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, FAR_FUTURE), {}],
  ])("answers Range with 206 and exactly that slice on %s", async (_, url, options) => {
    const res = await request(stack, url, { ...options, headers: { Range: "bytes=1000-4999" } });
    expect(res.status).toBe(206);
    expect(res.headers["content-range"]).toBe(`bytes 1000-4999/${VIDEO.length}`);
    expect(res.body.equals(VIDEO.subarray(1000, 5000))).toBe(true);
  });

  it("never compresses: a client that accepts gzip gets the bytes as stored", async () => {
    for (const url of ["/videos/clip.mp4", "/videos/", "/gallery/", "/-/listing/videos/"]) {
      const res = await request(stack, url, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
      expect({ url, status: res.status, encoding: res.headers["content-encoding"] }).toEqual({
        url,
        status: 200,
        encoding: undefined,
      });
    }
  });

  it("serves a file above http.directio byte for byte, whole and in ranges across alignment boundaries", async () => {
    // 5 MiB + 7 bytes: far above directio (16k in this stack), not a multiple of the 512-byte alignment.
    const big = randomBytes(5 * 1024 * 1024 + 7);
    await withFtp(stack, "uploader", (c) => upload(c, big, "/videos/big.bin"));
    const whole = await request(stack, "/videos/big.bin");
    expect(whole.status).toBe(200);
    expect(whole.headers["content-length"]).toBe(String(big.length));
    expect(sha256(whole.body)).toBe(sha256(big));
    for (const [first, last] of [
      [1_000_001, 3_000_002],
      [big.length - 513, big.length - 1],
    ]) {
      const part = await request(stack, "/videos/big.bin", { headers: { Range: `bytes=${first}-${last}` } });
      expect(part.status).toBe(206);
      expect(part.body.equals(big.subarray(first, last + 1))).toBe(true);
    }
    // An O_DIRECT or thread-pool failure is logged as an alert or a crit line.
    expect(fs.readFileSync(stack.webLayout.errorLog, "utf8")).not.toMatch(/\[(alert|crit|emerg)\]/);
  });
});
