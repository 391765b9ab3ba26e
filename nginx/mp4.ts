// With `?start=` or `?end=`, ngx_http_mp4_module parses any file of its location as MP4: for a WebM
// or an image that is a 500 and an error line, so the location answers 400 instead.
import type { LocationSpec } from "../spec";
import { block } from "./block";

export const MP4_EXTENSIONS = ["mp4", "m4v", "m4a", "mov"] as const;

const SEEK_VAR = "$vs_seek_not_mp4";

export function mp4SeekMap(): string[] {
  return block(`map "$arg_start$arg_end:$uri" ${SEEK_VAR}`, [
    '"~^:" 0;',
    `"~*\\.(${MP4_EXTENSIONS.join("|")})$" 0;`,
    "default 1;",
  ]);
}

// `aio threads` (http.aioThreads) keeps a video read that misses the page cache off the worker, at
// the price of a hand-off per read: ~10–30 % more CPU per GB for files in the page cache, for no
// more throughput (bench/README.md#tuning). Only in MP4 locations: for small files the hand-off
// costs more than the copy.
export function mp4Directive(l: LocationSpec, aioThreads: boolean): string[] {
  if (!l.mp4) return [];
  return aioThreads ? ["mp4;", "aio threads;"] : ["mp4;"];
}

export function mp4SeekGuard(l: LocationSpec): string[] {
  return l.mp4 ? block(`if (${SEEK_VAR})`, ["return 400;"]) : [];
}
