/**
 * An upload in progress is never served: nginx refuses the temporary names clients use while
 * writing (dotfiles, *.part, *.filepart, *.tmp, *.crdownload), and the rename that ends an
 * upload makes the file appear whole at once.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { sha256 } from "../support/data";
import { ftpConnect, upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { waitFor } from "../support/wait";
import { DELIVERY } from "./deliveryStacks";

const CHUNK = 256 * 1024;

describe("partial uploads", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-partial", DELIVERY);
  });
  afterAll(() => stack?.stop());

  test.each([
    ["a dotfile", ".upload-clip.mp4"],
    ["a .part name", "clip.mp4.part"],
  ])(
    "refuses a file mid-upload under %s with 404 and serves it whole right after the rename",
    async (_, temporary) => {
      const data = randomBytes(8 * CHUNK);
      const final = `renamed-${temporary.replace(/^\.|\.part$/g, "")}`;
      const onDisk = path.join(stack.dirs.media, "videos", temporary);
      // The test feeds the upload chunk by chunk, so the transfer stays open while it looks.
      const source = new Readable({ read() {} });
      const client = await ftpConnect(stack, "uploader");
      try {
        const transfer = client.uploadFrom(source, `/videos/${temporary}`);
        source.push(data.subarray(0, 2 * CHUNK));
        await waitFor(
          `${onDisk} to hold the first chunks`,
          () => fs.existsSync(onDisk) && fs.statSync(onDisk).size > 0,
        );

        const midway = await request(stack, `/videos/${encodeURIComponent(temporary)}`);
        expect({ status: midway.status, bytes: midway.body.includes(data.subarray(0, 64)) }).toEqual({
          status: 404,
          bytes: false,
        });
        expect((await request(stack, `/videos/${final}`)).status).toBe(404);
        expect(fs.statSync(onDisk).size).toBeLessThan(data.length);

        for (let i = 2; i < 8; i++) source.push(data.subarray(i * CHUNK, (i + 1) * CHUNK));
        source.push(null);
        await transfer;
        expect((await request(stack, `/videos/${encodeURIComponent(temporary)}`)).status).toBe(404);

        await client.rename(`/videos/${temporary}`, `/videos/${final}`);
      } finally {
        client.close();
      }
      const served = await request(stack, `/videos/${final}`);
      expect(served.status).toBe(200);
      expect(sha256(served.body)).toBe(sha256(data));
    },
  );

  test.each([
    "clip.mp4.part",
    "clip.MP4.PART",
    "clip.mp4.filepart",
    "clip.mp4.FilePart",
    "clip.tmp",
    "clip.TMP",
    "clip.mp4.crdownload",
    "clip.mp4.CRDOWNLOAD",
    ".clip.mp4",
    ".hidden/clip.mp4",
  ])("answers 404 for %s in every kind of location", async (name) => {
    const body = Buffer.from(`temporary ${name}\n`);
    const locations = stack.spec.http.locations;
    for (const l of locations) {
      const file = path.join(stack.dirs.media, l.directory, name);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      fs.writeFileSync(file, body, { mode: 0o644 });
    }
    const urls = [...locations.map((l) => `${l.path}${name}`), `/-/listing/videos/${name}`];
    const statuses = await Promise.all(urls.map(async (url) => [url, (await request(stack, url)).status]));
    expect(statuses).toEqual(urls.map((url) => [url, 404]));
  });

  it("serves names that merely contain a temporary suffix in the middle", async () => {
    await withFtp(stack, "uploader", async (c) => {
      for (const name of ["clip.part.mp4", "tmp.mp4", "clip.tmpx"])
        await upload(c, Buffer.from(name), `/videos/${name}`);
    });
    for (const name of ["clip.part.mp4", "tmp.mp4", "clip.tmpx"]) {
      const res = await request(stack, `/videos/${name}`);
      expect({ name, status: res.status, body: res.body.toString() }).toEqual({
        name,
        status: 200,
        body: name,
      });
    }
  });
});
