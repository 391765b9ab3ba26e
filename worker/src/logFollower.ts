/**
 * Reads the lines vsftpd appended to its log since the last call. The FTP container rotates by
 * copy-truncate (the log is copied to `<log>.1`, then emptied in place), so a position is an
 * offset plus a hash of the file's first line: a shorter file, or another first line, means the
 * file was emptied (even if it has grown past the offset again), and the lines after the offset
 * are then in `<log>.1`. Only whole lines are returned; a partial last line waits for the next
 * call. Lines written between the copy and the truncation are lost: copy-truncate's own limit.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";

export interface LogPosition {
  readonly offset: number;
  /** sha256 of the first line (with its newline), null while the file has no whole line. */
  readonly head: string | null;
}

export const START: LogPosition = { offset: 0, head: null };

export interface LogRead {
  readonly lines: string[];
  readonly position: LogPosition;
  /** Set when lines were lost: the log was rotated twice, or `<log>.1` was not our file. */
  readonly gap?: string;
}

/** Bytes read per call at most, so a long backlog is worked through in bounded steps. */
const CHUNK = 1024 * 1024;
/** Longest first line hashed; vsftpd's lines are far shorter. */
const HEAD_LIMIT = 64 * 1024;

export function readNewLines(logFile: string, position: LogPosition): LogRead {
  const current = headOf(logFile);
  if (current === undefined) return { lines: [], position };
  const rotated =
    current.size < position.offset || (position.head !== null && current.head !== position.head);
  if (!rotated) return readFrom(logFile, position, current.size);

  const copy = headOf(`${logFile}.1`);
  let lines: string[] = [];
  let gap: string | undefined;
  if (position.offset > 0 && copy !== undefined && copy.head === position.head) {
    // The copy has our prefix; its rest is ours. A partial last line of the copy is dropped: the
    // copy never grows, and its end was lost to the truncation.
    lines = readFrom(`${logFile}.1`, position, copy.size, Infinity).lines;
  } else if (position.offset > 0) {
    gap = `${logFile} was rotated and ${logFile}.1 does not continue it; lines after offset ${position.offset} are lost`;
  }
  const fresh = readFrom(logFile, START, current.size);
  return { lines: [...lines, ...fresh.lines], position: fresh.position, ...(gap ? { gap } : {}) };
}

function readFrom(file: string, position: LogPosition, size: number, limit = CHUNK): LogRead {
  const length = Math.min(size - position.offset, limit);
  if (length <= 0) return { lines: [], position };
  const data = Buffer.alloc(length);
  const fd = fs.openSync(file, "r");
  let read = 0;
  try {
    while (read < length) {
      const n = fs.readSync(fd, data, read, length - read, position.offset + read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const end = data.subarray(0, read).lastIndexOf(0x0a);
  if (end < 0) return { lines: [], position };
  const whole = data.subarray(0, end + 1);
  const offset = position.offset + whole.length;
  const head = position.head ?? hashFirstLine(whole);
  // latin1 keeps every byte as one character; vsftpd's lines are ASCII anyway ('?' for others).
  const lines = whole
    .toString("latin1")
    .split("\n")
    .slice(0, -1)
    // A writer without O_APPEND would leave NULs where the emptied bytes were.
    .map((l) => l.replace(/^\0+/, ""))
    .filter((l) => l.length > 0);
  return { lines, position: { offset, head } };
}

function headOf(file: string): { size: number; head: string | null } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const data = Buffer.alloc(Math.min(size, HEAD_LIMIT));
    const n = fs.readSync(fd, data, 0, data.length, 0);
    return { size, head: hashFirstLine(data.subarray(0, n)) };
  } finally {
    fs.closeSync(fd);
  }
}

function hashFirstLine(data: Buffer): string | null {
  const end = data.indexOf(0x0a);
  return end < 0
    ? null
    : createHash("sha256")
        .update(data.subarray(0, end + 1))
        .digest("hex");
}
