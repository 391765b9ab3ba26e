/**
 * One line of the SFTP server's log: OpenSSH 9.2's internal-sftp run as `internal-sftp -l INFO`,
 * as a syslog daemon writes what it sends to the `/dev/log` in the user's chroot (rsyslog 8.2302,
 * Debian 12's default file format, or its traditional one):
 *
 *   2026-12-01T13:57:25.495108+00:00 vm internal-sftp[28869]: session opened for local user uploader from [127.0.0.1]
 *   2026-12-01T13:57:25.495819+00:00 vm internal-sftp[28869]: open "/videos/a.mp4" flags WRITE,CREATE,TRUNCATE mode 0644
 *   2026-12-01T13:57:25.496216+00:00 vm internal-sftp[28869]: close "/videos/a.mp4" bytes read 0 written 12345
 *   2026-12-01T13:57:34.214377+00:00 vm internal-sftp[29086]: forced close "/videos/b.mp4" bytes read 0 written 1827840
 *   2026-12-01T13:57:25.496760+00:00 vm internal-sftp[28869]: posix-rename old "/videos/a.mp4" new "/videos/sub dir/b.mp4"
 *   2026-12-01T13:57:25.497358+00:00 vm internal-sftp[28869]: remove name "/videos/c.mp4"
 *   2026-12-01T13:57:25.496618+00:00 vm internal-sftp[28869]: mkdir name "/videos/sub dir" mode 0777
 *   2026-12-01T13:57:25.500354+00:00 vm internal-sftp[28869]: rmdir name "/videos/sub dir"
 *   2026-12-01T13:57:25.500373+00:00 vm internal-sftp[28869]: sent status Failure
 *   2026-12-01T13:57:25.500482+00:00 vm internal-sftp[28869]: session closed for local user uploader from [127.0.0.1]
 *   Dec  1 13:57:25 vm internal-sftp[28869]: …   (RSYSLOG_TraditionalFileFormat: no year)
 *
 * What internal-sftp does to these lines (sftp-server.c, and observed):
 * - only the first line of a session names its user; every line carries the session's pid;
 * - `forced close` is a handle still open when the session ended (the client or its connection
 *   went away mid-transfer); a session killed outright logs nothing more;
 * - a close is logged before close(2), and a failed request only as a later `sent status …`
 *   that names no request;
 * - paths are as the client sent them, ".." kept (OpenSSH's client sends absolute paths);
 * - the message is strnvis(3)-encoded: `\\` for a backslash, `\t`, `\n` …, and `\ooo` for every
 *   other byte outside printable ASCII ("Größe" → "Gr\303\266\303\237e"); quotes are not escaped;
 * - syslog(3) cuts a message at 500 characters, so a close of a path that long loses its count.
 */

interface Common {
  readonly pid: number;
  /** The line's time stamp (the traditional format's read as UTC, the container's zone). */
  readonly time: Date | null;
}

export type SftpLine = Common &
  (
    | { readonly kind: "session"; readonly opened: boolean; readonly user: string; readonly client: string }
    | { readonly kind: "open"; readonly path: string; readonly flags: readonly string[] }
    | {
        readonly kind: "close";
        readonly path: string;
        readonly read: number;
        readonly written: number;
        /** Closed by the session's end, not by the client. */
        readonly forced: boolean;
      }
    /** Every way to split the line at `" new "`: a path may hold that text too. */
    | { readonly kind: "rename"; readonly candidates: readonly (readonly [string, string])[] }
    | { readonly kind: "remove" | "mkdir" | "rmdir"; readonly path: string }
    /** `sent status X`: internal-sftp logs only the statuses other than OK and EOF. */
    | { readonly kind: "failed"; readonly status: string }
    /** A close line cut at syslog(3)'s 500 characters: its path and count are lost. */
    | { readonly kind: "cut" }
    | { readonly kind: "other" }
  );

/** syslog(3) in glibc sends at most this much of a message ("%.500s" in OpenSSH's log.c). */
export const SYSLOG_MESSAGE_LIMIT = 500;

const TAG = /^(?:(.*?) )?internal-sftp\[(\d+)\]: (.*)$/;
const SESSION = /^session (opened|closed) for local user (.*) from \[([^\]]*)\]$/;
const OPEN = /^open "(.*)" flags ([A-Z,]*) mode 0[0-7]+$/;
const CLOSE = /^(forced )?close "(.*)" bytes read (\d+) written (\d+)$/;
const RENAME = /^(?:posix-)?rename old "(.*)"$/;
const NAMED = /^(remove|rmdir) name "(.*)"$/;
const MKDIR = /^mkdir name "(.*)" mode 0[0-7]+$/;
const STATUS = /^sent status (.*)$/;

