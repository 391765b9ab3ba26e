/**
 * Reads and checks the settings file. The program renders it from a validated stack config, so
 * a problem here is a broken deployment: the message names the field, and the worker exits.
 */
import * as fs from "node:fs";
import { WEBHOOK_EVENTS, type WorkerSettings } from "./settings";

export class SettingsError extends Error {}

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === "string";
const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const bool: Check = (v) => typeof v === "boolean";
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v);
const relative: Check = (v) =>
  typeof v === "string" && !v.startsWith("/") && !v.split("/").some((s) => s === ".." || s === ".");
const absolute: Check = (v) => typeof v === "string" && v.startsWith("/");
const owner: Check = (v) => record(v) && int(0)(v.uid) && int(0)(v.gid);
const list =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    record(v) && Object.entries(fields).every(([k, c]) => c(v[k]));
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const rendition = shape({
  height: (v) => int(2, 8192)(v) && Number(v) % 2 === 0,
  videoBitrate: int(1),
  maxRate: int(1),
  audioBitrate: int(1),
});
const hls = shape({
  renditions: (v) => list(rendition)(v) && (v as unknown[]).length > 0,
  segmentSeconds: int(1, 60),
});

const FIELDS: Record<keyof WorkerSettings, [Check, string]> = {
  mediaRoot: [absolute, "an absolute path"],
  derivedRoot: [absolute, "an absolute path"],
  stateDir: [absolute, "an absolute path"],
  ftpLog: [absolute, "an absolute path"],
  sftpLog: [optional(absolute), "an absolute path, or absent without SFTP"],
  users: [list(shape({ name: str, root: (v) => v === "" || relative(v) })), "a list of { name, root }"],
  locations: [
    list(
      shape({
        path: (v) => str(v) && /^\/(.*\/)?$/.test(String(v)),
        directory: relative,
        publish: oneOf(["immediate", "verified"]),
        hls: optional(hls),
      }),
    ),
    "a list of { path: /prefix/, directory: relative/folder, publish: immediate|verified, hls?: { renditions: [{ height (even), videoBitrate, maxRate, audioBitrate }], segmentSeconds } }",
  ],
  rescanSeconds: [int(1), "a whole number of seconds, at least 1"],
  concurrency: [int(1, 64), "a whole number from 1 to 64"],
  maxFileSize: [int(1), "a number of bytes"],
  posterWidth: [int(16, 4096), "a width in pixels from 16 to 4096"],
  previews: [bool, "true or false"],
  nice: [int(0, 19), "a niceness from 0 to 19"],
  metrics: [shape({ host: str, port: int(0, 65535) }), "{ host, port }"],
  owners: [
    shape({ uploader: owner, published: owner }),
    "{ uploader: { uid, gid }, published: { uid, gid } }",
  ],
  webhooks: [
    list(
      shape({
        url: (v) => str(v) && /^https?:\/\//.test(String(v)),
        secret: str,
        events: list(oneOf(WEBHOOK_EVENTS)),
      }),
    ),
    `a list of { url: http(s)://…, secret, events: [${WEBHOOK_EVENTS.join(", ")}] }`,
  ],
  webhookRetrySeconds: [int(0), "a whole number of seconds"],
  urls: [
    shape({ meta: str, poster: str, preview: str, hls: str }),
    "{ meta, poster, preview, hls } URL prefixes",
  ],
};

export function parseSettings(json: unknown, source: string): WorkerSettings {
  if (!record(json)) throw new SettingsError(`${source}: expected a JSON object`);
  const problems = Object.entries(FIELDS)
    .filter(([key, [check]]) => !check(json[key]))
    .map(([key, [, expected]]) => `${key} must be ${expected}`);
  if (problems.length > 0) {
    throw new SettingsError(
      `${source}: ${problems.join("; ")} (the program renders this file: run pulumi up again)`,
    );
  }
  return json as unknown as WorkerSettings;
}

export function readSettings(file: string): WorkerSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new SettingsError(
      `cannot read the settings file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseSettings(json, file);
}

function record(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
