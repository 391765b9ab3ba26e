/**
 * Moving a verified upload out of .incoming: published (to its name in the location) or
 * rejected (to .rejected, with a reason file). Both are a rename() on one filesystem: atomic,
 * no copy, and nginx sees the whole file appear at once.
 *
 * The job holds the upload open from the start, and owns it by published's owner before it
 * checks anything: the uploader can then no longer write into the file it is checking. The
 * name could still be pointed at another file (delete and upload again), so the move checks
 * that the name is still the file that was checked, by inode.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeFolders, writeTextAtomically } from "./files";
import { mediaPathIn, type Placement } from "./mediaPaths";
import { REASON_SUFFIX } from "./planner";
import type { Owner, WorkerSettings } from "./settings";

type Roots = Pick<WorkerSettings, "mediaRoot" | "owners">;

/** Takes the open upload away from the uploader: published's owner, mode 0644. */
export function lockUpload(fd: number, owners: WorkerSettings["owners"]): void {
  fs.fchownSync(fd, owners.published.uid, owners.published.gid);
  fs.fchmodSync(fd, 0o644);
}

export class ReplacedError extends Error {}

/** Renames the checked file to its published name; returns that path. */
export function publishUpload(
  settings: Roots,
  from: string,
  checked: fs.Stats,
  placement: Placement,
): string {
  const to = path.join(settings.mediaRoot, mediaPathIn(placement.location, "published", placement.rest));
  if (from === to) return to;
  makeFolders(
    path.join(settings.mediaRoot, placement.location.directory),
    path.dirname(to),
    settings.owners.published,
  );
  moveIfSame(from, to, checked);
  return to;
}

/**
 * Moves the file to .rejected (folders, file and reason owned by the uploader, so they can
 * delete them over FTP) and writes `<name>.reason.txt` beside it.
 */
export async function rejectUpload(
  settings: Roots,
  fd: number,
  from: string,
  checked: fs.Stats,
  placement: Placement,
  reason: string,
): Promise<string> {
  const uploader: Owner = settings.owners.uploader;
  const to = path.join(settings.mediaRoot, mediaPathIn(placement.location, "rejected", placement.rest));
  makeFolders(path.join(settings.mediaRoot, placement.location.directory), path.dirname(to), uploader);
  fs.fchownSync(fd, uploader.uid, uploader.gid);
  fs.fchmodSync(fd, 0o644);
  moveIfSame(from, to, checked);
  const text = `${placement.rest} was not published: ${reason}\nDelete it, or upload a corrected file again.\n`;
  await writeTextAtomically(`${to}${REASON_SUFFIX}`, text, { owner: uploader });
  return to;
}

function moveIfSame(from: string, to: string, checked: fs.Stats): void {
  const now = fs.lstatSync(from);
  if (now.ino !== checked.ino || now.dev !== checked.dev) {
    throw new ReplacedError(`${from} was replaced while it was checked`);
  }
  fs.renameSync(from, to);
}
