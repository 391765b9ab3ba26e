/** What the worker's end-to-end tests share: their settings, and waiting with the worker's log. */
import * as path from "node:path";
import type { WorkerSettings } from "../../../worker/src/settings";

/** The longest a worker test (and its hooks) may take: ffmpeg runs and a webhook retry. */
export const SLOW = 20_000;

/** Resolves with `get()` once it is defined; fails after timeoutMs showing `log`. */
export async function until<T>(
  what: string,
  get: () => T | undefined,
  log: readonly string[],
  timeoutMs = SLOW - 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; the worker logged:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Settings of a worker run in `root` (media/, derived/, state/, ftp/vsftpd.log), one uploader
 * over the whole media, metrics on a free loopback port; `over` sets what a test is about.
 */
export function settingsIn(root: string, over: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    mediaRoot: path.join(root, "media"),
    derivedRoot: path.join(root, "derived"),
    stateDir: path.join(root, "state"),
    ftpLog: path.join(root, "ftp", "vsftpd.log"),
    users: [{ name: "uploader", root: "" }],
    locations: [{ path: "/videos/", directory: "videos", publish: "verified" }],
    rescanSeconds: 3600,
    concurrency: 1,
    maxFileSize: 10_000_000,
    posterWidth: 160,
    previews: false,
    nice: 10,
    metrics: { host: "127.0.0.1", port: 0 },
    owners: { uploader: { uid: 2121, gid: 2121 }, published: { uid: 0, gid: 0 } },
    webhooks: [],
    webhookRetrySeconds: 30,
    urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
    ...over,
  };
}
