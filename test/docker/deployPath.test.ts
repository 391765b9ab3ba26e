/**
 * The deploy path as `pulumi up` takes it, on a real engine: a stack whose docker host is
 * ssh:// (a real sshd on 127.0.0.1; the engine reached through `docker system dial-stdio`, the
 * media folder made by a remote command that checks the host key), and replacements that let
 * transfers in progress finish. curl is the client: nothing of ours on the client side.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StackConfig } from "../support/program";
import { ed25519KeyPair } from "../support/sshKeys";
import { startSshServer, type SshServer } from "./sshServer";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

interface Curl {
  readonly code: number;
  readonly stderr: string;
}

/** curl with a bound on its time; resolves with its exit code (0: the whole transfer). */
function curl(args: string[], timeoutMs = 60_000): Promise<Curl> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", String(timeoutMs / 1000), ...args], (error, _out, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

const configFor = (stack: DockerStack, target: Record<string, unknown> = {}): StackConfig =>
  loopbackConfig(stack, {
    target,
    ftp: { users: [{ name: "uploader", password: PASSWORD }] },
    http: { locations: [{ path: "/videos/", directory: "videos", autoindex: true }] },
  });

const ftpUrl = (stack: DockerStack, file: string) => `ftp://127.0.0.1:${stack.ports.ftp}/videos/${file}`;
const httpUrl = (stack: DockerStack, file: string) => `http://127.0.0.1:${stack.ports.http}/videos/${file}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a stack whose docker host is ssh:// to a real sshd", () => {
  let sshd: SshServer;
  let stack: DockerStack;
  let scratch: string;

  beforeAll(async () => {
    sshd = await startSshServer();
    stack = await startDockerStack("ssh", 4);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-ssh-files-"));
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  const sshTarget = (hostKey: string) => ({
    dockerHost: `ssh://root@127.0.0.1:${sshd.port}`,
    sshOpts: sshd.sshOpts,
    sshHostKey: hostKey,
  });

  it("deploys through ssh and serves an FTP upload over HTTP", async () => {
    const before = sshd.acceptedLogins();
    const config = { ...configFor(stack, sshTarget(sshd.hostKey)), sshPrivateKey: sshd.clientKey };
    await stack.realize(config);
    // The Engine API went through `ssh … docker system dial-stdio` (kept-alive connections),
    // and the remote command logged in on its own.
    expect(stack.realizer.sshDials()).toBeGreaterThan(0);
    expect(sshd.acceptedLogins() - before).toBeGreaterThanOrEqual(stack.realizer.sshDials() + 1);

    const clip = randomBytes(256 * 1024);
    const file = path.join(scratch, "clip.mp4");
    fs.writeFileSync(file, clip);
    expect((await curl(["-T", file, "--user", `uploader:${PASSWORD}`, ftpUrl(stack, "clip.mp4")])).code).toBe(
      0,
    );
    const got = path.join(scratch, "got.mp4");
    expect((await curl(["-f", "-o", got, httpUrl(stack, "clip.mp4")])).code).toBe(0);
    expect(sha256(fs.readFileSync(got))).toBe(sha256(clip));
  }, 600_000);

  it("refuses to run the remote command when the server's host key is not target.sshHostKey", async () => {
    const connection = {
      host: "127.0.0.1",
      port: sshd.port,
      user: "root",
      privateKey: sshd.clientKey,
      hostKey: ed25519KeyPair().publicKey,
    };
    const inputs = { connection, create: "touch /tmp/video-server-must-not-exist" };
    await expect(
      stack.realizer.create({
        type: "command:remote:Command",
        name: "store-dir",
        inputs,
        publicInputs: inputs,
        secretPaths: [],
        options: {
          parent: "",
          retainOnDelete: true,
          deleteBeforeReplace: false,
          protect: false,
          dependsOn: [],
          replaceOnChanges: [],
          ignoreChanges: [],
        },
      }),
    ).rejects.toThrow(
      `127.0.0.1:${sshd.port} offered a host key other than connection.hostKey (target.sshHostKey)`,
    );
    expect(fs.existsSync("/tmp/video-server-must-not-exist")).toBe(false);
  }, 60_000);
});

describe("replacing a container while clients transfer", () => {
  let stack: DockerStack;
  let scratch: string;
  const big = randomBytes(24 * 1024 * 1024);

  beforeAll(async () => {
    stack = await startDockerStack("grace", 4);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-grace-"));
    fs.writeFileSync(path.join(scratch, "big.mp4"), big);
    await stack.realize(configFor(stack));
    const put = await curl([
      "-T",
      path.join(scratch, "big.mp4"),
      "--user",
      `uploader:${PASSWORD}`,
      ftpUrl(stack, "big.mp4"),
    ]);
    expect(put.code).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it("cuts a download in progress cleanly on a replacement, and a Range request on the new container completes it", async () => {
    const out = path.join(scratch, "resumed.mp4");
    const transfer = curl(["-f", "--limit-rate", "6M", "-o", out, httpUrl(stack, "big.mp4")]);
    await sleep(1_000);
    // As `pulumi up` replaces both: each old container stops with its grace, then the new ones start.
    await stack.realizer.removeContainers();
    const cut = await transfer;
    await stack.realize(configFor(stack));
    // nginx finished writing on SIGQUIT, but what was still in flight when the container went
    // (socket buffers, docker-proxy) is lost: curl says so (18), and resumes where it stopped.
    // When the buffers held the rest, the download was whole already (exit 0).
    expect([0, 18]).toContain(cut.code);
    if (cut.code === 18) {
      const resumed = await curl(["-f", "-C", "-", "-o", out, httpUrl(stack, "big.mp4")]);
      expect(resumed.code).toBe(0);
    }
    expect(sha256(fs.readFileSync(out))).toBe(sha256(big));
  }, 600_000);

  it("lets an FTP upload in progress finish when the FTP container is removed with its grace", async () => {
    const id = (await stack.container("ftp").inspect()).Id;
    const transfer = curl([
      "--limit-rate",
      "6M",
      "-T",
      path.join(scratch, "big.mp4"),
      "--user",
      `uploader:${PASSWORD}`,
      ftpUrl(stack, "during.mp4"),
    ]);
    await sleep(1_000);
    await stack.realizer.removeContainer(id);
    expect((await transfer).code).toBe(0);
    expect(sha256(fs.readFileSync(path.join(stack.mediaDir, "videos", "during.mp4")))).toBe(sha256(big));
  }, 300_000);
});
