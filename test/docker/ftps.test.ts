/**
 * The declared FTP container with `ftp.tls: required`, made on a real Docker engine by the
 * realizer: it takes a TLS login and an encrypted upload through the port published on
 * 127.0.0.1, refuses a plaintext login, and holds the key root-only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { TLSSocket } from "node:tls";
import type Dockerode from "dockerode";
import { fixture, ftpConnect, httpGet, recordDataConnections, refusalCode, sha256, upload, type Endpoint } from "../support/clients";
import { findFreePorts } from "../support/ports";
import { testCertificate } from "../support/tls";
import { ensureBaseImage } from "./baseImage";
import { ensureDockerEngine, type DockerEngine } from "./engine";
import { Realizer } from "./realizer";

const STACK = "dockerftps";
const PASSWORD = "uploader-password-1";
const MP4 = fixture("sample.mp4");

let engine: DockerEngine;
let realizer: Realizer;
let mediaDir: string;
let endpoint: Endpoint;

const ftpContainer = (): Dockerode.Container => engine.docker.getContainer(`video-server-${STACK}-${process.pid}-ftp`);

async function exec(container: Dockerode.Container, cmd: string[]): Promise<string> {
  const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  engine.docker.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve) => stream.on("end", resolve));
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  engine = await ensureDockerEngine();
  await ensureBaseImage(engine.docker);
  realizer = new Realizer(engine.docker);
  mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-docker-ftps-"));
  fs.chmodSync(mediaDir, 0o755);
  const ports = await findFreePorts(3);
  const { certificate, key } = testCertificate();
  endpoint = { ftpPort: ports.ftp, httpPort: ports.http, passwords: { uploader: PASSWORD }, ftpsCertificate: certificate };
  await realizer.realize(
    {
      name: `video-server-${STACK}-${process.pid}`,
      media: { hostPath: mediaDir },
      ftp: {
        port: ports.ftp,
        bindAddress: "127.0.0.1",
        passiveAddress: "127.0.0.1",
        passivePorts: { min: ports.passiveMin, max: ports.passiveMax },
        users: [{ name: "uploader", password: PASSWORD }],
        tls: "required",
        tlsCertificate: certificate,
        tlsKey: key,
      },
      http: {
        port: ports.http,
        bindAddress: "127.0.0.1",
        gallery: { enabled: false },
        locations: [{ path: "/videos/", directory: "videos" }],
      },
    },
    STACK,
  );
}, 900_000);

afterAll(async () => {
  await realizer?.teardown();
  if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  await engine?.stop();
}, 120_000);

describe("the declared FTP container with ftp.tls required", () => {
  it("takes a TLS login and an encrypted MP4 upload through the published port, served by nginx", async () => {
    const client = await ftpConnect(endpoint, "uploader");
    try {
      expect(client.ftp.socket).toBeInstanceOf(TLSSocket);
      const data = recordDataConnections(client, "EPSV");
      await upload(client, MP4, "videos/tls.mp4");
      expect(data.map((d) => d.encrypted)).toEqual([true]);
    } finally {
      client.close();
    }
    const res = await httpGet(endpoint, "/videos/tls.mp4");
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(MP4));
  });

  it("refuses a plaintext login with 530", async () => {
    expect(await refusalCode(ftpConnect(endpoint, "uploader", undefined, { secure: false }))).toBe(530);
  });

  it("holds the key root-only and runs TLS sessions without vsftpd crashing", async () => {
    const stat = await exec(ftpContainer(), ["stat", "-c", "%a %U %n", "/etc/vsftpd/tls-certificate.pem", "/etc/vsftpd/tls-key.pem"]);
    expect(stat.trim().split("\n")).toEqual(["644 root /etc/vsftpd/tls-certificate.pem", "600 root /etc/vsftpd/tls-key.pem"]);
    for (let i = 0; i < 4; i++) {
      const client = await ftpConnect(endpoint, "uploader");
      try {
        await client.list("videos");
      } finally {
        client.close();
      }
    }
    const info = await ftpContainer().inspect();
    expect(info.RestartCount).toBe(0);
    expect(info.State.Running).toBe(true);
  });
});
