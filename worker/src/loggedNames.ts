/**
 * vsftpd logs every byte outside printable ASCII as '?', so "été.mp4" arrives as "??t??.mp4".
 * A logged path is matched against the directory entries with each '?' standing for exactly one
 * byte (a real '?' included). When several entries match, the logged size picks one; if that
 * still leaves more than one, the path is not resolved (the rescan finds the file later).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Whether an entry's name (its bytes) fits a logged segment. */
export function fitsLoggedName(logged: string, name: Buffer): boolean {
  const pattern = Buffer.from(logged, "latin1");
  if (pattern.length !== name.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== 0x3f && pattern[i] !== name[i]) return false;
  }
  return true;
}

/**
 * The media path(s) on disk that a logged media path stands for. Names that are not UTF-8 are
 * skipped: the worker handles paths as strings.
 */
export function candidatesOf(mediaRoot: string, loggedPath: string, limit = 16): string[] {
  let found: string[] = [""];
  for (const segment of loggedPath.split("/")) {
    const next: string[] = [];
    for (const dir of found) {
      if (!segment.includes("?")) {
        next.push(dir === "" ? segment : `${dir}/${segment}`);
        continue;
      }
      for (const name of listBytes(path.join(mediaRoot, dir))) {
        const text = name.toString("utf8");
        if (!fitsLoggedName(segment, name) || !Buffer.from(text, "utf8").equals(name)) continue;
        next.push(dir === "" ? text : `${dir}/${text}`);
      }
    }
    found = next.slice(0, limit);
  }
  return found.filter((p) => p !== "" && fs.existsSync(path.join(mediaRoot, p)));
}

/**
 * The one file a logged path stands for. `bytes` is what the log says was transferred: with
 * REST or APPE it is less than the file, so it decides only between several candidates.
 */
export function resolveLoggedFile(mediaRoot: string, loggedPath: string, bytes?: number): string | null {
  const files = candidatesOf(mediaRoot, loggedPath).filter((p) => isFile(path.join(mediaRoot, p)));
  if (files.length <= 1) return files[0] ?? null;
  const sized = files.filter((p) => fs.statSync(path.join(mediaRoot, p)).size === bytes);
  return sized.length === 1 ? sized[0] : null;
}

function listBytes(dir: string): Buffer[] {
  try {
    return fs.readdirSync(dir, { encoding: "buffer" });
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
