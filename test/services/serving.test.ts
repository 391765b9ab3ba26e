/** What vsftpd receives, nginx serves: same bytes, right headers, nothing outside the locations. */
import * as fs from "node:fs";
import * as path from "node:path";
import { MEDIA_OWNER } from "../../spec";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { TEAMS } from "./stacks";

describe("files uploaded over FTP, served by nginx", () => {
  const video = fixture("sample.mp4");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-serving", TEAMS);
  });
  afterAll(() => stack?.stop());

  it("serves an MP4 uploaded to /videos/ at once: same sha256, video/mp4, Accept-Ranges bytes", async () => {
    await withFtp(stack, "uploader", (c) => upload(c, video, "/videos/sample.mp4"));
    const res = await request(stack, "/videos/sample.mp4");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("video/mp4");
    expect(res.headers["accept-ranges"]).toBe("bytes");
    expect(res.headers["content-length"]).toBe(String(video.length));
    expect(sha256(res.body)).toBe(sha256(video));
  });

  it("answers a Range request with 206 and exactly that slice", async () => {
    await withFtp(stack, "uploader", (c) => upload(c, video, "/videos/range.mp4"));
    const res = await request(stack, "/videos/range.mp4", { headers: { Range: "bytes=1000-4999" } });
    expect(res.status).toBe(206);
    expect(res.headers["content-range"]).toBe(`bytes 1000-4999/${video.length}`);
    expect(res.body.equals(video.subarray(1000, 5000))).toBe(true);

    const tail = await request(stack, "/videos/range.mp4", { headers: { Range: "bytes=-500" } });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(video.subarray(video.length - 500))).toBe(true);
  });

  it.each([
    ["sample.png", "image/png"],
    ["sample.jpg", "image/jpeg"],
  ])("serves %s uploaded to /images/ as %s", async (file, type) => {
    const image = fixture(file);
    await withFtp(stack, "uploader", (c) => upload(c, image, `/images/${file}`));
    const res = await request(stack, `/images/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(type);
    expect(sha256(res.body)).toBe(sha256(image));
  });

  it("makes every upload world-readable so nginx serves it (never 403), in folders made over FTP too", async () => {
    const uploads: [user: string, ftpPath: string, url: string][] = [
      ["uploader", "/videos/readable.mp4", "/videos/readable.mp4"],
      ["uploader", "/images/readable.png", "/images/readable.png"],
      ["team-a", "/videos/readable.mp4", "/a/videos/readable.mp4"],
      ["team-a", "/videos/made/deeper/readable.mp4", "/a/videos/made/deeper/readable.mp4"],
      ["team-b", "/videos/readable.mp4", "/b/videos/readable.mp4"],
    ];
    for (const [user, ftpPath] of uploads) {
      await withFtp(stack, user, async (c) => {
        await c.ensureDir(path.posix.dirname(ftpPath));
        await upload(c, video, ftpPath);
      });
    }
    for (const [, , url] of uploads) {
      const res = await request(stack, url);
      expect({ url, status: res.status, sha256: sha256(res.body) }).toEqual({
        url,
        status: 200,
        sha256: sha256(video),
      });
    }
    const onDisk = fs.statSync(path.join(stack.dirs.media, "team-a/videos/made/deeper/readable.mp4"));
    expect({ mode: (onDisk.mode & 0o777).toString(8), uid: onDisk.uid }).toEqual({
      mode: "644",
      uid: MEDIA_OWNER.uid,
    });
    const madeDir = fs.statSync(path.join(stack.dirs.media, "team-a/videos/made"));
    expect((madeDir.mode & 0o777).toString(8)).toBe("755");
  });

  it("lists a folder made over FTP where the location has autoindex on", async () => {
    await withFtp(stack, "team-a", async (c) => {
      await c.ensureDir("/videos/listed");
      await upload(c, video, "/videos/listed/clip.mp4");
    });
    const folder = await request(stack, "/a/videos/listed/");
    expect(folder.status).toBe(200);
    expect(folder.headers["content-type"]).toMatch(/^text\/html/);
    expect(folder.body.toString()).toContain('href="clip.mp4"');
    expect((await request(stack, "/a/videos/")).body.toString()).toContain('href="listed/"');
  });

  it("does not list a folder made over FTP where autoindex is off, but serves the files in it", async () => {
    for (const [user, url] of [
      ["uploader", "/videos/unlisted/"],
      ["team-b", "/b/videos/unlisted/"],
    ]) {
      await withFtp(stack, user, async (c) => {
        await c.ensureDir("/videos/unlisted");
        await upload(c, video, "/videos/unlisted/clip.mp4");
      });
      const folder = await request(stack, url);
      expect({ url, status: folder.status, listsClip: folder.body.toString().includes("clip.mp4") }).toEqual({
        url,
        status: 403,
        listsClip: false,
      });
      expect((await request(stack, `${url}clip.mp4`)).status).toBe(200);
    }
  });

  it("answers 404 for URLs outside the configured locations", async () => {
    // A file in the media root that no location covers, put there by hand.
    fs.writeFileSync(path.join(stack.dirs.media, "outside.txt"), "not served\n", { mode: 0o644 });
    await withFtp(stack, "team-a", (c) => upload(c, video, "/videos/inside.mp4"));
    const urls = [
      "/",
      "/outside.txt",
      "/videos",
      "/a/",
      "/team-a/videos/inside.mp4",
      "/media/team-a/videos/inside.mp4",
      "/videos/../team-a/videos/inside.mp4",
      "/a/videos/../../outside.txt",
      "/etc/passwd",
    ];
    const statuses = await Promise.all(urls.map(async (url) => [url, (await request(stack, url)).status]));
    expect(statuses).toEqual(urls.map((url) => [url, 404]));
    expect((await request(stack, "/a/videos/inside.mp4")).status).toBe(200);
  });

  it("never serves dotfiles or files in dot-folders, and autoindex does not show them", async () => {
    for (const user of ["uploader", "team-a"]) {
      await withFtp(stack, user, async (c) => {
        await upload(c, Buffer.from("secret\n"), "/videos/.hidden");
        await c.ensureDir("/videos/.private");
        await upload(c, video, "/videos/.private/clip.mp4");
      });
    }
    expect(fs.existsSync(path.join(stack.dirs.media, "videos/.hidden"))).toBe(true);
    const urls = [
      "/videos/.hidden",
      "/videos/.private/clip.mp4",
      "/a/videos/.hidden",
      "/a/videos/.private/",
      "/a/videos/.private/clip.mp4",
    ];
    const statuses = await Promise.all(urls.map(async (url) => [url, (await request(stack, url)).status]));
    expect(statuses).toEqual(urls.map((url) => [url, 404]));
    const listing = (await request(stack, "/a/videos/")).body.toString();
    expect(listing).not.toContain(".hidden");
    expect(listing).not.toContain(".private");
  });
});
