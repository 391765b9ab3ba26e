/**
 * target.mode swarm on a real two-node swarm (swarm.ts): the realizer makes what the program
 * declares through the Engine API's swarm endpoints, the images pushed to a TLS registry with
 * credentials. The origin runs on the manager (the host engine, labelled the media node), one
 * edge on the worker (a dockerd in a namespace of the test's own, labelled an edge node). An
 * FTP upload to the manager is served by the edge at the worker's address; the edge caches,
 * enforces the locations' rules, comes back after its task dies, and serves its cache when the
 * origin is gone. The cache's finer behaviour (slices, one fetch per slice for 50 viewers,
 * signed links, seeking) is test/services/edge.test.ts, on the same rendered config.
 * Connections go to 127.0.0.1 (FTP, published on the manager) and the worker's veth address.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp, type Endpoint } from "../support/ftp";
import { request, type HttpResponse } from "../support/http";
import { findFreePorts, type FreePorts } from "../support/ports";
import { freePortOutside, sftpCall, withSftp } from "../support/sftp";
import type { ProgramRun, StackConfig } from "../support/program";
import { pollUntil } from "../support/wait";
import { ensureBaseImage } from "./baseImage";
import { ensureDockerEngine, type DockerEngine } from "./engine";
import { Realizer } from "./realizer";
import { startTwoNodeSwarm, type TwoNodeSwarm } from "./swarm";

const PASSWORD = "uploader-password-1";
const VIEWER = "viewer:viewer-http-password";
const FILE = randomBytes(3 * 1024 * 1024 + 12_345);
const CLIP = fixture("sample.mp4");

let engine: DockerEngine;
let swarm: TwoNodeSwarm;
let realizer: Realizer;
let mediaDir: string;
let ports: FreePorts;
let name: string;
let sftpPort: number;
let run: ProgramRun;

const edgeGet = (urlPath: string, options: Parameters<typeof request>[2] = {}): Promise<HttpResponse> =>
  request({ httpPort: ports.http }, urlPath, { host: swarm.worker.address, timeoutMs: 20_000, ...options });
const cacheStatus = (r: HttpResponse) => String(r.headers["x-cache-status"]);

function swarmConfig(): StackConfig {
  return {
    name,
    target: { mode: "swarm" },
    media: { hostPath: mediaDir },
    ftp: {
      port: ports.ftp,
      passiveAddress: "127.0.0.1",
      passivePorts: { min: ports.passiveMin, max: ports.passiveMax },
      users: [{ name: "uploader", password: PASSWORD }],
    },
    http: {
      port: ports.http,
      gallery: { enabled: false },
      users: [{ name: "viewer", password: VIEWER.split(":")[1] }],
      locations: [
        { path: "/videos/", directory: "videos", autoindex: true, mp4: true },
        { path: "/private/", directory: "private", basicAuth: true },
        // The host reaches the edge from its end of the veth pair, never from this range.
        { path: "/lan/", directory: "lan", allow: ["192.0.2.0/24"] },
        // Published by the worker once checked: the worker's service and the SFTP one at work.
        { path: "/checked/", directory: "checked", publish: "verified" },
      ],
    },
    processing: { cpus: 0.5, memoryLimit: 512 },
    sftp: { enabled: true, port: sftpPort },
    images: {
      registry: {
        server: swarm.registry.server,
        username: swarm.registry.username,
        password: swarm.registry.password,
      },
    },
  };
}

beforeAll(async () => {
  engine = await ensureDockerEngine();
  await ensureBaseImage(engine.docker);
  swarm = await startTwoNodeSwarm();
  await swarm.label(swarm.manager, { "video-server.media": "true" });
  await swarm.label(swarm.worker, { "video-server.edge": "true" });
  mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-swarm-"));
  fs.chmodSync(mediaDir, 0o755);
  ports = await findFreePorts(4);
  sftpPort = await freePortOutside({ min: ports.ftp, max: ports.passiveMax });
  name = `video-server-swarm-${process.pid}`;
  realizer = new Realizer(swarm.manager.engine);
  run = await realizer.realize(swarmConfig(), "swarm");
  // The provider cannot wait for a global service: the test waits for the edge itself.
  await swarm.waitForTasks(`${name}-edge`, 1, 120_000);
  const endpoint: Endpoint = { ftpPort: ports.ftp, httpPort: ports.http, passwords: { uploader: PASSWORD } };
  await withFtp(endpoint, "uploader", async (c) => {
    await upload(c, FILE, "videos/film.mp4");
    await upload(c, FILE.subarray(0, 4096), "videos/later.mp4");
    await upload(c, Buffer.from("members only\n"), "private/notes.txt");
    await upload(c, Buffer.from("lan only\n"), "lan/notes.txt");
  });
}, 900_000);

afterAll(async () => {
  const timings = realizer?.timings.map((t) => `  ${t.what}: ${t.seconds.toFixed(1)} s`).join("\n");
  if (timings) process.stdout.write(`docker timings (swarm):\n${timings}\n`);
  await realizer?.teardown();
  await swarm?.teardown();
  if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  await engine?.stop();
}, 180_000);

describe("target.mode swarm on two nodes", () => {
  it("runs the origin's services on the media node and the edge on the edge node, from the registry", async () => {
    const onNode = async (role: string) => swarm.waitForTasks(`${name}-${role}`, 1, 60_000);
    expect(await onNode("ftp")).toEqual([swarm.manager.nodeId]);
    expect(await onNode("web")).toEqual([swarm.manager.nodeId]);
    expect(await onNode("worker")).toEqual([swarm.manager.nodeId]);
    expect(await onNode("sftp")).toEqual([swarm.manager.nodeId]);
    expect(await onNode("edge")).toEqual([swarm.worker.nodeId]);
    // The worker node had none of the images: it pulled the pushed nginx by digest.
    const images = (await swarm.worker.engine.listImages()).flatMap((i) => i.RepoDigests ?? []);
    expect(images.some((d) => d.startsWith(`${swarm.registry.server}/video-server-nginx@sha256:`))).toBe(
      true,
    );
    expect(realizer.pushed.length).toBe(4);
    expect(run.resources.filter((r) => r.type === "docker:index/container:Container")).toEqual([]);
  });

  it("serves an FTP upload at the edge byte for byte, from the origin once and then from its cache", async () => {
    const first = await edgeGet("/videos/film.mp4");
    expect(first.status).toBe(200);
    expect(first.sha256).toBe(sha256(FILE));
    expect(["MISS", "HIT"]).toContain(cacheStatus(first));
    const second = await edgeGet("/videos/film.mp4");
    expect(second.sha256).toBe(sha256(FILE));
    expect(cacheStatus(second)).toBe("HIT");
    const range = await edgeGet("/videos/film.mp4", { headers: { Range: "bytes=2000000-2000099" } });
    expect(range.status).toBe(206);
    expect(range.body.equals(FILE.subarray(2_000_000, 2_000_100))).toBe(true);
  });

  it("publishes an SFTP upload to a verified location through the worker, and the edge serves it and its metadata", async () => {
    await withSftp(sftpPort, "uploader", { password: PASSWORD }, (s) =>
      sftpCall((cb) => s.writeFile("/checked/.incoming/clip.mp4", CLIP, cb)),
    );
    const published = await pollUntil(
      () => edgeGet("/checked/clip.mp4"),
      (r) => r.status === 200,
      90_000,
      1_000,
    );
    expect(published.status).toBe(200);
    expect(published.sha256).toBe(sha256(CLIP));
    const meta = await pollUntil(
      () => edgeGet("/-/meta/checked/clip.mp4.json"),
      (r) => r.status === 200,
      60_000,
      1_000,
    );
    expect(meta.status).toBe(200);
    expect(JSON.parse(meta.body.toString())).toMatchObject({ kind: "video", sha256: sha256(CLIP) });
  });

  it("holds basic auth and allow/deny at the edge, with the viewer's own address", async () => {
    expect((await edgeGet("/private/notes.txt")).status).toBe(401);
    const withPassword = await edgeGet("/private/notes.txt", { auth: VIEWER });
    expect(withPassword.status).toBe(200);
    expect(withPassword.body.toString()).toBe("members only\n");
    expect((await edgeGet("/lan/notes.txt")).status).toBe(403);
  });

  it("comes back after its task dies, its cache kept on the node", async () => {
    const [task] = (await swarm.manager.engine.listTasks({
      filters: { service: [`${name}-edge`], "desired-state": ["running"] },
    })) as { Status: { ContainerStatus?: { ContainerID?: string } } }[];
    const containerId = task.Status.ContainerStatus?.ContainerID;
    expect(containerId).toBeDefined();
    await swarm.worker.engine.getContainer(String(containerId)).kill();
    const again = await pollUntil(
      () => edgeGet("/videos/film.mp4", { timeoutMs: 3_000 }).catch(() => undefined),
      (r) => r?.status === 200,
      120_000,
      1_000,
    );
    expect(again?.status).toBe(200);
    expect(again?.sha256).toBe(sha256(FILE));
    expect(again && cacheStatus(again)).toBe("HIT");
    const [restarted] = (await swarm.manager.engine.listTasks({
      filters: { service: [`${name}-edge`], "desired-state": ["running"] },
    })) as { Status: { ContainerStatus?: { ContainerID?: string } } }[];
    expect(restarted.Status.ContainerStatus?.ContainerID).not.toBe(containerId);
  });

  it("serves its cache when the origin is gone, and a prompt 502 or 504 for the rest", async () => {
    const origin = swarm.manager.engine.getService(`${name}-web`);
    const seen = (await origin.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
    await origin.update({ ...seen.Spec, version: seen.Version.Index, Mode: { Replicated: { Replicas: 0 } } });
    const running = await pollUntil(
      () => swarm.manager.engine.listContainers({ filters: { name: [`${name}-web.`] } }),
      (list) => list.length === 0,
      60_000,
      500,
    );
    expect(running).toEqual([]);
    const cached = await edgeGet("/videos/film.mp4");
    expect(cached.status).toBe(200);
    expect(cached.sha256).toBe(sha256(FILE));
    expect(["HIT", "STALE"]).toContain(cacheStatus(cached));
    const uncached = await edgeGet("/videos/later.mp4");
    expect([502, 504]).toContain(uncached.status);
    expect(uncached.totalMs).toBeLessThan(15_000);
  });
});
