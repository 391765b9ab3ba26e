/**
 * The declared containers with `ftp.tls` and `http.tls` required, made on a real Docker engine
 * by the realizer: the FTP container takes a TLS login and an encrypted upload through the port
 * published on 127.0.0.1, refuses a plaintext login, and keeps running; the web container serves
 * it over HTTPS with HTTP/2 (the image's nginx 1.26 and its `http2` directive, which the
 * services tier's older host nginx cannot run) and redirects plain HTTP. The FTP key's mode is
 * checked with the other secrets in faults.hostile.test.ts; the web key's here.
 */
import { TLSSocket } from "node:tls";
import { fixture, sha256 } from "../support/data";
import { ftpConnect, recordDataConnections, refusalCode, upload, type Endpoint } from "../support/ftp";
import { request } from "../support/http";
import { curl } from "../support/curl";
import { HOST } from "../support/ports";
import { testCertificate } from "../support/tls";
import { WEB_CONTAINER_LAYOUT } from "../../spec";
import { exec } from "./containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const MP4 = fixture("sample.mp4");

let stack: DockerStack;
let endpoint: Endpoint;

beforeAll(async () => {
  stack = await startDockerStack("dockerftps", 4);
  const { ports } = stack;
  const { certificate, key } = testCertificate();
  endpoint = {
    ftpPort: ports.ftp,
    httpPort: ports.http,
    passwords: { uploader: PASSWORD },
    ftpsCertificate: certificate,
  };
  await stack.realize(
    loopbackConfig(stack, {
      ftp: {
        users: [{ name: "uploader", password: PASSWORD }],
        tls: "required",
        tlsCertificate: certificate,
        tlsKey: key,
      },
      http: {
        gallery: { enabled: false },
        locations: [{ path: "/videos/", directory: "videos" }],
        tls: "required",
        httpsPort: ports.https,
        tlsCertificate: certificate,
        tlsKey: key,
      },
    }),
  );
}, 900_000);

afterAll(async () => {
  await stack?.stop();
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
    const res = await curl(`https://${HOST}:${stack.ports.https}/videos/tls.mp4`, {
      trust: testCertificate().certificate,
    });
    expect([res.status, res.httpVersion]).toEqual([200, "2"]);
    expect(sha256(res.body)).toBe(sha256(MP4));
  });

  it("answers plain HTTP on the published port with a redirect to the published HTTPS port", async () => {
    const res = await request(endpoint, "/videos/tls.mp4");
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://${HOST}:${stack.ports.https}/videos/tls.mp4`);
  });

  it("keeps the HTTPS key root's only and the certificate world-readable in the web container", async () => {
    const { tlsCertificateFile, tlsKeyFile } = WEB_CONTAINER_LAYOUT;
    const stat = await exec(stack.engine.docker, stack.container("web"), [
      "stat",
      "-c",
      "%a %U %n",
      tlsCertificateFile,
      tlsKeyFile,
    ]);
    expect(stat.output.trim().split("\n")).toEqual([
      `644 root ${tlsCertificateFile}`,
      `600 root ${tlsKeyFile}`,
    ]);
  });

  it("refuses a plaintext login with 530", async () => {
    expect(await refusalCode(ftpConnect(endpoint, "uploader", undefined, { secure: false }))).toBe(530);
  });

  it("runs TLS sessions without vsftpd crashing (restart count stays 0)", async () => {
    const ftp = stack.container("ftp");
    for (let i = 0; i < 4; i++) {
      const client = await ftpConnect(endpoint, "uploader");
      try {
        await client.list("videos");
      } finally {
        client.close();
      }
    }
    const info = await ftp.inspect();
    expect(info.RestartCount).toBe(0);
    expect(info.State.Running).toBe(true);
  });
});
