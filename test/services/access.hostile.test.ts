/**
 * Nothing outside the media is reachable: path traversal over HTTP, sent raw so no client cleans
 * it up first, and over FTP, past the chroot; anonymous and unknown users are refused.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { rawRequest } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";

const SENTINEL = `outside-the-media-${randomBytes(8).toString("hex")}`;

/** A listed and an unlisted location, a user over all media, one confined to team-a, a reader. */
const STACK = {
  ftp: {
    bindAddress: "127.0.0.1",
    // Refusals are the point here: answer them at once instead of after the default 3 s.
    delayFailedLogin: 0,
    users: [
      { name: "uploader", password: "uploader-password" },
      { name: "team-a", password: "team-a-password", root: "team-a" },
      { name: "reader", password: "reader-password", write: false },
    ],
  },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [
      { path: "/videos/", directory: "videos", autoindex: true },
      { path: "/a/videos/", directory: "team-a/videos" },
      { path: "/b/videos/", directory: "team-b/videos" },
    ],
  },
};

/** What must never come back: our sentinel, /etc/passwd, a bcrypt hash from vsftpd's password file. */
const LEAKS = [SENTINEL, "root:x:0:0", "$2b$"];
const leaked = (body: Buffer): string[] => LEAKS.filter((l) => body.includes(l));

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack("hostile-access", STACK);
  // Next to the media folder, where a climb out of it would land; readable by anyone.
  fs.writeFileSync(path.join(stack.dirs.root, "outside.txt"), `${SENTINEL}\n`, { mode: 0o644 });
  await withFtp(stack, "uploader", async (c) => {
    await upload(c, fixture("sample.mp4"), "/videos/clip.mp4");
    await upload(c, Buffer.from("team b only\n"), "/team-b/videos/b.txt");
  });
});
afterAll(() => stack?.stop());

describe("path traversal over HTTP", () => {
  const targets = [
    "/videos/../../outside.txt",
    "/videos/../../vsftpd/passwd",
    "/videos/../../../../../../etc/passwd",
    "/videos/./../.././outside.txt",
    "/videos/%2e%2e/%2e%2e/outside.txt",
    "/videos/%2E%2E/%2E%2E/etc/passwd",
    "/videos/..%2f..%2foutside.txt",
    "/videos/%2e%2e%2f%2e%2e%2fvsftpd%2fpasswd",
    "/videos/%252e%252e%252f%252e%252e%252foutside.txt",
    "/videos/%252e%252e/%252e%252e/etc/passwd",
    "/videos/..\\..\\outside.txt",
    "/videos/%5c..%5c..%5coutside.txt",
    "/videos\\..\\..\\etc\\passwd",
    "/videos../outside.txt",
    "/videos../../etc/passwd",
    "/videos/%c0%ae%c0%ae/%c0%ae%c0%ae/outside.txt",
    "/videos/clip.mp4%00/../../../outside.txt",
    "/videos//..//..//outside.txt",
    "//etc/passwd",
    "/a/videos/../../../outside.txt",
    "/a/videos/%2e%2e/%2e%2e/%2e%2e/outside.txt",
    "http://127.0.0.1/videos/../../outside.txt",
    "../../outside.txt",
  ];

  it.each(targets)("answers %s with 400 or 404, never the file", async (target) => {
    const res = await rawRequest(stack, target);
    expect({
      status: [400, 404].includes(res.status) ? "400/404" : res.head.split("\r\n")[0],
      leaked: leaked(res.body),
    }).toEqual({
      status: "400/404",
      leaked: [],
    });
  });

  it("still serves the upload itself through the same raw requests", async () => {
    const res = await rawRequest(stack, "/videos/clip.mp4");
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(fixture("sample.mp4").length);
  });
});

describe("path traversal over FTP", () => {
  it.each([
    ["uploader", "uploader-password", ""],
    ["team-a", "team-a-password", "team-a"],
  ])("keeps %s at the root of its chroot however CWD climbs", async (user, password, root) => {
    const ftp = await ControlConnection.login(stack.ftpPort, user, password);
    try {
      for (const dir of ["..", "../..", "/..", "../../../etc", "videos/../../.."]) {
        const cwd = await ftp.send(`CWD ${dir}`);
        const pwd = await ftp.send("PWD");
        const where = { dir, cwd: cwd.code === 250 || cwd.code === 550, pwd: pwd.text };
        expect(where).toEqual({ dir, cwd: true, pwd: '257 "/" is the current directory' });
      }
      // The root it stays in is its folder of the media, not the host's / nor the temp dir.
      const listing = (await ftp.send("STAT /")).text.split("\n").slice(1, -1);
      const names = listing
        .map((line) => line.trim().split(/\s+/).pop())
        .filter((n) => n !== "." && n !== "..");
      expect(names.sort()).toEqual(fs.readdirSync(path.join(stack.dirs.media, root)).sort());
    } finally {
      ftp.close();
    }
  });

  it.each([
    "../../etc/passwd",
    "/etc/passwd",
    "../outside.txt",
    "/../outside.txt",
    "../vsftpd/passwd",
    "videos/../../outside.txt",
  ])("refuses RETR %s with 550", async (target) => {
    const ftp = await ControlConnection.login(stack.ftpPort, "uploader", "uploader-password");
    try {
      const res = await ftp.retrieve(target);
      expect({ code: res.first.code, leaked: leaked(res.data) }).toEqual({ code: 550, leaked: [] });
    } finally {
      ftp.close();
    }
  });

  it("refuses to write, make folders or rename outside the media", async () => {
    const ftp = await ControlConnection.login(stack.ftpPort, "uploader", "uploader-password");
    try {
      expect([550, 553]).toContain((await ftp.send("MKD ../escaped")).code);
      expect((await ftp.send("RNFR ../outside.txt")).code).toBe(550);
      await ftp.send("TYPE I");
      const data = await ftp.dataConnection();
      const stor = await ftp.send("STOR ../../escaped.txt");
      data.destroy();
      expect([550, 553]).toContain(stor.code);
    } finally {
      ftp.close();
    }
    expect(fs.existsSync(path.join(stack.dirs.root, "escaped"))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(stack.dirs.root), "escaped.txt"))).toBe(false);
    expect(fs.readFileSync(path.join(stack.dirs.root, "outside.txt"), "utf8")).toBe(`${SENTINEL}\n`);
  });
});

describe("who may log in over FTP", () => {
  it.each([
    ["anonymous", "guest@example.com"],
    ["ftp", "guest@example.com"],
    ["root", "root"],
    ["mallory", "uploader-password"],
    ["vsftpd-media", "uploader-password"],
    ["uploader", "team-a-password"],
    ["uploader", ""],
  ])("refuses %s with password %j", async (user, password) => {
    const session = await ControlConnection.open(stack.ftpPort);
    try {
      expect(session.greeting.code).toBe(220);
      const userReply = await session.send(`USER ${user}`);
      const final = userReply.code === 331 ? await session.send(`PASS ${password}`) : userReply;
      expect(final.code).toBe(530);
      // Not logged in: nothing is listed or read.
      expect((await session.send("PWD")).code).toBe(530);
    } finally {
      session.close();
    }
  });
});
