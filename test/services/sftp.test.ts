/**
 * SFTP on the real sshd beside vsftpd and nginx: the FTP users log in with their passwords or
 * keys, stay in their FTP roots under the same rules, and get nothing but SFTP.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import type { SFTPWrapper } from "ssh2";
import { fixture, sha256 } from "../support/data";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import {
  knownHostsLine,
  openSshKeyPair,
  run,
  sftpBatch,
  sftpCall,
  sftpLogLines,
  sftpStatus,
  sshArgs,
  sshConnect,
  withSftp,
  type OpenSshKeyPair,
} from "../support/sftp";
import { pollUntil } from "../support/wait";

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

const names = async (s: SFTPWrapper, dir: string): Promise<string[]> =>
  (await sftpCall<{ filename: string }[]>((cb) => s.readdir(dir, cb))).map((f) => f.filename).sort();
const readFile = (s: SFTPWrapper, file: string) => sftpCall<Buffer>((cb) => s.readFile(file, cb));
const writeFile = (s: SFTPWrapper, file: string, data: Buffer) =>
  sftpCall((cb) => s.writeFile(file, data, cb));

/** A whole-media writer, a reader and two teams: the users of TEAMS, with names of their own. */
function sftpStack(keys: { writer: OpenSshKeyPair; teamA: OpenSshKeyPair }) {
  return {
    ftp: {
      bindAddress: "127.0.0.1",
      users: [
        { name: "sftp-writer", password: "sftp-writer-password", sshKeys: [keys.writer.publicKey] },
        { name: "sftp-reader", password: "sftp-reader-password", write: false },
        {
          name: "sftp-team-a",
          password: "sftp-team-a-password",
          root: "team-a",
          sshKeys: [keys.teamA.publicKey],
        },
        { name: "sftp-team-b", password: "sftp-team-b-password", root: "team-b" },
      ],
      // Each wrong-password test waits about this long (the default is 3 s).
      delayFailedLogin: 1,
    },
    http: {
      bindAddress: "127.0.0.1",
      gallery: { enabled: false },
      locations: [
        { path: "/videos/", directory: "videos" },
        { path: "/a/videos/", directory: "team-a/videos" },
        { path: "/b/videos/", directory: "team-b/videos" },
      ],
    },
    sftp: { enabled: true },
  };
}

