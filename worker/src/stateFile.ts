/**
 * A JSON file in stateDir, replaced whole by rename on every save (an fsync first: the state
 * must survive the host losing power, not only the worker being killed).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryName } from "./files";

export class StateFile<T> {
  readonly file: string;

  constructor(
    stateDir: string,
    name: string,
    private readonly read: (json: unknown) => T,
  ) {
    this.file = path.join(stateDir, name);
  }

  /** The saved value, or `fallback` when there is none yet. A damaged file stops the worker. */
  load(fallback: T): T {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return fallback;
      throw e;
    }
    try {
      return this.read(JSON.parse(text));
    } catch (e) {
      throw new Error(`${this.file} is not valid state (${String(e)}); move it aside to start afresh`, {
        cause: e,
      });
    }
  }

  save(value: T): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = temporaryName(this.file);
    const fd = fs.openSync(temporary, "w", 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(value));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, this.file);
  }
}

/** An array of records, each checked by `isItem`; anything else makes the file invalid. */
export function arrayOf<T>(isItem: (v: unknown) => v is T): (json: unknown) => T[] {
  return (json) => {
    if (!Array.isArray(json) || !json.every(isItem)) throw new Error("not a list of the expected records");
    return json;
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
