/**
 * mp4 pseudo-streaming (ngx_http_mp4_module): `?start=` / `?end=` in seconds cut an MP4 at key
 * frames' sample tables and send a smaller, valid file. The module parses any file of its
 * location as MP4 when those arguments are present; for a WebM or an image that is a 500 and an
 * error line, so the location answers 400 instead.
 */
import type { LocationSpec } from "../spec";
import { block } from "./block";

/** ISO base media files the module can cut. */
export const MP4_EXTENSIONS = ["mp4", "m4v", "m4a", "mov"] as const;

const SEEK_VAR = "$vs_seek_not_mp4";

/** http-block map: 1 when `start`/`end` ask to cut a file that is not MP4. */
export function mp4SeekMap(): string[] {
  return block(`map "$arg_start$arg_end:$uri" ${SEEK_VAR}`, [
    '"~^:" 0;',
    `"~*\\.(${MP4_EXTENSIONS.join("|")})$" 0;`,
    "default 1;",
  ]);
}

/**
 * `mp4;`, and `aio threads;`: a video read that misses the page cache goes to nginx's thread
 * pool instead of blocking the worker. Only here: for small files the hand-off costs more than
 * the copy (the benchmark measured small-file requests/s halved with it in the http block).
 */
export function mp4Directive(l: LocationSpec): string[] {
  return l.mp4 ? ["mp4;", "aio threads;"] : [];
}

/** A rewrite-phase check; comes after the access and signature checks. */
export function mp4SeekGuard(l: LocationSpec): string[] {
  return l.mp4 ? block(`if (${SEEK_VAR})`, ["return 400;"]) : [];
}
