/**
 * Files the worker will not process again as they are: uploads the FTP log reported as failed,
 * and jobs that failed. Keyed like jobs (media path, size, mtime), so a new upload of the same
 * name is a new key and is processed; the rescan skips these keys instead of looping on them.
 */
import { arrayOf, isRecord, StateFile } from "./stateFile";

export interface Failure {
  readonly key: string;
  readonly reason: string;
  /** ISO 8601. */
  readonly at: string;
}

const isFailure = (v: unknown): v is Failure =>
  isRecord(v) && typeof v.key === "string" && typeof v.reason === "string";

export class Failures {
  private readonly file: StateFile<Failure[]>;
  private readonly byKey: Map<string, Failure>;

  constructor(stateDir: string) {
    this.file = new StateFile(stateDir, "failures.json", arrayOf(isFailure));
    this.byKey = new Map(this.file.load([]).map((f) => [f.key, f]));
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  add(key: string, reason: string, now = new Date()): void {
    this.byKey.set(key, { key, reason, at: now.toISOString() });
    this.save();
  }

  /** Forgets the keys no file has any more (the rescan passes the keys it saw). */
  keepOnly(current: ReadonlySet<string>): void {
    let changed = false;
    for (const key of this.byKey.keys()) {
      if (!current.has(key)) changed = this.byKey.delete(key) || changed;
    }
    if (changed) this.save();
  }

  private save(): void {
    this.file.save([...this.byKey.values()]);
  }
}
