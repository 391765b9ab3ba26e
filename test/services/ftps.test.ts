/**
 * FTPS on the real vsftpd: explicit TLS with a certificate made by openssl for this run, trusted
 * by the client through `ca` (full verification, no rejectUnauthorized: false).
 */
import { FTPError, type Client } from "basic-ftp";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { TLSSocket } from "node:tls";
import { fixture, sha256 } from "../support/data";
import { download, ftpConnect, recordDataConnections, refusalCode, upload } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { request } from "../support/http";
import type { StackConfig } from "../support/project";
import { startStack, type RunningStack } from "../support/servers";
import { testCertificate } from "../support/tls";

const tlsStack = (tls: "enabled" | "required"): StackConfig => ({
  ftp: {
    bindAddress: "127.0.0.1",
    users: [{ name: "uploader", password: "uploader-password" }],
    tls,
    tlsCertificate: testCertificate().certificate,
    tlsKey: testCertificate().key,
  },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [{ path: "/videos/", directory: "videos" }],
  },
});

const controlProtocol = (client: Client): string | null => {
  const socket = client.ftp.socket;
  return socket instanceof TLSSocket ? socket.getProtocol() : null;
};

/** Uploads over EPSV and returns what each data connection was. */
async function uploadRecorded(client: Client, data: Buffer, remotePath: string) {
  const seen = recordDataConnections(client, "EPSV");
  await upload(client, data, remotePath);
  expect(sha256(await download(client, remotePath))).toBe(sha256(data));
  return seen;
}

/** "OK" or "FAIL": how vsftpd logged the upload of remotePath (waits up to 5 s for the line). */
async function uploadVerdict(stack: RunningStack, remotePath: string): Promise<string | undefined> {
  const line = new RegExp(`\\] (OK|FAIL) UPLOAD: Client "[^"]+", "${remotePath.replace(/[.]/g, "\\.")}"`);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const match = line.exec(fs.readFileSync(stack.ftpLayout.logFile, "utf8"));
    if (match || Date.now() > deadline) return match?.[1];
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("FTPS required (ftp.tls: required)", () => {
  const video = fixture("sample.mp4");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-ftps-required", tlsStack("required"));
  });
  afterAll(() => stack?.stop());

  it("takes a TLS login and an MP4 over encrypted data connections, and nginx serves the same bytes", async () => {
    const client = await ftpConnect(stack, "uploader");
    try {
      expect(controlProtocol(client)).toMatch(/^TLSv1\.[23]$/);
      const data = await uploadRecorded(client, video, "/videos/over-tls.mp4");
      expect(data.map((d) => d.encrypted)).toEqual([true, true]);
    } finally {
      client.close();
    }
    const res = await request(stack, "/videos/over-tls.mp4");
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(video));
  });

  it("refuses a plaintext login with 530 before the password and closes the connection", async () => {
    const control = await ControlConnection.open(stack.ftpPort);
    try {
      expect(await control.send("USER uploader")).toEqual({
        code: 530,
        text: "530 Non-anonymous sessions must use encryption.",
      });
      await control.closedByServer(5_000);
    } finally {
      control.close();
    }
    expect(await refusalCode(ftpConnect(stack, "uploader", undefined, { secure: false }))).toBe(530);
  });

  it("refuses a clear data connection (PROT C) after a TLS login with 522", async () => {
    const client = await ftpConnect(stack, "uploader");
    try {
      await client.send("PROT C");
      expect(await refusalCode(client.list("/videos"))).toBe(522);
    } finally {
      client.close();
    }
  });

  it("fails an upload whose data connection ends without a TLS close_notify, never 226", async () => {
    const part = video.subarray(0, 64 * 1024);
    const file = path.join(stack.dirs.media, "videos", "cut.mp4");
    const client = await ftpConnect(stack, "uploader");
    try {
      // A source that never ends: the upload stops only when its data socket goes away.
      const source = new Readable({ read: () => undefined });
      source.push(part);
      const outcome = client.uploadFrom(source, "/videos/cut.mp4").then(
        () => "226",
        (e: unknown) => (e instanceof FTPError ? String(e.code) : String(e)),
      );
      const deadline = Date.now() + 5_000;
      while (!(fs.existsSync(file) && fs.statSync(file).size >= part.length) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(fs.statSync(file).size).toBe(part.length);
      // destroy() closes TCP without close_notify: what a forged FIN from the path looks like.
      client.ftp.dataSocket?.destroy();
      // The client sees the 426, or (racing it) its own closed socket; never a 226.
      expect(["426", "Error [ERR_STREAM_PREMATURE_CLOSE]: Premature close"]).toContain(await outcome);
    } finally {
      client.close();
    }
    // The server's own verdict, in its transfer log.
    expect(await uploadVerdict(stack, "/videos/cut.mp4")).toBe("FAIL");
  });

  it("refuses TLS 1.1 and takes TLS 1.2 and 1.3", async () => {
    // The client would offer TLS 1.1 (security level 0); the server must still say no.
    const legacy = { minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" } as const;
    await expect(
      ftpConnect(stack, "uploader", undefined, { tls: { ...legacy, maxVersion: "TLSv1.1" } }),
    ).rejects.toThrow(/alert|handshake|protocol/i);
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      const client = await ftpConnect(stack, "uploader", undefined, {
        tls: { minVersion: version, maxVersion: version },
      });
      try {
        expect(controlProtocol(client)).toBe(version);
        expect(await client.pwd()).toBe("/");
      } finally {
        client.close();
      }
    }
  });
});

describe("FTPS enabled (ftp.tls: enabled)", () => {
  const video = fixture("sample.mp4");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-ftps-enabled", tlsStack("enabled"));
  });
  afterAll(() => stack?.stop());

  it("takes a plaintext login and plaintext transfers", async () => {
    const client = await ftpConnect(stack, "uploader", undefined, { secure: false });
    try {
      expect(controlProtocol(client)).toBeNull();
      const data = await uploadRecorded(client, video, "/videos/plain.mp4");
      expect(data.map((d) => d.encrypted)).toEqual([false, false]);
    } finally {
      client.close();
    }
    expect(sha256((await request(stack, "/videos/plain.mp4")).body)).toBe(sha256(video));
  });

  it("takes a TLS login with encrypted transfers", async () => {
    const client = await ftpConnect(stack, "uploader");
    try {
      expect(controlProtocol(client)).toMatch(/^TLSv1\.[23]$/);
      const data = await uploadRecorded(client, video, "/videos/tls.mp4");
      expect(data.map((d) => d.encrypted)).toEqual([true, true]);
    } finally {
      client.close();
    }
    expect(sha256((await request(stack, "/videos/tls.mp4")).body)).toBe(sha256(video));
  });
});
