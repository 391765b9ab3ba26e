/**
 * The program's own declared resources, made on a real Docker engine by the realizer, serve an
 * FTP upload over HTTP, with the nginx modules the config uses, the media read-only in nginx.
 * Replacement and crashes are faults.hostile.test.ts. Every connection goes to ports published
 * on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixture, sha256 } from "../support/data";
import { download, upload, withFtp, type Endpoint } from "../support/ftp";
import { request } from "../support/http";
import type { ProgramRun, StackConfig } from "../support/program";
import { exec as execIn } from "./containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const MP4 = fixture("sample.mp4");

let stack: DockerStack;
let mediaDir: string;
let endpoint: Endpoint;
let config: StackConfig;
let first: ProgramRun;

const containerOf = (role: "ftp" | "web") => stack.container(role);
const exec = (container: ReturnType<typeof containerOf>, cmd: string[]) =>
  execIn(stack.engine.docker, container, cmd);

beforeAll(async () => {
  stack = await startDockerStack("dockertest", 10);
  mediaDir = stack.mediaDir;
  const { ports } = stack;
  endpoint = { ftpPort: ports.ftp, httpPort: ports.http, passwords: { uploader: PASSWORD } };
  config = loopbackConfig(stack, {
    ftp: { users: [{ name: "uploader", password: PASSWORD }] },
    http: {
      // Off by default; on here so the image's thread pool and O_DIRECT reads are exercised.
      directio: "4m",
      locations: [
        { path: "/videos/", directory: "videos", autoindex: true, mp4: true },
        { path: "/images/", directory: "images" },
      ],
    },
  });
  first = await stack.realize(config);
}, 900_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe("the declared containers on a real Docker engine", () => {
  it("publishes every port on 127.0.0.1 only and both containers are healthy", async () => {
    for (const role of ["ftp", "web"] as const) {
      const info = await containerOf(role).inspect();
      expect(info.State.Health?.Status).toBe("healthy");
      const bindings = Object.values(info.HostConfig.PortBindings ?? {}).flat() as { HostIp: string }[];
      expect(bindings.length).toBeGreaterThan(0);
      for (const b of bindings) expect(b.HostIp).toBe("127.0.0.1");
    }
    expect(first.outputs.httpUrl).toBe(`http://127.0.0.1:${endpoint.httpPort}/`);
  });

  it("runs each server with only its own capabilities and no way to gain more", async () => {
    // Bits of CAP_CHOWN 0, CAP_FOWNER 3, CAP_SETGID 6, CAP_SETUID 7, CAP_SYS_CHROOT 18.
    const expected = {
      ftp: (1n << 0n) | (1n << 3n) | (1n << 6n) | (1n << 7n) | (1n << 18n),
      web: (1n << 0n) | (1n << 6n) | (1n << 7n),
    };
    for (const role of ["ftp", "web"] as const) {
      const status = (await exec(containerOf(role), ["cat", "/proc/1/status"])).output;
      const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)$`, "m").exec(status)?.[1];
      expect({ role, capEff: BigInt(`0x${field("CapEff")}`), noNewPrivs: field("NoNewPrivs") }).toEqual({
        role,
        capEff: expected[role],
        noNewPrivs: "1",
      });
    }
  });

  it("limits the FTP container's memory to 512 MiB by default and leaves nginx's page cache unlimited", async () => {
    const memory = async (role: "ftp" | "web") => {
      const { Memory, MemorySwap } = (await containerOf(role).inspect()).HostConfig;
      return { Memory, MemorySwap };
    };
    // MemorySwap -1 as declared: what the provider reads back, so no diff on the next up.
    expect({ ftp: await memory("ftp"), web: await memory("web") }).toEqual({
      ftp: { Memory: 512 * 1024 * 1024, MemorySwap: -1 },
      web: { Memory: 0, MemorySwap: 0 },
    });
    const limit = (await exec(containerOf("ftp"), ["cat", "/sys/fs/cgroup/memory.max"])).output.trim();
    const v1 = (await exec(containerOf("ftp"), ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]))
      .output;
    expect([limit, v1.trim()]).toContain(String(512 * 1024 * 1024));
  });

  it("serves an FTP upload over HTTP at once, byte for byte, with ranges", async () => {
    await withFtp(endpoint, "uploader", (c) => upload(c, MP4, "videos/first.mp4"));
    const res = await request(endpoint, "/videos/first.mp4");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("video/mp4");
    expect(sha256(res.body)).toBe(sha256(MP4));

    const part = await request(endpoint, "/videos/first.mp4", { headers: { Range: "bytes=100-1123" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-1123/${MP4.length}`);
    expect(part.body.equals(MP4.subarray(100, 1124))).toBe(true);
  });

  it("runs an nginx with the thread pool, mp4 and secure_link modules the config uses", async () => {
    const version = await exec(containerOf("web"), ["nginx", "-V"]);
    expect(version.code).toBe(0);
    for (const flag of ["--with-threads", "--with-http_mp4_module", "--with-http_secure_link_module"]) {
      expect(version.output).toContain(flag);
    }
  });

  it("cuts ?start= with the mp4 module and serves a file above directio through aio threads, intact", async () => {
    const cut = await request(endpoint, "/videos/first.mp4?start=1");
    expect(cut.status).toBe(200);
    expect(cut.body.length).toBeGreaterThan(0);
    expect(cut.body.length).toBeLessThan(MP4.length);
    // Written on the host side of the bind mount: 6 MiB, above this stack's directio of 4m.
    const big = Buffer.alloc(6 * 1024 * 1024 + 3, "video-server ");
    fs.writeFileSync(path.join(mediaDir, "videos", "big.bin"), big, { mode: 0o644 });
    const res = await request(endpoint, "/videos/big.bin");
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(big));
    const logs = (await containerOf("web").logs({ stdout: true, stderr: true })).toString();
    expect(logs).not.toMatch(/\[(alert|crit|emerg)\]/);
  });

  it("serves the uploaded gallery page at / and its JSON listing of the upload", async () => {
    const page = await request(endpoint, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body.toString()).toContain('<script type="application/json" id="gallery-config">');
    const listing = await request(endpoint, "/-/listing/videos/");
    expect(listing.status).toBe(200);
    expect(JSON.parse(listing.body.toString())).toContainEqual(
      expect.objectContaining({ name: "first.mp4", type: "file" }),
    );
  });

  it("writes uploads as the media user, world-readable, into the host directory", () => {
    const stat = fs.statSync(path.join(mediaDir, "videos", "first.mp4"));
    expect(stat.uid).toBe(2121);
    expect(stat.mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.join(mediaDir, "videos")).uid).toBe(2121);
  });

  it("mounts the media read-only in nginx", async () => {
    const write = await exec(containerOf("web"), ["touch", "/srv/media/videos/from-nginx"]);
    expect(write.code).not.toBe(0);
    expect(write.output).toContain("Read-only file system");
    expect(fs.existsSync(path.join(mediaDir, "videos", "from-nginx"))).toBe(false);
  });

  it("runs FTP sessions without vsftpd crashing (restart count stays 0)", async () => {
    for (let i = 0; i < 8; i++) {
      await withFtp(endpoint, "uploader", async (c) => {
        await upload(c, Buffer.from(`session ${i}\n`), `images/session-${i}.txt`);
        expect((await download(c, `images/session-${i}.txt`)).toString()).toBe(`session ${i}\n`);
      });
    }
    const info = await containerOf("ftp").inspect();
    expect(info.RestartCount).toBe(0);
    expect(info.State.Running).toBe(true);
  });
});