describe("SFTP on the real sshd", () => {
  const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-sftp-keys-"));
  const writer = openSshKeyPair(keysDir, "writer");
  const teamA = openSshKeyPair(keysDir, "team-a");
  const stranger = openSshKeyPair(keysDir, "stranger");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-sftp", sftpStack({ writer, teamA }), { sftp: true });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(keysDir, { recursive: true, force: true });
  });
  const password = (user: string) => ({ password: stack.passwords[user] });

  it("logs a user in with its FTP password (ssh2)", async () => {
    expect(await withSftp(stack, "sftp-team-b", password("sftp-team-b"), (s) => names(s, "/"))).toEqual([
      "dev",
      "videos",
    ]);
  });

  it("logs a user in with its key, with OpenSSH's sftp and with ssh2", async () => {
    const result = await sftpBatch(stack, "sftp-team-a", teamA.privateKeyFile, ["pwd", "ls -1 /"]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toContain("Remote working directory: /\n");
    const key = { privateKey: teamA.privateKey };
    expect(await withSftp(stack, "sftp-team-a", key, (s) => names(s, "/"))).toEqual(["dev", "videos"]);
  });

  it("refuses a wrong password, and a key the user does not have", async () => {
    await expect(sshConnect(stack, "sftp-team-b", { password: "not-the-password" })).rejects.toMatchObject({
      level: "client-authentication",
    });
    await expect(sshConnect(stack, "sftp-team-b", { privateKey: teamA.privateKey })).rejects.toMatchObject({
      level: "client-authentication",
    });
    const result = await sftpBatch(stack, "sftp-writer", stranger.privateKeyFile, ["pwd"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Permission denied (publickey,password)");
  });

  it("refuses every login from an address its ban list names, and takes them again once it is lifted", async () => {
    // As the ban watcher does (sftpBans.test.ts): rewrite the included list, then SIGHUP sshd.
    const sftp = stack.sftp;
    const sshd = sftp?.servers.find((s) => s.name === "sshd");
    if (sftp === undefined || sshd === undefined) throw new Error("no sshd");
    const bans = sftp.layout.bansFile;
    const reload = async (content: string) => {
      fs.writeFileSync(bans, content);
      process.kill(sshd.pid, "SIGHUP");
      // sshd execs itself on SIGHUP; it listens again a moment later.
      await new Promise((r) => setTimeout(r, 1_000));
    };
    try {
      await reload("DenyUsers *@127.0.0.1\n");
      await expect(sshConnect(stack, "sftp-team-b", password("sftp-team-b"))).rejects.toMatchObject({
        level: "client-authentication",
      });
    } finally {
      await reload("# No address is banned.\n");
    }
    expect(await withSftp(stack, "sftp-team-b", password("sftp-team-b"), (s) => names(s, "/"))).toContain(
      "videos",
    );
  });

  it("offers exactly the configured host key, and OpenSSH refuses any other", async () => {
    const offered: Buffer[] = [];
    (await sshConnect(stack, "sftp-team-b", password("sftp-team-b"), offered)).end();
    const [type, blob] = stack.sftp?.hostPublicKey.split(" ") ?? [];
    expect([type, offered.map((k) => k.toString("base64"))]).toEqual(["ssh-ed25519", [blob]]);

    const otherHost = path.join(keysDir, "other_known_hosts");
    fs.writeFileSync(otherHost, knownHostsLine(stack.sftp?.port ?? 0, stranger.publicKey));
    const result = await sftpBatch(stack, "sftp-team-a", teamA.privateKeyFile, ["pwd"], otherHost);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Host key verification failed.");
  });

  it("keeps a user inside its FTP root: '..' is the root, and host paths do not exist", async () => {
    await withSftp(stack, "sftp-team-a", password("sftp-team-a"), async (s) => {
      expect(await sftpCall<string>((cb) => s.realpath("..", cb))).toBe("/");
      expect(await sftpCall<string>((cb) => s.realpath("/videos/../..", cb))).toBe("/");
      expect(await names(s, "/..")).toEqual(["dev", "videos"]);
      for (const p of [stack.dirs.media, stack.sftp?.layout.passwordFile ?? "", "/etc/passwd", "/team-a"]) {
        expect([p, await sftpStatus(sftpCall((cb) => s.stat(p, cb)))]).toEqual([p, NO_SUCH_FILE]);
      }
    });
  });

  it("does not let a user read or reach another user's files", async () => {
    await withSftp(stack, "sftp-team-b", password("sftp-team-b"), (s) =>
      writeFile(s, "/videos/secret.txt", Buffer.from("team b only\n")),
    );
    await withSftp(stack, "sftp-team-a", password("sftp-team-a"), async (s) => {
      for (const p of [
        "/team-b/videos/secret.txt",
        "../team-b/videos/secret.txt",
        "/../team-b/videos/secret.txt",
      ]) {
        expect([p, await sftpStatus(readFile(s, p))]).toEqual([p, NO_SUCH_FILE]);
      }
      expect(await names(s, "/videos")).not.toContain("secret.txt");
    });
    expect(fs.readFileSync(path.join(stack.dirs.media, "team-b/videos/secret.txt"), "utf8")).toBe(
      "team b only\n",
    );
  });

  it("refuses every change from a read-only user with permission denied", async () => {
    await withSftp(stack, "sftp-writer", password("sftp-writer"), (s) =>
      writeFile(s, "/videos/keep.txt", Buffer.from("kept\n")),
    );
    await withSftp(stack, "sftp-reader", password("sftp-reader"), async (s) => {
      expect(await sftpStatus(writeFile(s, "/videos/reader.txt", Buffer.from("no\n")))).toBe(
        PERMISSION_DENIED,
      );
      expect(await sftpStatus(sftpCall((cb) => s.mkdir("/videos/reader", cb)))).toBe(PERMISSION_DENIED);
      expect(await sftpStatus(sftpCall((cb) => s.rename("/videos/keep.txt", "/videos/moved.txt", cb)))).toBe(
        PERMISSION_DENIED,
      );
      expect(await sftpStatus(sftpCall((cb) => s.unlink("/videos/keep.txt", cb)))).toBe(PERMISSION_DENIED);
      expect((await readFile(s, "/videos/keep.txt")).toString()).toBe("kept\n");
    });
    expect(fs.readdirSync(path.join(stack.dirs.media, "videos"))).toContain("keep.txt");
    expect(fs.readdirSync(path.join(stack.dirs.media, "videos"))).not.toContain("reader.txt");
  });

  it("serves an upload over HTTP the moment it is written, owned by the media owner and world-readable", async () => {
    const video = fixture("sample.mp4");
    const local = path.join(keysDir, "clip.mp4");
    fs.writeFileSync(local, video);
    const result = await sftpBatch(stack, "sftp-writer", writer.privateKeyFile, [
      `put ${local} /videos/clip.mp4`,
    ]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const response = await request(stack, "/videos/clip.mp4");
    expect([response.status, response.sha256]).toEqual([200, sha256(video)]);
    const stat = fs.statSync(path.join(stack.dirs.media, "videos/clip.mp4"));
    expect([stat.uid, stat.gid, (stat.mode & 0o777).toString(8)]).toEqual([2121, 2121, "644"]);
  });

  it("runs no command or shell: sshd answers that it allows SFTP only", async () => {
    const result = await run(
      "ssh",
      sshArgs(stack, "sftp-team-a", teamA.privateKeyFile, ["-T"]).concat("true"),
    );
    expect([result.code, result.stdout]).toEqual([1, "This service allows sftp connections only.\n"]);
    const tty = await run("ssh", sshArgs(stack, "sftp-team-a", teamA.privateKeyFile, ["-tt"]).concat("true"));
    expect(tty.stderr).toContain("PTY allocation request failed");
  });

  it("forwards no port: a local forward's channel is refused, a remote one cannot bind", async () => {
    const client = await sshConnect(stack, "sftp-team-a", { privateKey: teamA.privateKey });
    try {
      await expect(
        new Promise((resolve, reject) =>
          client.forwardOut("127.0.0.1", 1, "127.0.0.1", stack.httpPort, (err, ch) =>
            err ? reject(err) : resolve(ch),
          ),
        ),
      ).rejects.toThrow("Channel open failure");
      await expect(
        new Promise((resolve, reject) =>
          client.forwardIn("127.0.0.1", 0, (err, p) => (err ? reject(err) : resolve(p))),
        ),
      ).rejects.toThrow();
    } finally {
      client.end();
    }

    // OpenSSH: `ssh -N -L` starts, and the first connection through it is refused by the server.
    const localPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const forward = `${localPort}:127.0.0.1:${stack.httpPort}`;
    const ssh = spawn("ssh", sshArgs(stack, "sftp-team-a", teamA.privateKeyFile, ["-N", "-L", forward]));
    let stderr = "";
    ssh.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const received = await pollUntil(
        () =>
          new Promise<string | undefined>((resolve) => {
            // Nothing is written: the refusal closes the connection before any reply could come.
            const socket = net.connect(localPort, "127.0.0.1");
            let connected = false;
            let data = "";
            socket.on("connect", () => (connected = true));
            socket.on("data", (d) => (data += d.toString()));
            socket.on("close", () => resolve(connected ? data : undefined));
            socket.on("error", () => undefined);
            socket.setTimeout(5_000, () => socket.destroy());
          }),
        (data) => data !== undefined,
        10_000,
      );
      expect(received).toBe("");
      const said = await pollUntil(
        async () => stderr,
        (e) => e.includes("administratively prohibited"),
        5_000,
        50,
      );
      expect(said).toContain("administratively prohibited");
    } finally {
      ssh.kill();
    }
  });

  it("logs each transfer's close with its bytes, under the user's root, and its session with the user", async () => {
    await withSftp(stack, "sftp-team-a", password("sftp-team-a"), (s) =>
      writeFile(s, "/videos/été.txt", Buffer.from("twelve bytes")),
    );
    // OpenSSH escapes every byte outside printable ASCII in octal: é is \303\251.
    const name = "/videos/\\303\\251t\\303\\251.txt";
    const sessionOf = (lines: string[]) => /\[(\d+)\]: close "\/videos\/\\303/.exec(lines.join("\n"))?.[1];
    const lines = await pollUntil(
      async () => sftpLogLines(stack),
      (all) => all.some((l) => l.startsWith(`team-a internal-sftp[${sessionOf(all)}]: session closed`)),
      5_000,
    );
    const pid = sessionOf(lines);
    expect(lines.filter((l) => l.includes(`internal-sftp[${pid}]:`))).toEqual([
      `team-a internal-sftp[${pid}]: session opened for local user sftp-team-a from [127.0.0.1]`,
      `team-a internal-sftp[${pid}]: open "${name}" flags WRITE,CREATE,TRUNCATE mode 0666`,
      `team-a internal-sftp[${pid}]: close "${name}" bytes read 0 written 12`,
      `team-a internal-sftp[${pid}]: session closed for local user sftp-team-a from [127.0.0.1]`,
    ]);
  });
});
