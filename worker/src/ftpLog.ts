/**
 * One line of vsftpd's own log format (xferlog_std_format=NO), as vsftpd 3.0.5 writes it:
 *
 *   Tue Dec  1 12:48:59 2026 [pid 22208] CONNECT: Client "127.0.0.1"
 *   Tue Dec  1 12:48:59 2026 [pid 22211] [uploader] OK LOGIN: Client "127.0.0.1"
 *   Tue Dec  1 12:48:59 2026 [pid 22226] [uploader] FAIL LOGIN: Client "127.0.0.1"
 *   Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/a.mp4", 1000 bytes, 198.65Kbyte/sec
 *   Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/empty.mp4", 0.00Kbyte/sec
 *   Tue Dec  1 12:49:01 2026 [pid 22219] [uploader] FAIL UPLOAD: Client "127.0.0.1", "/videos/b.mp4", 200000 bytes, 391.04Kbyte/sec
 *   Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK RENAME: Client "127.0.0.1", "/videos/a.mp4 /videos/b.mp4"
 *   Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK DELETE: Client "127.0.0.1", "/videos/b.mp4"
 *   (also OK/FAIL MKDIR, RMDIR, DOWNLOAD, CHMOD with the same shape)
 *
 * What vsftpd does to these lines (observed on the services-tier vsftpd):
 * - a transfer of 0 bytes has no ", N bytes" part; N counts this transfer only (REST, APPE);
 * - paths are absolute in the user's chroot, the client's relative names prefixed with its
 *   working directory but not normalised ("/videos/sub dir/../a.mp4");
 * - quotes in paths are not escaped, so a path runs to the last `"` of its field;
 * - every byte outside 0x20–0x7e becomes '?', one per byte: "Größe été.mp4" is logged as
 *   "Gr????e ??t??.mp4" (mediaPaths.ts resolves such names against the directory);
 * - a client that closes the data connection early (FIN) gets "OK UPLOAD" of what arrived;
 *   only a reset or a timeout logs "FAIL UPLOAD".
 */

/** What a log line records; the SFTP log's lines give the same entries (sftpSessions.ts). */
export type FtpEntry =
  | { readonly kind: "connect"; readonly client: string }
  | { readonly kind: "login"; readonly ok: boolean; readonly user: string; readonly client: string }
  | {
      readonly kind: "upload";
      readonly ok: boolean;
      readonly user: string;
      readonly path: string;
      readonly bytes: number;
      /** The line's time stamp, read as UTC (the container's zone). */
      readonly time: Date | null;
      /** SFTP: the path is the name byte for byte (in vsftpd's, '?' stands for any byte). */
      readonly exact?: true;
      /** SFTP: the upload emptied the file first, so `bytes` is the whole file. */
      readonly whole?: boolean;
    }
  | { readonly kind: "delete"; readonly user: string; readonly path: string }
  /** Every way to split "FROM TO" at a space: paths may hold spaces, the caller checks the disk. */
  | {
      readonly kind: "rename";
      readonly user: string;
      readonly candidates: readonly (readonly [string, string])[];
      readonly time: Date | null;
      readonly exact?: true;
    }
  | { readonly kind: "mkdir" | "rmdir"; readonly user: string; readonly path: string };

const STAMP = String.raw`([A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})) \[pid \d+\] `;
const CONNECT = new RegExp(`^${STAMP}CONNECT: Client "([^"]*)"$`);
// A login line is recognised from its end: before login the bracketed user name is whatever the
// client typed, so a name such as `x] OK DELETE: Client "…", "/videos/a.mp4` must stay a login.
const LOGIN = new RegExp(`^${STAMP}\\[(.*)\\] (OK|FAIL) LOGIN: Client "([^"]*)"$`);
const ACTION = new RegExp(`^${STAMP}\\[([^\\]]*)\\] (OK|FAIL) ([A-Z]+): Client "([^"]*)", "(.*)$`);
const TRANSFER_TAIL = /^(.*)", (?:(\d+) bytes, )?\d+\.\d\dKbyte\/sec$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The entry a log line records, or null for a line the worker has no use for. */
export function parseLogLine(line: string): FtpEntry | null {
  const connect = CONNECT.exec(line);
  if (connect) return { kind: "connect", client: connect[8] };
  const login = LOGIN.exec(line);
  if (login) return { kind: "login", ok: login[9] === "OK", user: login[8], client: login[10] };
  const action = ACTION.exec(line);
  if (!action) return null;
  const [user, ok, verb, rest] = [action[8], action[9] === "OK", action[10], action[12]];
  if (verb === "UPLOAD") {
    const tail = TRANSFER_TAIL.exec(rest);
    if (!tail) return null;
    const bytes = tail[2] === undefined ? 0 : Number(tail[2]);
    return { kind: "upload", ok, user, path: tail[1], bytes, time: stampTime(action) };
  }
  // Only successful changes matter below: a failed DELETE or RENAME changed nothing.
  if (!ok || !rest.endsWith('"')) return null;
  const field = rest.slice(0, -1);
  switch (verb) {
    case "DELETE":
      return { kind: "delete", user, path: field };
    case "RENAME":
      return { kind: "rename", user, candidates: renameSplits(field), time: stampTime(action) };
    case "MKDIR":
      return { kind: "mkdir", user, path: field };
    case "RMDIR":
      return { kind: "rmdir", user, path: field };
    default:
      return null;
  }
}

/** vsftpd logs RNFR and RNTO joined by one space; both are absolute, so TO starts with '/'. */
export function renameSplits(field: string): [string, string][] {
  const splits: [string, string][] = [];
  for (let i = field.indexOf(" /"); i >= 0; i = field.indexOf(" /", i + 1)) {
    splits.push([field.slice(0, i), field.slice(i + 1)]);
  }
  return splits;
}

function stampTime(m: RegExpExecArray): Date | null {
  const month = MONTHS.indexOf(m[2]);
  const [day, h, min, s, year] = [m[3], m[4], m[5], m[6], m[7]].map((v) => Number(v.trim()));
  const time = new Date(Date.UTC(year, month, day, h, min, s));
  return month < 0 || Number.isNaN(time.getTime()) ? null : time;
}
