/** The worker's settings file (worker/settings.ts): what the worker learns of the stack. */
import { renderWorkerSettings } from "../../worker/settings";
import type { WorkerSettings } from "../../worker/src/settings";
import { WORKER_CONTAINER_LAYOUT as LAYOUT, parseSpec } from "../../spec";
import { PROJECT } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";

const ctx = { project: PROJECT, stack: "prod", projectDir: "/p" };

function settingsOf(processing: Record<string, unknown>, secrets: string[] = []): WorkerSettings {
  let config = withValue(threeUserConfig(), "processing", processing);
  config = withValue(config, "http.locations.1.publish", "verified");
  const { spec } = parseSpec(config, ctx);
  if (spec.processing === undefined) throw new Error("processing is off");
  return JSON.parse(renderWorkerSettings(spec, spec.processing, LAYOUT, secrets)) as WorkerSettings;
}

describe("renderWorkerSettings", () => {
  it("gives the worker its volumes, the log it follows and where its metrics listen", () => {
    expect(settingsOf({})).toMatchObject({
      mediaRoot: "/srv/media",
      derivedRoot: "/srv/derived/files",
      stateDir: "/srv/derived/state",
      ftpLog: "/var/log/vsftpd/vsftpd.log",
      metrics: { host: "0.0.0.0", port: 9464 },
      urls: { meta: "/-/meta", poster: "/-/poster", preview: "/-/preview" },
    });
  });

  it("lists each FTP user's root, so log paths map to media paths, and each location's publish mode", () => {
    const settings = settingsOf({});
    expect(settings.users).toEqual(
      expect.arrayContaining([
        { name: "editor", root: "" },
        { name: "team-a", root: "team-a" },
      ]),
    );
    expect(settings.locations.map((l) => `${l.path} ${l.publish}`)).toEqual(
      expect.arrayContaining(["/videos/ immediate"]),
    );
    expect(settings.locations.filter((l) => l.publish === "verified")).toHaveLength(1);
  });

  it("takes its defaults from the schema: one job at a time, a 10-minute rescan, 640 px posters, 50 GiB", () => {
    expect(settingsOf({})).toMatchObject({
      concurrency: 1,
      rescanSeconds: 600,
      posterWidth: 640,
      maxFileSize: 50 * 1024 ** 3,
      previews: false,
      nice: 19,
      webhooks: [],
      webhookRetrySeconds: 86_400,
    });
  });

  it("turns sizes and minutes into bytes and seconds", () => {
    expect(settingsOf({ maxFileSize: "500m", rescanMinutes: 3 })).toMatchObject({
      maxFileSize: 500 * 1024 ** 2,
      rescanSeconds: 180,
    });
  });

  it("hands each location's HLS ladder to the worker, the default one when hls is {}", () => {
    let config = withValue(threeUserConfig(), "http.locations.0.hls", {});
    config = withValue(config, "http.locations.1.hls", {
      renditions: [{ height: 240, videoBitrate: 400, maxRate: 450, audioBitrate: 64 }],
      segmentSeconds: 2,
    });
    const { spec } = parseSpec(config, ctx);
    if (spec.processing === undefined) throw new Error("processing is off");
    const settings = JSON.parse(renderWorkerSettings(spec, spec.processing, LAYOUT, [])) as WorkerSettings;
    const byPath = Object.fromEntries(settings.locations.map((l) => [l.path, l.hls]));
    expect(byPath["/videos/"]).toEqual({
      renditions: [
        { height: 360, videoBitrate: 800, maxRate: 856, audioBitrate: 96 },
        { height: 720, videoBitrate: 2800, maxRate: 2996, audioBitrate: 128 },
        { height: 1080, videoBitrate: 5000, maxRate: 5350, audioBitrate: 128 },
      ],
      segmentSeconds: 4,
    });
    expect(byPath["/images/"]).toEqual({
      renditions: [{ height: 240, videoBitrate: 400, maxRate: 450, audioBitrate: 64 }],
      segmentSeconds: 2,
    });
    expect(byPath["/team-a/videos/"]).toBeUndefined();
    expect(settings.urls.hls).toBe("/-/hls");
  });

  it("gives root the published files and the media owner the rejected ones", () => {
    expect(settingsOf({}).owners).toEqual({
      uploader: { uid: 2121, gid: 2121 },
      published: { uid: 0, gid: 0 },
    });
  });

  it("pairs each webhook with its secret, every event when none is named", () => {
    const hooks = [
      { url: "https://a.example.com/hook", secret: "first-webhook-secret" },
      { url: "http://b.example.com:8080/x?y=1", secret: "second-webhook-secret", events: ["file.deleted"] },
    ];
    expect(
      settingsOf({ webhooks: hooks }, ["first-webhook-secret", "second-webhook-secret"]).webhooks,
    ).toEqual([
      {
        url: "https://a.example.com/hook",
        secret: "first-webhook-secret",
        events: [
          "upload.completed",
          "file.published",
          "file.rejected",
          "processing.failed",
          "file.deleted",
          "hls.ready",
        ],
      },
      { url: "http://b.example.com:8080/x?y=1", secret: "second-webhook-secret", events: ["file.deleted"] },
    ]);
  });

  it("refuses to render a webhook without its secret", () => {
    expect(() =>
      settingsOf({ webhooks: [{ url: "https://a.example.com/", secret: "first-webhook-secret" }] }),
    ).toThrow("no secret for processing.webhooks[0]");
  });
});
