/**
 * Turns the SFTP log's lines (sftpLog.ts) into the entries vsftpd's log gives (ftpLog.ts), so
 * triggers.ts handles both alike. Only a session's first line names its user and later ones
 * carry its pid, so the open sessions are state, saved with the log position: a worker
 * restarted mid-upload still knows whose the close is.
 *
 * An upload is a close of a handle the session opened for writing (or that wrote bytes: its
 * open was before a gap in the log). It is complete only if the client closed it: a `forced
 * close` (the connection ended mid-transfer) is a failed upload, and so is one during which the
 * session logged a failed request (a write refused for lack of space, say), since the log does
 * not say which request failed. A download, or a write that never opened, is no upload at all.
 * A client that gives up (Ctrl-C in OpenSSH's sftp) closes its handle as if it had finished:
 * the log cannot tell them apart, so only a verified location's checks stop such a file, as
 * they stop the file of an FTP client that closed its data connection early.
 */
import type { FtpEntry } from "./ftpLog";
import { parseSftpLine, type SftpLine } from "./sftpLog";

/** A handle open for writing. */
export interface Writing {
  readonly path: string;
  /** Opened with TRUNCATE or EXCL: what it writes is the whole file. */
  readonly whole: boolean;
  /** A request of the session failed while it was open. */
  readonly failed: boolean;
}

export interface Session {
  readonly user: string;
  readonly writing: readonly Writing[];
}

/** By pid, as saved in the SFTP log's position file. */
export type SavedSessions = Readonly<Record<string, Session>>;

/** Sessions whose process was killed never log their end; the oldest are forgotten first. */
const MAX_SESSIONS = 1024;
const MAX_WRITING = 64;

export class SftpSessions {
  private readonly sessions = new Map<number, Session>();

  /** `saved` as toJSON gave it; anything else throws (the position file is damaged). */
  constructor(
    saved: unknown = {},
    private readonly warn: (line: string) => void = () => undefined,
  ) {
    if (!isSavedSessions(saved)) throw new Error("not a record of SFTP sessions by pid");
    for (const [pid, session] of Object.entries(saved)) this.sessions.set(Number(pid), session);
  }

  /** The entry a log line records, or null. */
  entryOf(text: string, now = new Date()): FtpEntry | null {
    const line = parseSftpLine(text, now);
    if (line === null) return null;
    if (line.kind === "cut") {
      this.warn(`SFTP log line cut at 500 characters by syslog(3), its upload is not seen: ${text}`);
    }
    if (line.kind === "session") return this.session(line);
    const session = this.sessions.get(line.pid);
    if (session === undefined) return null;
    const { user } = session;
    switch (line.kind) {
      case "open":
        if (line.flags.includes("WRITE")) {
          const whole = line.flags.includes("TRUNCATE") || line.flags.includes("EXCL");
          const writing = [...session.writing, { path: line.path, whole, failed: false }];
          this.sessions.set(line.pid, { user, writing: writing.slice(-MAX_WRITING) });
        }
        return null;
      case "failed":
        this.sessions.set(line.pid, { user, writing: session.writing.map((w) => ({ ...w, failed: true })) });
        return null;
      case "close":
        return this.closed(line.pid, session, line);
      case "rename":
        return { kind: "rename", user, candidates: line.candidates, time: line.time, exact: true };
      case "remove":
        return { kind: "delete", user, path: line.path };
      case "mkdir":
      case "rmdir":
        return { kind: line.kind, user, path: line.path };
      default:
        return null;
    }
  }

  toJSON(): SavedSessions {
    return Object.fromEntries(this.sessions);
  }

  private session(line: Extract<SftpLine, { kind: "session" }>): FtpEntry | null {
    this.sessions.delete(line.pid); // a pid used again: the new session, at the end of the order
    if (!line.opened) return null;
    this.sessions.set(line.pid, { user: line.user, writing: [] });
    for (const pid of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(pid);
    }
    return { kind: "login", ok: true, user: line.user, client: line.client };
  }

  private closed(pid: number, session: Session, line: Extract<SftpLine, { kind: "close" }>): FtpEntry | null {
    // The newest handle of the path is the one closed; older ones are opens that failed.
    const handle = session.writing.filter((w) => w.path === line.path).pop();
    if (handle !== undefined) {
      const writing = session.writing.filter((w) => w.path !== line.path);
      this.sessions.set(pid, { user: session.user, writing });
    }
    // No bytes through a handle that was not for writing, whose open failed, or that the
    // session's end closed before it emptied the file: nothing was uploaded.
    if (line.written === 0 && (handle === undefined || handle.failed || (line.forced && !handle.whole))) {
      return null;
    }
    return {
      kind: "upload",
      ok: !line.forced && !handle?.failed,
      user: session.user,
      path: line.path,
      bytes: line.written,
      time: line.time,
      exact: true,
      whole: handle?.whole ?? false,
    };
  }
}

function isSavedSessions(v: unknown): v is SavedSessions {
  return record(v) && Object.entries(v).every(([pid, s]) => /^\d+$/.test(pid) && isSession(s));
}

function isSession(v: unknown): v is Session {
  return (
    record(v) &&
    typeof v.user === "string" &&
    Array.isArray(v.writing) &&
    v.writing.every(
      (w: unknown) =>
        record(w) &&
        typeof w.path === "string" &&
        typeof w.whole === "boolean" &&
        typeof w.failed === "boolean",
    )
  );
}

function record(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
