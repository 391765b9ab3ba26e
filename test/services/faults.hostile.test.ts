/**
 * Faults on the real servers: an uploader killed mid-transfer, and a media disk that fills up.
 * What users rely on: a file is served complete or not at all, a failure is an FTP error, and
 * what was uploaded before stays served.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MB, payloadSha256, payloadStream, type Payload } from "../support/data";
import { prepareFolders } from "../support/folders";
import { ftpConnect, upload } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { request, type HttpResponse } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { waitFor } from "../support/wait";
import { startEndlessUpload } from "./endlessUpload";
import { mountTmpfs, type Mount } from "./tmpfs";

const PASSWORD = "uploader-password";
const STACK = {
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: PASSWORD }] },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [{ path: "/videos/", directory: "videos", autoindex: true }],
  },
};

/** A GET whose body is hashed as it arrives, never held. */
const download = (stack: RunningStack, urlPath: string): Promise<HttpResponse> =>
  request(stack, urlPath, { keepBody: false });

const sizeOf = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : -1);

describe("an uploader killed in the middle of a transfer", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("hostile-killed-client", STACK);
  });
  afterAll(() => stack?.stop());

  // Upload under a temporary name, rename when complete: what FTP clients do so that nobody
  // reads half a file. nginx refuses dotfiles and the usual partial-file suffixes.
  it.each([
    [".clip-1.mp4.incoming", "clip-1.mp4"],
    ["clip-2.mp4.part", "clip-2.mp4"],
  ])(
    "never serves the partial %s, and the next upload of %s succeeds",
    async (temp, final) => {
      const onDisk = path.join(stack.dirs.media, "videos", temp);
      const client = startEndlessUpload(stack.ftpPort, "uploader", PASSWORD, `/videos/${temp}`);
      try {
        await client.streaming;
        await waitFor("2 MB on disk", () => sizeOf(onDisk) >= 2 * MB, 15_000, 50);
        expect((await download(stack, `/videos/${temp}`)).status).toBe(404);
      } finally {
        await client.kill();
      }
      // vsftpd notices the closed data connection; the partial file stays under its temporary name.
      let last = -2;
      await waitFor(
        "the partial file to stop growing",
        () => {
          const now = sizeOf(onDisk);
          const settled = now === last;
          last = now;
          return settled;
        },
        15_000,
        50,
      );
      expect(sizeOf(onDisk)).toBeGreaterThan(0);
      for (const url of [`/videos/${temp}`, `/videos/${final}`]) {
        expect({ url, status: (await download(stack, url)).status }).toEqual({ url, status: 404 });
      }

      // The server keeps working: the retry completes and is served byte for byte.
      const payload: Payload = { seed: `retry-${final}`, size: 3 * MB };
      const ftp = await ftpConnect(stack, "uploader");
      try {
        expect(await upload(ftp, payloadStream(payload), `/videos/${temp}`)).toBe(226);
        await ftp.rename(`/videos/${temp}`, `/videos/${final}`);
      } finally {
        ftp.close();
      }
      const served = await download(stack, `/videos/${final}`);
      expect({ status: served.status, sha256: served.sha256 }).toEqual({
        status: 200,
        sha256: await payloadSha256(payload),
      });
    },
    60_000,
  );

  // KNOWN BUG, reported: nginx answers 404 for *.part and friends, but autoindex still lists them
  // (the HTML listing, and the gallery's JSON one, whose page skips names without a media
  // extension): viewers of a listing see entries that fail. autoindex itself hides dotfiles.
  it.failing("lists no partial upload in the folder listing", async () => {
    const ftp = await ftpConnect(stack, "uploader");
    try {
      await upload(ftp, payloadStream({ seed: "listed-part", size: 1024 }), "/videos/listed.mp4.part");
    } finally {
      ftp.close();
    }
    const listing = await request(stack, "/videos/");
    expect(listing.status).toBe(200);
    expect(listing.body.toString()).not.toContain("listed.mp4.part");
  });
});

describe("a media disk that fills up", () => {
  const DISK_MB = 20;
  const before: Payload[] = [1, 2, 3, 2].map((mb, i) => ({ seed: `before-full-${i}`, size: mb * MB }));
  let stack: RunningStack;
  let disk: Mount | undefined;
  beforeAll(async () => {
    stack = await startStack("hostile-disk-full", STACK);
    disk = mountTmpfs(stack.dirs.media, DISK_MB);
    // The new, empty disk needs the folders the entrypoint makes.
    prepareFolders(stack.ftpLayout);
    const ftp = await ftpConnect(stack, "uploader");
    try {
      for (const p of before) await upload(ftp, payloadStream(p), `/videos/${p.seed}.bin`);
    } finally {
      ftp.close();
    }
  });
  afterAll(async () => {
    // Unmount before stop() removes the temp dir, also when a test failed.
    try {
      disk?.unmount();
    } finally {
      await stack?.stop();
    }
  });

  it("fails an upload that does not fit with an FTP error, and keeps the session usable", async () => {
    const ftp = await ControlConnection.login(stack.ftpPort, "uploader", PASSWORD);
    try {
      await ftp.send("TYPE I");
      const data = await ftp.dataConnection();
      const dataClosed = new Promise<void>((resolve) => data.once("close", () => resolve()));
      data.on("error", () => undefined); // the server drops the data connection when the write fails
      expect((await ftp.send("STOR /videos/too-big.bin")).code).toBe(150);
      payloadStream({ seed: "too-big", size: 2 * DISK_MB * MB }).pipe(data);
      const final = await ftp.reply("STOR final", 30_000);
      await dataClosed;
      expect(final.text).toMatch(/^(451|452|552) /);
      expect((await ftp.send("NOOP")).code).toBe(200);
    } finally {
      ftp.close();
    }
  }, 60_000);

  it("still serves everything uploaded before the disk filled, byte for byte", async () => {
    for (const p of before) {
      const got = await download(stack, `/videos/${p.seed}.bin`);
      expect({ seed: p.seed, status: got.status, sha256: got.sha256 }).toEqual({
        seed: p.seed,
        status: 200,
        sha256: await payloadSha256(p),
      });
    }
  });

  it("takes uploads again once space is freed", async () => {
    const ftp = await ftpConnect(stack, "uploader");
    const payload: Payload = { seed: "after-full", size: MB };
    try {
      await ftp.remove("/videos/too-big.bin");
      expect(await upload(ftp, payloadStream(payload), "/videos/after-full.bin")).toBe(226);
    } finally {
      ftp.close();
    }
    expect((await download(stack, "/videos/after-full.bin")).sha256).toBe(await payloadSha256(payload));
  });
});
