/**
 * The SFTP server as a container of its own: the realizer makes it from the program's
 * declarations (the host key through the tls provider's mapping); an upload over SFTP with a
 * password is served by nginx at once, one into a verified location is published by the worker
 * (which reads the SFTP log on the shared log volume), and the host key offered is the stack's
 * output. Every connection goes to ports published on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SFTPWrapper } from "ssh2";
import { publicKeyBlob } from "../support/providerRules";
import { fixture, sha256 } from "../support/data";
import { request } from "../support/http";
import type { ProgramRun } from "../support/program";
import {
  freePortOutside,
  openSshKeyPair,
  sftpCall,
  sshConnectTo,
  withSftp,
  type OpenSshKeyPair,
} from "../support/sftp";
import { exec } from "./containers";
import { pollUntil } from "../support/wait";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
// ssh-keygen's OpenSSH format: the image's OpenSSH reads it (and PKCS#8 too), ssh2 reads it.
let KEYS: OpenSshKeyPair;
let keyDir: string;
const CLIP = fixture("sample.mp4");

let stack: DockerStack;
let run: ProgramRun;
let sftpPort: number;

const put = (s: SFTPWrapper, file: string, data: Buffer) => sftpCall((cb) => s.writeFile(file, data, cb));
const mkdir = (s: SFTPWrapper, dir: string) => sftpCall((cb) => s.mkdir(dir, cb));

beforeAll(async () => {
  stack = await startDockerStack("sftp", 10);
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-sftp-keys-"));
  KEYS = openSshKeyPair(keyDir, "uploader");
  sftpPort = await freePortOutside({ min: stack.ports.passiveMin, max: stack.ports.passiveMax });
  run = await stack.realize(
    loopbackConfig(stack, {
      ftp: { users: [{ name: "uploader", password: PASSWORD, sshKeys: [KEYS.publicKey] }] },
      http: {
        locations: [
          { path: "/videos/", directory: "videos", autoindex: true },
          { path: "/inbox/", directory: "inbox", publish: "verified" },
        ],
      },
      sftp: { enabled: true, port: sftpPort },
    }),
  );
}, 900_000);

afterAll(async () => {
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
  await stack?.stop();
}, 120_000);

describe("the SFTP container", () => {
  it("offers the host key the stack exports", async () => {
    const offered: Buffer[] = [];
    const client = await sshConnectTo(sftpPort, "uploader", { password: PASSWORD }, offered);
    client.end();
    expect(offered).toHaveLength(1);
    expect(offered[0].equals(publicKeyBlob(String(run.outputs.sftpHostKey)))).toBe(true);
    expect(run.outputs.sftpEndpoint).toEqual({
      host: "127.0.0.1",
      port: sftpPort,
      url: `sftp://127.0.0.1:${sftpPort}/`,
    });
  });

  it("takes an upload by password that nginx serves at once, written as the media owner", async () => {
    await withSftp(sftpPort, "uploader", { password: PASSWORD }, (s) => put(s, "/videos/by-sftp.mp4", CLIP));
    const res = await request({ httpPort: stack.ports.http }, "/videos/by-sftp.mp4");
    expect({ status: res.status, sha256: res.sha256 }).toEqual({ status: 200, sha256: sha256(CLIP) });
  });

  it("goes through the pipeline: an upload into a verified location is published by the worker", async () => {
    await withSftp(sftpPort, "uploader", { password: PASSWORD }, async (s) => {
      await mkdir(s, "/inbox/.incoming/2026").catch(() => undefined);
      await put(s, "/inbox/.incoming/2026/sftp clip.mp4", CLIP);
    });
    const published = await pollUntil(
      () => request({ httpPort: stack.ports.http }, "/inbox/2026/sftp%20clip.mp4"),
      (r) => r.status === 200,
      60_000,
    );
    expect({ status: published.status, sha256: published.sha256 }).toEqual({
      status: 200,
      sha256: sha256(CLIP),
    });
    // Published first, described a moment later.
    const meta = await pollUntil(
      () => request({ httpPort: stack.ports.http }, "/-/meta/inbox/2026/sftp%20clip.mp4.json"),
      (r) => r.status === 200,
      60_000,
    );
    expect(JSON.parse(meta.body.toString())).toMatchObject({ uploader: "uploader", width: 160, height: 120 });
  });

  it("runs the ban watcher on sshd's failed logins, with the FTP ban settings", async () => {
    const logs = (await stack.container("sftp").logs({ stdout: true, stderr: true })).toString();
    expect(logs).toContain("video-server-bans: 10 failed logins within 600 s ban an address for 900 s");
  });

  it("takes a key login", async () => {
    const names = await withSftp(sftpPort, "uploader", { privateKey: KEYS.privateKey }, (s) =>
      sftpCall<{ filename: string }[]>((cb) => s.readdir("/videos", cb)),
    );
    expect(names.map((n) => n.filename)).toContain("by-sftp.mp4");
  });

  it("refuses a wrong password, logging the failure in the form the ban watcher counts", async () => {
    await expect(sshConnectTo(sftpPort, "uploader", { password: "not-the-password" })).rejects.toThrow(
      /authentication/i,
    );
    const auth = await pollUntil(
      async () =>
        (await exec(stack.engine.docker, stack.container("sftp"), ["cat", "/var/log/sshd-auth.log"])).output,
      (text) => /^Failed password for uploader from [0-9.]+ port [0-9]+ ssh2$/m.test(text),
      10_000,
    );
    expect(auth).toMatch(/^Failed password for uploader from [0-9.]+ port [0-9]+ ssh2$/m);
  });
});
