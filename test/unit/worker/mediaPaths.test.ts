import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { candidatesOf, fitsLoggedName, resolveLoggedFile } from "../../../worker/src/loggedNames";
import { mediaKindOf, mediaPathIn, mediaPathOf, placementOf } from "../../../worker/src/mediaPaths";
import type { WorkerLocation } from "../../../worker/src/settings";

const users = [
  { name: "uploader", root: "" },
  { name: "team", root: "team-a" },
];
const videos: WorkerLocation = { path: "/videos/", directory: "videos", publish: "immediate" };
const privateVideos: WorkerLocation = {
  path: "/videos/private/",
  directory: "videos/private",
  publish: "verified",
};
const team: WorkerLocation = { path: "/team-a/", directory: "team-a/videos", publish: "verified" };
const locations = [videos, privateVideos, team];

describe("mediaPathOf", () => {
  it("maps a path in the chroot of a user with the whole media root", () => {
    expect(mediaPathOf({ users }, "uploader", "/videos/a.mp4")).toBe("videos/a.mp4");
  });

  it("prefixes the user's root", () => {
    expect(mediaPathOf({ users }, "team", "/videos/a.mp4")).toBe("team-a/videos/a.mp4");
  });

  it("resolves '..' as the FTP session did, never above the chroot", () => {
    expect(mediaPathOf({ users }, "uploader", "/videos/sub dir/../rel 2.mp4")).toBe("videos/rel 2.mp4");
    expect(mediaPathOf({ users }, "team", "/../../etc/passwd")).toBe("team-a/etc/passwd");
  });

  it("knows no path of a user the settings do not list", () => {
    expect(mediaPathOf({ users }, "stranger", "/videos/a.mp4")).toBeNull();
  });
});

describe("placementOf", () => {
  it("places a file in the location whose folder holds it", () => {
    expect(placementOf(locations, "videos/trips/alps.mp4")).toEqual({
      location: videos,
      area: "published",
      rest: "trips/alps.mp4",
    });
  });

  it("places a file of a nested location in the nested one (the longest folder)", () => {
    expect(placementOf(locations, "videos/private/a.mp4")).toMatchObject({
      location: privateVideos,
      rest: "a.mp4",
    });
  });

  it("places nothing outside every location, nor a location's folder itself", () => {
    expect(placementOf(locations, "other/a.mp4")).toBeNull();
    expect(placementOf(locations, "videosX/a.mp4")).toBeNull();
    expect(placementOf(locations, "videos")).toBeNull();
  });

  it("tells a verified location's .incoming and .rejected from its published files", () => {
    expect(placementOf(locations, "team-a/videos/.incoming/trips/a.mp4")).toEqual({
      location: team,
      area: "incoming",
      rest: "trips/a.mp4",
    });
    expect(placementOf(locations, "team-a/videos/.rejected/a.mp4")).toMatchObject({
      area: "rejected",
      rest: "a.mp4",
    });
    expect(mediaPathIn(team, "incoming", "trips/a.mp4")).toBe("team-a/videos/.incoming/trips/a.mp4");
  });

  it("treats .incoming in an immediate location as a hidden folder, not an area", () => {
    const p = placementOf(locations, "videos/.incoming/a.mp4");
    expect(p).toMatchObject({ area: "published", rest: ".incoming/a.mp4" });
    expect(mediaKindOf(p?.rest ?? "")).toBeNull();
  });
});

describe("mediaKindOf", () => {
  test.each([
    ["a.mp4", "video"],
    ["trips/A.MOV", "video"],
    ["b.webm", "video"],
    ["c.jpeg", "image"],
    ["d.WebP", "image"],
    ["clip.mp4.part", null],
    [".clip.mp4", null],
    [".hidden/clip.mp4", null],
    ["notes.txt", null],
    ["mp4", null],
  ])("%s is %s", (rest, kind) => {
    expect(mediaKindOf(rest)).toBe(kind);
  });
});

describe("names vsftpd logged with '?' for each non-ASCII byte", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-names-"));
    fs.mkdirSync(path.join(root, "videos", "été"), { recursive: true });
    fs.writeFileSync(path.join(root, "videos", "été", "Größe été.mp4"), "x".repeat(10));
    fs.writeFileSync(path.join(root, "videos", "a?.mp4"), "x");
    fs.writeFileSync(path.join(root, "videos", "aé.mp4"), "xyz");
    fs.writeFileSync(path.join(root, "videos", "ab?.mp4"), "x");
    fs.writeFileSync(path.join(root, "videos", "abc.mp4"), "x");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("matches one '?' to exactly one byte", () => {
    expect(fitsLoggedName("??t??.mp4", Buffer.from("été.mp4"))).toBe(true);
    expect(fitsLoggedName("?t?.mp4", Buffer.from("été.mp4"))).toBe(false);
  });

  it("finds the file in folders whose names were mangled too", () => {
    expect(resolveLoggedFile(root, "videos/??t??/Gr????e ??t??.mp4", 10)).toBe("videos/été/Größe été.mp4");
  });

  it("returns a path without '?' as it is when it exists", () => {
    expect(resolveLoggedFile(root, "videos/abc.mp4", 1)).toBe("videos/abc.mp4");
    expect(resolveLoggedFile(root, "videos/nope.mp4", 1)).toBeNull();
  });

  it("lets the logged size decide between names of one length", () => {
    // "a?.mp4" (a literal '?') is 6 bytes, "aé.mp4" 7: "a??.mp4" fits "aé.mp4", "ab?.mp4" and "abc.mp4".
    expect(candidatesOf(root, "videos/a??.mp4").sort()).toEqual([
      "videos/ab?.mp4",
      "videos/abc.mp4",
      "videos/aé.mp4",
    ]);
    expect(resolveLoggedFile(root, "videos/a??.mp4", 3)).toBe("videos/aé.mp4");
  });

  it("resolves nothing when the size leaves several candidates", () => {
    expect(resolveLoggedFile(root, "videos/ab?.mp4", 1)).toBeNull();
  });
});
