/** Test media written into the temp dir; once written it sits in the page cache. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const CHUNK = 4 * 1024 * 1024;

/** A file of `bytes` pseudo-random bytes, readable by nginx's workers. */
export function makeFile(file: string, bytes: number): void {
  const chunk = randomBytes(Math.min(CHUNK, bytes));
  const fd = fs.openSync(file, "w", 0o644);
  try {
    for (let written = 0; written < bytes;) {
      const n = Math.min(chunk.length, bytes - written);
      written += fs.writeSync(fd, chunk, 0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `count` files named <prefix>00000<suffix> …, each `bytes` long. */
export function makeFiles(dir: string, prefix: string, suffix: string, count: number, bytes: number): void {
  const body = randomBytes(bytes);
  for (let i = 0; i < count; i++) {
    fs.writeFileSync(path.join(dir, `${prefix}${String(i).padStart(5, "0")}${suffix}`), body, {
      mode: 0o644,
    });
  }
}
