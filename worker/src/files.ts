/**
 * File operations every output goes through: written under a temporary name in its own folder,
 * then renamed into place, so a reader (nginx) sees the old file or the new one, never part of
 * one, and a worker killed mid-way leaves only temporary names behind. Temporary names carry
 * the run's id, so the next run can tell them from those of a job still running.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Owner } from "./settings";

/** Set once per process: temporary names of other runs are leftovers. */
export const RUN_ID = randomBytes(6).toString("hex");

/** `.<name>.<run>-<random>.tmp` beside `final`: a dotfile, so nginx never serves it. */
export function temporaryName(final: string): string {
  const name = `.${path.basename(final)}.${RUN_ID}-${randomBytes(4).toString("hex")}.tmp`;
  return path.join(path.dirname(final), name);
}

/** The run a temporary name belongs to, or null if the name is not one. */
export function temporaryRun(name: string): string | null {
  const m = /^\..+\.([0-9a-f]{12})-[0-9a-f]{8}\.tmp$/.exec(name);
  return m ? m[1] : null;
}

/** Runs `make` on a temporary path beside `final`, then renames the result into place. */
export async function writeAtomically(
  final: string,
  make: (temporary: string) => Promise<void> | void,
  options: { owner?: Owner; mode?: number } = {},
): Promise<void> {
  fs.mkdirSync(path.dirname(final), { recursive: true });
  const temporary = temporaryName(final);
  try {
    await make(temporary);
    if (options.owner) fs.chownSync(temporary, options.owner.uid, options.owner.gid);
    fs.chmodSync(temporary, options.mode ?? 0o644);
    fs.renameSync(temporary, final);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

export function writeTextAtomically(
  final: string,
  text: string,
  options: { owner?: Owner } = {},
): Promise<void> {
  return writeAtomically(final, (t) => fs.writeFileSync(t, text), options);
}

/** Creates `dir` and its missing parents below `base`, each new folder owned by `owner`. */
export function makeFolders(base: string, dir: string, owner: Owner, mode = 0o755): void {
  const relative = path.relative(base, dir);
  if (relative.startsWith("..") || path.isAbsolute(relative)) throw new Error(`${dir} is not inside ${base}`);
  let current = base;
  for (const segment of relative.split(path.sep).filter((s) => s !== "")) {
    current = path.join(current, segment);
    try {
      fs.mkdirSync(current, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    fs.chownSync(current, owner.uid, owner.gid);
    fs.chmodSync(current, mode);
  }
}

/** sha256 of what an open file holds, read through its descriptor (the inode, not the name). */
export async function sha256Of(fd: number): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.alloc(1024 * 1024);
  for (let position = 0; ;) {
    const n = await new Promise<number>((resolve, reject) =>
      fs.read(fd, buffer, 0, buffer.length, position, (e, bytes) => (e ? reject(e) : resolve(bytes))),
    );
    if (n === 0) return hash.digest("hex");
    hash.update(buffer.subarray(0, n));
    position += n;
  }
}

/** Removes a file; a missing one is fine. Returns whether something was removed. */
export function removeFile(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}
