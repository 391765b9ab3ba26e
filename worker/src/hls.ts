/**
 * An HLS ladder on disk, published so that a player polling master.m3u8 sees no playlist or a
 * complete one: ffmpeg writes into a temporary (dot) folder beside the version folders, renamed
 * to `<version>` once complete; only then is master.m3u8 replaced (written under a temporary
 * name and renamed), and the older version folders removed. Everything after the encode is
 * synchronous, so a rescan (which keeps only the versions the master or the metadata name)
 * cannot run between the rename and the new master.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isVersion, MASTER_PLAYLIST, type LadderFiles } from "./derived";
import { temporaryName } from "./files";
import { checkRelative, parseMaster, rewriteMaster, urisOf, versionOfMaster, type Variant } from "./playlist";

/** The variants of the published ladder when its master points to `version`, else null. */
export function currentLadder(files: LadderFiles, version: string): Variant[] | null {
  try {
    const text = fs.readFileSync(files.master, "utf8");
    return versionOfMaster(text) === version ? parseMaster(text) : null;
  } catch {
    return null;
  }
}

export interface Made {
  readonly variants: Variant[];
  /** False when a complete version folder a killed run left was published instead. */
  readonly encoded: boolean;
}

/**
 * Runs `encode` on a temporary folder and publishes the result as `version`. Returns null,
 * publishing nothing, when `stillCurrent` says after the encode that the source has changed.
 */
export async function makeLadder(
  files: LadderFiles,
  version: string,
  encode: (folder: string) => Promise<void>,
  stillCurrent: () => boolean,
): Promise<Made | null> {
  const final = path.join(files.folder, version);
  // Renamed into place only when complete: killed between that and the master, a run left it.
  if (isComplete(final)) return { variants: publishVersion(files, version), encoded: false };
  fs.mkdirSync(files.folder, { recursive: true });
  const temporary = temporaryName(final);
  fs.mkdirSync(temporary);
  try {
    await encode(temporary);
    if (!stillCurrent()) return null;
    if (!isComplete(temporary)) throw new Error("ffmpeg left an incomplete HLS ladder");
    makeReadable(temporary);
    // Something incomplete under the final name: the master does not point to it.
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(temporary, final);
    return { variants: publishVersion(files, version), encoded: true };
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
    removeIfEmpty(files.folder);
  }
}

/** An entry of a ladder folder (a version folder, the master), then the folder if that emptied it. */
export function removeFromLadder(entry: string): void {
  fs.rmSync(entry, { recursive: true, force: true });
  removeIfEmpty(path.dirname(entry));
}

/** A ladder folder emptied, or whose first encode failed or was stopped. */
function removeIfEmpty(folder: string): void {
  try {
    fs.rmdirSync(folder);
  } catch {
    // Not empty: the ladder (or a media folder of the same name) is still there.
  }
}

/** Points master.m3u8 at the version folder, then removes the other versions. */
function publishVersion(files: LadderFiles, version: string): Variant[] {
  const master = rewriteMaster(
    fs.readFileSync(path.join(files.folder, version, MASTER_PLAYLIST), "utf8"),
    version,
  );
  const variants = parseMaster(master);
  const temporary = temporaryName(files.master);
  try {
    fs.writeFileSync(temporary, master);
    fs.chmodSync(temporary, 0o644);
    fs.renameSync(temporary, files.master);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  for (const name of fs.readdirSync(files.folder)) {
    if (isVersion(name) && name !== version)
      fs.rmSync(path.join(files.folder, name), { recursive: true, force: true });
  }
  return variants;
}

/** Whether a version folder has its master, every variant playlist, and every file they name. */
export function isComplete(folder: string): boolean {
  try {
    const master = fs.readFileSync(path.join(folder, MASTER_PLAYLIST), "utf8");
    return parseMaster(master).every((v) => {
      const playlist = path.join(folder, checkRelative(v.uri));
      const text = fs.readFileSync(playlist, "utf8");
      return (
        text.includes("#EXT-X-ENDLIST") &&
        urisOf(text).every((u) => fs.statSync(path.join(path.dirname(playlist), checkRelative(u))).isFile())
      );
    });
  } catch {
    return false;
  }
}

/** nginx reads the derived volume as another user: folders 0755, files 0644, whatever the umask. */
function makeReadable(folder: string): void {
  fs.chmodSync(folder, 0o755);
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const p = path.join(folder, entry.name);
    if (entry.isDirectory()) makeReadable(p);
    else fs.chmodSync(p, 0o644);
  }
}
