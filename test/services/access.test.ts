/**
 * Access control on the real nginx: allow/deny lists (clients on other loopback addresses stand
 * in for other hosts), basic auth against the bcrypt password file, and signed expiring links.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { secureLinkHash, signUrl } from "../../nginx/secureLink";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { DELIVERY, SECURE_LINK_SECRET, VIEWER } from "./deliveryStacks";

const VIDEO = fixture("sample.mp4");
const now = () => Math.floor(Date.now() / 1000);

describe("access control", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-access", DELIVERY);
    await withFtp(stack, "uploader", async (c) => {
      for (const dir of ["lan", "office", "blocked", "members", "signed"])
        await upload(c, VIDEO, `/${dir}/clip.mp4`);
      await upload(c, VIDEO, "/signed/my clip é.mp4");
    });
  });
  afterAll(() => stack?.stop());

  describe("allow and deny lists", () => {
    it("serves an address the allow list covers", async () => {
      const res = await request(stack, "/lan/clip.mp4", { localAddress: "127.0.0.1" });
      expect(res.status).toBe(200);
      expect(sha256(res.body)).toBe(sha256(VIDEO));
    });

    it("refuses an address a deny entry carves out of the allow list, with 403", async () => {
      expect((await request(stack, "/lan/clip.mp4", { localAddress: "127.0.0.2" })).status).toBe(403);
      expect((await request(stack, "/lan/clip.mp4", { localAddress: "127.0.0.3" })).status).toBe(200);
    });

    it("refuses everyone outside the allow list: 127.0.0.1 where only 203.0.113.0/24 may", async () => {
      expect((await request(stack, "/office/clip.mp4")).status).toBe(403);
      expect((await request(stack, "/office/")).status).toBe(403);
    });

    it("applies the same list to the gallery's JSON listing of that location", async () => {
      expect((await request(stack, "/-/listing/office/")).status).toBe(403);
    });

    it("refuses a denied range with no allow list, with 403", async () => {
      expect((await request(stack, "/blocked/clip.mp4")).status).toBe(403);
    });
  });

  describe("basic auth", () => {
    const creds = `${VIEWER.name}:${VIEWER.password}`;

    it("asks for credentials with 401 and the video-server realm", async () => {
      const res = await request(stack, "/members/clip.mp4");
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="video-server"');
    });

    it.each([
      ["a wrong password", `${VIEWER.name}:not-the-password`],
      ["an unknown user", `nobody-here:${VIEWER.password}`],
      ["another user's password", `editor:${VIEWER.password}`],
    ])("refuses %s with 401", async (_, auth) => {
      expect((await request(stack, "/members/clip.mp4", { auth })).status).toBe(401);
    });

    it("serves every configured user with the right password", async () => {
      for (const auth of [creds, "editor:editor-http-password"]) {
        const res = await request(stack, "/members/clip.mp4", { auth });
        expect({ auth, status: res.status }).toEqual({ auth, status: 200 });
        expect(sha256(res.body)).toBe(sha256(VIDEO));
      }
    });

    it("guards the folder listing and its JSON twin alike", async () => {
      expect((await request(stack, "/members/")).status).toBe(401);
      expect((await request(stack, "/-/listing/members/")).status).toBe(401);
      const listing = await request(stack, "/-/listing/members/", { auth: creds });
      expect(listing.status).toBe(200);
      expect(JSON.parse(listing.body.toString())).toEqual([
        expect.objectContaining({ name: "clip.mp4", type: "file" }),
      ]);
    });

    it("reads a password file of bcrypt hashes that nginx's workers can read", () => {
      const file = stack.webLayout.htpasswdFile;
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("644");
      expect(fs.readFileSync(file, "utf8")).toMatch(
        /^editor:\$2b\$05\$[./A-Za-z0-9]{53}\nviewer:\$2b\$05\$[./A-Za-z0-9]{53}\n$/,
      );
    });
  });

  describe("secure links", () => {
    it("serves a link signed with the stack's secret, byte for byte", async () => {
      const res = await request(stack, signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() + 3600));
      expect(res.status).toBe(200);
      expect(sha256(res.body)).toBe(sha256(VIDEO));
    });

    it("serves a signed link to a name with a space and non-ASCII letters", async () => {
      const url = signUrl("/signed/my clip é.mp4", SECURE_LINK_SECRET, now() + 3600);
      expect(url).toMatch(/^\/signed\/my%20clip%20%C3%A9\.mp4\?md5=/);
      expect((await request(stack, url)).status).toBe(200);
    });

    it("refuses a tampered signature, another file's signature, another secret and no signature with 403", async () => {
      const expires = now() + 3600;
      const good = signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, expires);
      const md5 = new URL(good, "http://x").searchParams.get("md5") ?? "";
      const flipped = `${md5[0] === "A" ? "B" : "A"}${md5.slice(1)}`;
      const cases = [
        `/signed/clip.mp4?md5=${flipped}&expires=${expires}`,
        `/signed/clip.mp4?md5=${md5}&expires=${expires + 1}`,
        `/signed/clip.mp4?md5=${secureLinkHash("/signed/other.mp4", SECURE_LINK_SECRET, expires)}&expires=${expires}`,
        signUrl("/signed/clip.mp4", "some-other-secret-0123", expires),
        "/signed/clip.mp4",
        `/signed/clip.mp4?expires=${expires}`,
        "/signed/",
      ];
      const statuses = await Promise.all(cases.map(async (url) => [url, (await request(stack, url)).status]));
      expect(statuses).toEqual(cases.map((url) => [url, 403]));
    });

    it("answers 410 Gone for a correctly signed link past its expiry", async () => {
      const res = await request(stack, signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() - 60));
      expect(res.status).toBe(410);
    });

    it("serves a folder's file with a signature and no other file of the folder with it", async () => {
      const url = signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, now() + 3600);
      const query = url.slice(url.indexOf("?"));
      expect((await request(stack, `/signed/${encodeURIComponent("my clip é.mp4")}${query}`)).status).toBe(
        403,
      );
      expect(fs.existsSync(path.join(stack.dirs.media, "signed", "my clip é.mp4"))).toBe(true);
    });
  });
});
