/**
 * The media worker as the third container: the realizer makes all three from the program's
 * declarations; an FTP upload to a verified location is published and described by the worker
 * container and served (file, metadata, poster) by the nginx container; the worker killed in its
 * container comes back through the restart policy and picks up what arrived meanwhile.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeClip } from "../support/clips";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp, type Endpoint } from "../support/ftp";
import { request } from "../support/http";
import { pollUntil } from "../support/wait";
import type { MediaMetadata } from "../../worker/src/settings";
import { exec, killServerProcess, restartedHealthy } from "./containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const CLIP = fixture("sample.mp4");
const WAIT_MS = 60_000;

let stack: DockerStack;
let endpoint: Endpoint;

beforeAll(async () => {
  stack = await startDockerStack("pipeline", 10);
  endpoint = { ftpPort: stack.ports.ftp, httpPort: stack.ports.http, passwords: { uploader: PASSWORD } };
  await stack.realize(
    loopbackConfig(stack, {
      ftp: { users: [{ name: "uploader", password: PASSWORD }] },
      http: {
        locations: [
          { path: "/videos/", directory: "videos", autoindex: true, publish: "verified" },
          { path: "/images/", directory: "images", autoindex: true },
          {
            path: "/streams/",
            directory: "streams",
            hls: {
              renditions: [
                { height: 144, videoBitrate: 150, maxRate: 170, audioBitrate: 48 },
                { height: 240, videoBitrate: 400, maxRate: 450, audioBitrate: 64 },
              ],
              segmentSeconds: 1,
            },
          },
        ],
      },
      processing: { cpus: 0.5, memoryLimit: 512 },
    }),
  );
}, 900_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

const metadataOf = async (urlPath: string) => {
  const res = await pollUntil(
    () => request(endpoint, `/-/meta${urlPath}.json`),
    (r) => r.status === 200,
    WAIT_MS,
  );
  expect({ urlPath, status: res.status }).toEqual({ urlPath, status: 200 });
  return JSON.parse(res.body.toString()) as MediaMetadata;
};

describe("the media worker container", () => {
  it("runs healthy beside the servers, with its CPU and memory limits and only its capabilities", async () => {
    const info = await stack.container("worker").inspect();
    expect(info.State.Health?.Status).toBe("healthy");
    expect({ NanoCpus: info.HostConfig.NanoCpus, Memory: info.HostConfig.Memory }).toEqual({
      NanoCpus: 500_000_000,
      Memory: 512 * 1024 * 1024,
    });
    // Nothing published: its metrics are for the Docker network.
    expect(Object.keys(info.HostConfig.PortBindings ?? {})).toEqual([]);
    const status = (await exec(stack.engine.docker, stack.container("worker"), ["cat", "/proc/1/status"]))
      .output;
    // CAP_CHOWN 0, CAP_DAC_OVERRIDE 1, CAP_FOWNER 3.
    expect(BigInt(`0x${/^CapEff:\s*(\S+)$/m.exec(status)?.[1]}`)).toBe((1n << 0n) | (1n << 1n) | (1n << 3n));
  });

  it("publishes a verified upload, and nginx serves it with its metadata and poster", async () => {
    await withFtp(endpoint, "uploader", async (c) => {
      await c.ensureDir("/videos/.incoming/2026");
      await upload(c, CLIP, "/videos/.incoming/2026/launch.mp4");
    });
    const meta = await metadataOf("/videos/2026/launch.mp4");
    expect(meta).toMatchObject({
      kind: "video",
      width: 160,
      height: 120,
      sha256: sha256(CLIP),
      uploader: "uploader",
    });
    const file = await request(endpoint, "/videos/2026/launch.mp4");
    expect({ status: file.status, sha256: file.sha256 }).toEqual({ status: 200, sha256: sha256(CLIP) });
    const poster = await request(endpoint, meta.poster ?? "");
    expect({ status: poster.status, type: poster.headers["content-type"] }).toEqual({
      status: 200,
      type: "image/jpeg",
    });
    expect(fs.existsSync(path.join(stack.mediaDir, "videos/.incoming/2026/launch.mp4"))).toBe(false);
  });

  it("keeps vsftpd's log on the volume the worker reads, not in the FTP container's layer", async () => {
    const mounts = (await stack.container("ftp").inspect()).Mounts.map((m) => m.Destination).sort();
    expect(mounts).toEqual(["/srv/media", "/var/log/vsftpd"]);
    const readOnly = await exec(stack.engine.docker, stack.container("worker"), [
      "touch",
      "/var/log/vsftpd/x",
    ]);
    expect(readOnly.output).toContain("Read-only file system");
  });

  it("encodes an HLS ladder with the image's ffmpeg that ffprobe reads through nginx's published port", async () => {
    const clip = fs.readFileSync(makeClip({ width: 426, height: 240, seconds: 3 }));
    await withFtp(endpoint, "uploader", (c) => upload(c, clip, "/streams/clip.mp4"));
    const meta = await pollUntil(
      async () => (await metadataOf("/streams/clip.mp4")).hls,
      (hls) => hls !== null,
      WAIT_MS,
    );
    expect(meta?.renditions.map((r) => r.height)).toEqual([144, 240]);
    const url = `http://127.0.0.1:${endpoint.httpPort}${meta?.master ?? ""}`;
    const probed = await new Promise<string>((resolve, reject) =>
      execFile(
        "ffprobe",
        ["-v", "error", "-show_entries", "stream=codec_name,height", "-of", "csv=p=0", url],
        { timeout: 60_000 },
        (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out)),
      ),
    );
    // One line per stream of every variant; an audio stream has no height.
    const lines = probed
      .trim()
      .split("\n")
      .map((l) => l.trim().replace(/,$/, ""))
      .filter((l) => l !== "");
    expect(new Set(lines)).toEqual(new Set(["aac", "h264,144", "h264,240"]));
  });

  it("comes back through the restart policy after the worker is killed, and processes what arrived meanwhile", async () => {
    await killServerProcess(stack.engine.docker, stack.container("worker"), "node");
    await withFtp(endpoint, "uploader", (c) => upload(c, fixture("sample.jpg"), "/images/while-down.jpg"));
    await restartedHealthy(stack.container("worker"), 1);
    const meta = await metadataOf("/images/while-down.jpg");
    expect(meta).toMatchObject({ kind: "image", width: 64, height: 48 });
  });
});
