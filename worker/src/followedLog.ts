/**
 * A log the worker follows, vsftpd's or the SFTP server's: logFollower.ts reads its new lines
 * from a position saved in stateDir, and the log's reader turns each into an entry. A reader may
 * keep state across lines (the SFTP log's open sessions), saved in the same file as the
 * position, so that the two always match.
 */
import { parseLogLine, type FtpEntry } from "./ftpLog";
import { readNewLines, START, type LogPosition } from "./logFollower";
import type { WorkerSettings } from "./settings";
import { SftpSessions } from "./sftpSessions";
import { isRecord, StateFile } from "./stateFile";

export interface LogReader {
  entryOf(line: string): FtpEntry | null;
  /** What is saved beside the position (JSON); {} for a reader without state. */
  state(): Record<string, unknown>;
}

type Saved = LogPosition & Record<string, unknown>;

const isPosition = (v: unknown): v is Saved =>
  isRecord(v) && typeof v.offset === "number" && (v.head === null || typeof v.head === "string");

export class FollowedLog {
  private position: LogPosition;
  private readonly reader: LogReader;
  private readonly saved: StateFile<Saved>;

  /** `makeReader` gets what the last run saved (or START); it throws if that is not its state. */
  constructor(
    readonly file: string,
    stateDir: string,
    stateName: string,
    makeReader: (saved: Saved) => LogReader,
  ) {
    let reader: LogReader | undefined;
    this.saved = new StateFile<Saved>(stateDir, stateName, (j) => {
      if (!isPosition(j)) throw new Error("not a log position");
      reader = makeReader(j);
      return j;
    });
    const fresh: Saved = { ...START };
    const { offset, head } = this.saved.load(fresh);
    this.position = { offset, head };
    this.reader = reader ?? makeReader(fresh);
  }

  get offset(): number {
    return this.position.offset;
  }

  /** Hands each entry of the lines appended since the last call to `handle`, then saves the position. */
  poll(handle: (entry: FtpEntry) => void, log: (line: string) => void): void {
    const read = readNewLines(this.file, this.position);
    if (read.gap) log(read.gap);
    for (const line of read.lines) {
      try {
        const entry = this.reader.entryOf(line);
        if (entry !== null) handle(entry);
      } catch (e) {
        // One line's trouble (a file it names is unreadable) must not hold up every later line.
        log(`log line not handled (${e instanceof Error ? e.message : String(e)}): ${line}`);
      }
    }
    // After the lines' jobs are saved: a crash in between reads them again (jobs are keyed).
    if (read.position.offset !== this.position.offset || read.position.head !== this.position.head) {
      this.position = read.position;
      this.saved.save({ ...this.position, ...this.reader.state() });
    }
  }
}

/** vsftpd's log, and the SFTP server's when there is one, each with its own position file. */
export function followedLogs(settings: WorkerSettings, log: (line: string) => void): FollowedLog[] {
  const ftp = new FollowedLog(settings.ftpLog, settings.stateDir, "ftp-log-position.json", () => ({
    entryOf: parseLogLine,
    state: () => ({}),
  }));
  if (settings.sftpLog === undefined) return [ftp];
  const sftp = new FollowedLog(settings.sftpLog, settings.stateDir, "sftp-log-position.json", (saved) => {
    const sessions = new SftpSessions(saved.sessions ?? {}, log);
    return { entryOf: (line) => sessions.entryOf(line), state: () => ({ sessions: sessions.toJSON() }) };
  });
  return [ftp, sftp];
}
