/**
 * Prepares the media folders with the very loop of vsftpd/entrypoint.sh, not a copy of it: the
 * loop is cut out of the script and run by sh with the host layout's paths in place of the
 * container's. If the script changes shape, this fails loudly instead of drifting.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FtpLayout } from "../../spec";

export const ENTRYPOINT = path.resolve(__dirname, "../../vsftpd/entrypoint.sh");

const LOOP_START = "while read -r kind dir; do";
const LOOP_END = 'done < "$FOLDERS"';
/** The variables the loop reads; the script sets them to the container's paths. */
const LOOP_VARIABLES = ["MEDIA_ROOT", "FOLDERS", "GUEST"] as const;

export function entrypointFolderLoop(script = fs.readFileSync(ENTRYPOINT, "utf8")): string {
  const start = script.indexOf(LOOP_START);
  const end = script.indexOf(LOOP_END, start);
  if (start < 0 || end < 0) {
    throw new Error(`${ENTRYPOINT}: no '${LOOP_START}' … '${LOOP_END}' loop; update test/support/folders.ts`);
  }
  const loop = script.slice(start, end + LOOP_END.length);
  const used = new Set([...loop.matchAll(/\$\{?([A-Z_]+)/g)].map((m) => m[1]));
  const unknown = [...used].filter((v) => !(LOOP_VARIABLES as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new Error(
      `${ENTRYPOINT}: the folder loop now reads ${unknown.join(", ")}; update test/support/folders.ts`,
    );
  }
  return loop;
}

/** `<name>=<value>` assignments at the top of the entrypoint, e.g. MEDIA_ROOT=/srv/media. */
export function entrypointVariables(script = fs.readFileSync(ENTRYPOINT, "utf8")): Record<string, string> {
  return Object.fromEntries([...script.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
}

/** Runs the entrypoint's loop over layout.folderListFile. */
export function prepareFolders(layout: FtpLayout): void {
  const program = [
    "set -eu",
    'MEDIA_ROOT="$1"',
    'FOLDERS="$2"',
    'GUEST="$3"',
    entrypointFolderLoop(),
    "",
  ].join("\n");
  execFileSync(
    "sh",
    ["-c", program, "vsftpd-entrypoint", layout.mediaRoot, layout.folderListFile, layout.guestUser],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}
