/**
 * Where a file is, in the worker's terms: an FTP user's path → a path under mediaRoot → the
 * location that serves it, the part of the location it is in, and the path below that.
 * Media paths are relative to mediaRoot, '/'-separated, without leading or trailing '/'.
 */
import {
  IMAGE_EXTENSIONS,
  INCOMING_FOLDER,
  REJECTED_FOLDER,
  VIDEO_EXTENSIONS,
  type WorkerLocation,
  type WorkerSettings,
} from "./settings";

/** published: served by nginx; incoming and rejected: a verified location's dot folders. */
export type Area = "published" | "incoming" | "rejected";

export interface Placement {
  readonly location: WorkerLocation;
  readonly area: Area;
  /** Below the location's folder (and below .incoming or .rejected), e.g. trips/alps.mp4. */
  readonly rest: string;
}

export type MediaKind = "video" | "image";

/**
 * A path as vsftpd logs it (absolute in the user's chroot, '..' kept) → its media path, or null
 * for an unknown user. '..' stops at the chroot, as it does for the FTP session.
 */
export function mediaPathOf(
  settings: Pick<WorkerSettings, "users">,
  user: string,
  loggedPath: string,
): string | null {
  const account = settings.users.find((u) => u.name === user);
  if (account === undefined) return null;
  const segments: string[] = [];
  for (const s of loggedPath.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  return joinPath(account.root, ...segments);
}

/** The location whose folder holds the media path (the longest one), or null if none does. */
export function placementOf(locations: readonly WorkerLocation[], mediaPath: string): Placement | null {
  let best: WorkerLocation | null = null;
  for (const l of locations) {
    if (!isInside(mediaPath, l.directory)) continue;
    if (best === null || l.directory.length > best.directory.length) best = l;
  }
  if (best === null || mediaPath === best.directory) return null;
  const below = (best.directory === "" ? mediaPath : mediaPath.slice(best.directory.length + 1)).split("/");
  if (best.publish === "verified" && below[0] === INCOMING_FOLDER) {
    return { location: best, area: "incoming", rest: below.slice(1).join("/") };
  }
  if (best.publish === "verified" && below[0] === REJECTED_FOLDER) {
    return { location: best, area: "rejected", rest: below.slice(1).join("/") };
  }
  return { location: best, area: "published", rest: below.join("/") };
}

/** The media path of a file at `rest` in a location's area. */
export function mediaPathIn(location: WorkerLocation, area: Area, rest: string): string {
  const folder = area === "incoming" ? INCOMING_FOLDER : area === "rejected" ? REJECTED_FOLDER : "";
  return joinPath(location.directory, folder, rest);
}

/**
 * A file the worker processes: a video or image extension, and no dot segment (nginx serves no
 * dot entries, and clients write their temporary names as dotfiles).
 */
export function mediaKindOf(rest: string): MediaKind | null {
  if (rest === "" || rest.split("/").some((s) => s.startsWith("."))) return null;
  const ext = extensionOf(rest);
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return "video";
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return "image";
  return null;
}

/** Lower-case extension without the dot ("" when there is none). */
export function extensionOf(file: string): string {
  const name = file.slice(file.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** Whether `path` is `folder` or below it ("" is mediaRoot itself). */
export function isInside(path: string, folder: string): boolean {
  return folder === "" || path === folder || path.startsWith(`${folder}/`);
}

export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
