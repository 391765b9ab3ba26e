/**
 * `processing.enabled: false` leaves a stack as it was before the media worker existed, byte for
 * byte: test/fixtures/processing-off.json holds, per declared resource, the sha256 of its inputs
 * (keys sorted) as the program declared them at commit 11d4993, the last one without the worker.
 * Two files are left out: the gallery page, whose second version (posters when the worker runs,
 * keyboard navigation, no favicon 404) every stack gets, and the ban watcher script every server
 * shares, which gained a mode for sshd (its vsftpd and nginx modes: bans.test.ts, webBans.test.ts).
 * The password hash commands were recorded anew, alone, when they became one per bucket of users
 * instead of one per user (docs/ftp.md#password-hashes), and the web container's when its
 * nginx.conf took the measured defaults of http.maxConnections, http.accessLog and
 * http.aioThreads (bench/README.md#tuning); every other resource, the FTP container and the
 * password files included, kept its recorded inputs.
 * Record it anew only to change what such stacks get on purpose.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram, type StackConfig } from "../support/program";
import { stackFileConfig, withValue } from "../support/stacks";
import { DEFAULTS, TEAMS } from "../services/stacks";

const FIXTURE = path.resolve(__dirname, "../fixtures/processing-off.json");
type Recorded = Record<string, { type: string; name: string; inputs: string }[]>;

const GALLERY = "(the gallery page)";
const WATCHER = "(the ban watcher)";
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (
    v !== null &&
    typeof v === "object" &&
    String((v as { file?: unknown }).file).endsWith("/video-server-bans") &&
    (v as { content?: unknown }).content !== WATCHER
  )
    return canonical({ ...v, content: WATCHER });
  // The gallery page is the one file that changes for every stack (docs/processing.md).
  if (
    v !== null &&
    typeof v === "object" &&
    String((v as { file?: unknown }).file).endsWith("/gallery.html") &&
    (v as { content?: unknown }).content !== GALLERY
  )
    return canonical({ ...v, content: GALLERY });
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  // nginx.conf names the page's script and style by hash in the page's Content-Security-Policy.
  if (typeof v === "string")
    return JSON.stringify(v.replace(/Content-Security-Policy "default-src[^"]*"/g, "(the gallery's CSP)"));
  return JSON.stringify(v) ?? "undefined";
}

const STACKS: readonly (readonly [string, StackConfig])[] = [
  ["dev", stackFileConfig("dev")],
  ["defaults", DEFAULTS],
  ["teams", TEAMS],
];

describe("processing.enabled false", () => {
  const recorded = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Recorded;

  it.each(STACKS)(
    "declares for the %s stack exactly what the program declared before the worker",
    async (name, config) => {
      const off = withValue(
        { ...config, media: { hostPath: "/srv/video-server/media" } },
        "processing.enabled",
        false,
      );
      const run = await runProgram(off, { stack: name });
      const declared = run.resources
        .map((r) => ({
          type: r.type,
          name: r.name,
          inputs: createHash("sha256").update(canonical(r.inputs)).digest("hex"),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(declared).toEqual(recorded[name]);
    },
  );
});