/** The line's record, or null for a line that internal-sftp did not write (sshd's, say). */
export function parseSftpLine(line: string, now = new Date()): SftpLine | null {
  const tag = TAG.exec(line);
  if (!tag) return null;
  const common: Common = { pid: Number(tag[2]), time: stampTime(tag[1] ?? "", now) };
  const other: SftpLine = { ...common, kind: "other" };
  // A path that is not UTF-8 once decoded is of no use: the worker handles paths as strings.
  const named = (logged: string, make: (path: string) => SftpLine): SftpLine => {
    const path = unvis(logged);
    return path === null ? other : make(path);
  };
  const message = tag[3];
  let m: RegExpExecArray | null;
  if ((m = SESSION.exec(message))) {
    const [opened, client] = [m[1] === "opened", m[3]];
    return named(m[2], (user) => ({ ...common, kind: "session", opened, user, client }));
  }
  if ((m = OPEN.exec(message))) {
    const flags = m[2].split(",");
    return named(m[1], (path) => ({ ...common, kind: "open", path, flags }));
  }
  if ((m = CLOSE.exec(message))) {
    const [forced, read, written] = [m[1] !== undefined, Number(m[3]), Number(m[4])];
    return named(m[2], (path) => ({ ...common, kind: "close", path, read, written, forced }));
  }
  if ((m = RENAME.exec(message))) return { ...common, kind: "rename", candidates: renameSplits(m[1]) };
  if ((m = NAMED.exec(message))) {
    const kind = m[1] === "remove" ? "remove" : "rmdir";
    return named(m[2], (path) => ({ ...common, kind, path }));
  }
  if ((m = MKDIR.exec(message))) return named(m[1], (path) => ({ ...common, kind: "mkdir", path }));
  if ((m = STATUS.exec(message))) return { ...common, kind: "failed", status: m[1] };
  if (message.length >= SYSLOG_MESSAGE_LIMIT && /^(forced )?close "/.test(message)) {
    return { ...common, kind: "cut" };
  }
  return other;
}

/** `FROM" new "TO` split at each `" new "`, both sides decoded; splits that do not decode are left out. */
export function renameSplits(field: string): [string, string][] {
  const splits: [string, string][] = [];
  const separator = '" new "';
  for (let i = field.indexOf(separator); i >= 0; i = field.indexOf(separator, i + 1)) {
    const [from, to] = [unvis(field.slice(0, i)), unvis(field.slice(i + separator.length))];
    if (from !== null && to !== null) splits.push([from, to]);
  }
  return splits;
}

const ESCAPES: Readonly<Record<string, number>> = {
  "\\": 0x5c,
  n: 0x0a,
  r: 0x0d,
  b: 0x08,
  a: 0x07,
  v: 0x0b,
  t: 0x09,
  f: 0x0c,
  s: 0x20,
  "0": 0x00,
};

/**
 * Undoes strnvis(VIS_CSTYLE|VIS_NL|VIS_TAB|VIS_OCTAL): the name's bytes, read as UTF-8; null
 * when they are not UTF-8 or the text is not something strnvis writes.
 */
export function unvis(text: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "\\") {
      bytes.push(text.charCodeAt(i) & 0xff); // the follower reads lines as latin1: one byte each
      continue;
    }
    const octal = /^[0-3][0-7]{2}/.exec(text.slice(i + 1, i + 4));
    const escaped = octal ? parseInt(octal[0], 8) : ESCAPES[text[i + 1]];
    if (escaped === undefined) return null;
    bytes.push(escaped);
    i += octal ? 3 : 1;
  }
  const buffer = Buffer.from(bytes);
  const decoded = buffer.toString("utf8");
  return Buffer.from(decoded, "utf8").equals(buffer) ? decoded : null;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const TRADITIONAL = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?: |$)/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_MS = 86_400_000;

/**
 * The time at the start of the line's prefix: RFC 3339 (rsyslog's default), or the traditional
 * `Mmm dd hh:mm:ss`, whose year is taken as the one that does not put it more than a day ahead.
 */
export function stampTime(prefix: string, now: Date): Date | null {
  const stamp = prefix.split(" ")[0] ?? "";
  const iso = RFC3339.exec(stamp);
  if (iso) {
    const [y, mo, d, h, mi, s] = iso.slice(1, 7).map(Number);
    const ms = iso[7] === undefined ? 0 : Math.floor(Number(iso[7]) * 1000);
    const zone =
      iso[8] === "Z"
        ? 0
        : (iso[8][0] === "-" ? -1 : 1) * (Number(iso[8].slice(1, 3)) * 60 + Number(iso[8].slice(4)));
    const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - zone * 60_000);
    return Number.isNaN(time.getTime()) ? null : time;
  }
  const old = TRADITIONAL.exec(prefix);
  const month = old ? MONTHS.indexOf(old[1]) : -1;
  if (!old || month < 0) return null;
  const [day, h, mi, s] = old.slice(2, 6).map((v) => Number(v.trim()));
  const at = (year: number) => new Date(Date.UTC(year, month, day, h, mi, s));
  const time = at(now.getUTCFullYear());
  return time.getTime() > now.getTime() + DAY_MS ? at(now.getUTCFullYear() - 1) : time;
}
