import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSettings, readSettings } from "../../../worker/src/loadSettings";

const valid = {
  mediaRoot: "/srv/media",
  derivedRoot: "/srv/derived",
  stateDir: "/var/lib/video-server-worker",
  ftpLog: "/var/log/vsftpd/vsftpd.log",
  users: [{ name: "uploader", root: "" }],
  locations: [{ path: "/videos/", directory: "videos", publish: "verified" }],
  rescanSeconds: 600,
  concurrency: 1,
  maxFileSize: 1e9,
  posterWidth: 640,
  previews: true,
  nice: 19,
  metrics: { host: "0.0.0.0", port: 9100 },
  owners: { uploader: { uid: 2121, gid: 2121 }, published: { uid: 0, gid: 0 } },
  webhooks: [{ url: "https://hooks.example.com/video", secret: "s", events: ["file.published"] }],
  webhookRetrySeconds: 86400,
  urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
};

describe("parseSettings", () => {
  it("accepts the settings the program renders", () => {
    expect(parseSettings(valid, "worker.json")).toEqual(valid);
  });

  it("names every wrong field and what it must be", () => {
    const bad = {
      ...valid,
      nice: 20,
      locations: [{ path: "videos", directory: "videos", publish: "later" }],
    };
    expect(() => parseSettings(bad, "worker.json")).toThrow(
      /^worker\.json: locations must be a list of .*; nice must be a niceness from 0 to 19 /,
    );
  });

  it("accepts a location with an HLS ladder, and refuses a rung of odd height", () => {
    const hls = {
      renditions: [{ height: 360, videoBitrate: 800, maxRate: 856, audioBitrate: 96 }],
      segmentSeconds: 4,
    };
    const withHls = { ...valid, locations: [{ ...valid.locations[0], hls }] };
    expect(parseSettings(withHls, "w.json")).toEqual(withHls);
    const odd = { ...hls, renditions: [{ ...hls.renditions[0], height: 361 }] };
    expect(() =>
      parseSettings({ ...valid, locations: [{ ...valid.locations[0], hls: odd }] }, "w.json"),
    ).toThrow(/^w\.json: locations must be /);
  });

  it("accepts an absolute SFTP log path, and refuses a relative one", () => {
    const withSftp = { ...valid, sftpLog: "/var/log/vsftpd/sftp.log" };
    expect(parseSettings(withSftp, "w.json")).toEqual(withSftp);
    expect(() => parseSettings({ ...valid, sftpLog: "sftp.log" }, "w.json")).toThrow(
      /^w\.json: sftpLog must be an absolute path/,
    );
  });

  it("refuses a webhook subscribed to an event that does not exist", () => {
    const bad = {
      ...valid,
      webhooks: [{ url: "https://h.example.com/", secret: "s", events: ["file.renamed"] }],
    };
    expect(() => parseSettings(bad, "w.json")).toThrow(/webhooks must be/);
  });
});

describe("readSettings", () => {
  it("says which file it could not read", () => {
    expect(() => readSettings("/nonexistent/worker.json")).toThrow(
      "cannot read the settings file /nonexistent/worker.json: ENOENT",
    );
  });

  it("says the file is not JSON", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-settings-"));
    try {
      fs.writeFileSync(path.join(dir, "worker.json"), "{ nope");
      expect(() => readSettings(path.join(dir, "worker.json"))).toThrow(/worker\.json is not JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
