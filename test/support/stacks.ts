/** Stack configs for tests: the committed stack files, and a few written out here. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseSpec, type ParsedConfig } from "../../spec";
import { PROJECT, PROJECT_DIR, type StackConfig } from "./project";

/** The spec module's reading of a stack config, as the program does it for `stack`. */
export function parseConfig(config: StackConfig, stack = "test"): ParsedConfig {
  return parseSpec(config, { project: PROJECT, stack, projectDir: PROJECT_DIR });
}

/** The `video-server:` keys of Pulumi.<stack>.yaml, namespace stripped. */
export function stackFileConfig(stack: string): StackConfig {
  const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const prefix = `${PROJECT}:`;
  return Object.fromEntries(
    Object.entries(doc.config ?? {})
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
}

/** Three users: a writer over the whole media, a writer confined to one team, a reader. */
export function threeUserConfig(): StackConfig {
  return {
    media: { hostPath: "/srv/video-server" },
    ftp: {
      port: 21,
      bindAddress: "0.0.0.0",
      passiveAddress: "ftp.example.com",
      passivePorts: { min: 40000, max: 40004 },
      users: [
        { name: "editor", password: "editor-password-1" },
        { name: "team-a", root: "team-a", password: "team-a-password-2" },
        { name: "viewer", write: false },
      ],
    },
    http: {
      port: 80,
      serverName: "media.example.com",
      locations: [
        { path: "/videos/", directory: "videos", autoindex: true },
        { path: "/images/", directory: "images" },
        { path: "/team-a/videos/", directory: "team-a/videos", autoindex: true },
      ],
    },
  };
}

/** A copy of `base` with `value` set at a dotted path such as `ftp.users.1.name`. */
export function withValue(base: StackConfig, dotted: string, value: unknown): StackConfig {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = dotted.split(".");
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}
