/**
 * Where each user is confined, what a read-only user may do, which data ports carry data. Who may
 * not log in, and climbing out of a chroot, are access.hostile.test.ts.
 */
import type { Client } from "basic-ftp";
import * as fs from "node:fs";
import * as path from "node:path";
import { fixture, sha256 } from "../support/data";
import { download, ftpConnect, recordDataConnections, refusalCode, upload, withFtp } from "../support/ftp";
import { startStack, type RunningStack } from "../support/servers";
import { TEAMS } from "./stacks";

const names = async (c: Client, dir: string): Promise<string[]> =>
  (await c.list(dir))
    .map((f) => f.name)
    .filter((n) => n !== "." && n !== "..")
    .sort();

describe("FTP access on the real vsftpd", () => {
  const video = fixture("sample.mp4");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-ftp-access", TEAMS);
  });
  afterAll(() => stack?.stop());

  it("refuses uploads, new folders, renames and deletes from a read-only user with 550", async () => {
    await withFtp(stack, "uploader", (c) => upload(c, video, "/videos/keep.mp4"));
    await withFtp(stack, "viewer", async (c) => {
      expect(await refusalCode(upload(c, video, "/videos/viewer.mp4"))).toBe(550);
      expect(await refusalCode(c.send("MKD /videos/viewer"))).toBe(550);
      expect(await refusalCode(c.rename("/videos/keep.mp4", "/videos/moved.mp4"))).toBe(550);
      expect(await refusalCode(c.remove("/videos/keep.mp4"))).toBe(550);
    });
    expect(fs.readdirSync(path.join(stack.dirs.media, "videos"))).toContain("keep.mp4");
    expect(fs.readdirSync(path.join(stack.dirs.media, "videos"))).not.toContain("viewer.mp4");
  });

  it("lets a read-only user list and download", async () => {
    await withFtp(stack, "uploader", (c) => upload(c, video, "/videos/for-viewer.mp4"));
    await withFtp(stack, "viewer", async (c) => {
      expect(await names(c, "/videos")).toContain("for-viewer.mp4");
      expect(sha256(await download(c, "/videos/for-viewer.mp4"))).toBe(sha256(video));
    });
  });

  it("resolves absolute paths inside the user's root, so host paths do not exist", async () => {
    await withFtp(stack, "team-a", async (c) => {
      await c.cd("/videos");
      expect(await c.pwd()).toBe("/videos");
      for (const dir of [stack.dirs.root, stack.dirs.media, "/etc", "/team-a"]) {
        expect([dir, await refusalCode(c.cd(dir))]).toEqual([dir, 550]);
      }
      for (const file of [stack.ftpLayout.configFile, stack.ftpLayout.passwordFile, "/etc/passwd"]) {
        expect([file, await refusalCode(c.size(file))]).toEqual([file, 550]);
      }
      expect(await c.pwd()).toBe("/videos");
    });
  });

  it("does not let a user see or reach another user's root", async () => {
    await withFtp(stack, "team-b", (c) => upload(c, Buffer.from("team b only\n"), "/videos/secret.txt"));
    await withFtp(stack, "uploader", (c) => upload(c, Buffer.from("whole media\n"), "/videos/media.txt"));
    await withFtp(stack, "team-a", async (c) => {
      await upload(c, Buffer.from("team a\n"), "/videos/mine.txt");
      expect(await names(c, "/")).toEqual(["videos"]);
      expect(await names(c, "/videos")).not.toContain("secret.txt");
      for (const p of [
        "../team-b/videos/secret.txt",
        "/../team-b/videos/secret.txt",
        "/team-b/videos/secret.txt",
        // The media root above its own folder, where the writer for the whole media uploads.
        "../videos/media.txt",
      ]) {
        expect([p, await refusalCode(c.size(p))]).toEqual([p, 550]);
        expect([p, await refusalCode(download(c, p))]).toEqual([p, 550]);
      }
      expect(await refusalCode(c.cd("../team-b"))).toBe(550);
    });
    expect(fs.readdirSync(path.join(stack.dirs.media, "team-a/videos"))).toContain("mine.txt");
    expect(fs.readdirSync(path.join(stack.dirs.media, "team-b/videos"))).not.toContain("mine.txt");
  });

  it.each(["PASV", "EPSV"] as const)(
    "opens every %s data connection on a port of the configured passive range",
    async (command) => {
      const { min, max } = stack.spec.ftp.passivePorts;
      const client = await ftpConnect(stack, "uploader");
      try {
        const data = recordDataConnections(client, command);
        for (let i = 0; i < 4; i++) {
          await upload(client, video, `/videos/${command}-${i}.mp4`);
          expect(sha256(await download(client, `/videos/${command}-${i}.mp4`))).toBe(sha256(video));
          await client.list("/videos");
        }
        expect(data).toHaveLength(12);
        for (const d of data) {
          expect(d.port).toBeGreaterThanOrEqual(min);
          expect(d.port).toBeLessThanOrEqual(max);
        }
        if (command === "PASV") {
          // 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2): the address is the configured passiveAddress.
          const address = stack.spec.ftp.passiveAddress.replace(/\./g, ",");
          for (const d of data) expect(d.reply).toContain(`(${address},`);
        }
      } finally {
        client.close();
      }
    },
  );

  it("refuses active mode (PORT): only the published passive ports carry data", async () => {
    await withFtp(stack, "uploader", async (c) => {
      const port = `PORT 127,0,0,1,${Math.floor(stack.ports.ftp / 256)},${stack.ports.ftp % 256}`;
      expect(await refusalCode(c.send(port))).toBe(550);
    });
  });
});
