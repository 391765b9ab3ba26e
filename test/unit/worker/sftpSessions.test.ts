import type { FtpEntry } from "../../../worker/src/ftpLog";
import { SftpSessions } from "../../../worker/src/sftpSessions";

// Sessions as internal-sftp logged them (see sftpLog.test.ts), line for line; lines marked
// "composed" put the observed forms into an order a test needs.
const at = (pid: number, message: string) =>
  `2026-12-01T14:02:36.127381+00:00 vm internal-sftp[${pid}]: ${message}`;
const opened = (pid: number, user = "vsftest21364") =>
  at(pid, `session opened for local user ${user} from [127.0.0.1]`);
const closed = (pid: number) => at(pid, "session closed for local user vsftest21364 from [127.0.0.1]");
const openWrite = (pid: number, p: string) => at(pid, `open "${p}" flags WRITE,CREATE,TRUNCATE mode 0644`);
const openRead = (pid: number, p: string) => at(pid, `open "${p}" flags READ mode 0666`);
const close = (pid: number, p: string, read: number, written: number) =>
  at(pid, `close "${p}" bytes read ${read} written ${written}`);
const TIME = new Date("2026-12-01T14:02:36.127Z");

const upload = (path: string, bytes: number, more: Partial<FtpEntry> = {}) => ({
  kind: "upload",
  ok: true,
  user: "vsftest21364",
  path,
  bytes,
  time: TIME,
  exact: true,
  whole: true,
  ...more,
});

function entries(lines: string[], sessions = new SftpSessions()): FtpEntry[] {
  return lines.flatMap((l) => sessions.entryOf(l) ?? []).filter((e) => e.kind !== "login");
}

describe("SftpSessions", () => {
  it("turns a completed put into an upload by the session's user, its whole file written", () => {
    const lines = [
      opened(1612),
      at(1612, "sent status No such file"),
      openWrite(1612, "/videos/a.mp4"),
      close(1612, "/videos/a.mp4", 0, 12345),
      closed(1612),
    ];
    expect(entries(lines)).toEqual([upload("/videos/a.mp4", 12345)]);
  });

  it("reads a put whose client or connection went away (a forced close) as a failed upload", () => {
    const lines = [
      opened(1619),
      openWrite(1619, "/videos/killed.mp4"),
      at(1619, 'forced close "/videos/killed.mp4" bytes read 0 written 1305600'),
      closed(1619),
    ];
    expect(entries(lines)).toEqual([upload("/videos/killed.mp4", 1305600, { ok: false })]);
  });

  it("counts an empty put as an upload, and no download as one, not even of an empty file", () => {
    const lines = [
      opened(1612),
      openWrite(1612, "/videos/empty.mp4"),
      close(1612, "/videos/empty.mp4", 0, 0),
      openRead(1612, "/videos/empty.mp4"),
      close(1612, "/videos/empty.mp4", 0, 0),
      openRead(1612, "/videos/sub dir/b.mp4"),
      close(1612, "/videos/sub dir/b.mp4", 12345, 0),
    ];
    expect(entries(lines)).toEqual([upload("/videos/empty.mp4", 0)]);
  });

  it("reads a resumed put (reput) as an upload of part of the file", () => {
    const lines = [
      opened(1761),
      at(1761, 'open "/videos/inted.mp4" flags WRITE,APPEND,CREATE mode 0644'),
      close(1761, "/videos/inted.mp4", 0, 48955520),
    ];
    expect(entries(lines)).toEqual([upload("/videos/inted.mp4", 48955520, { whole: false })]);
  });

  it("reads a put as failed when a request of its session failed while it was open (composed)", () => {
    const lines = [
      opened(1612),
      openWrite(1612, "/videos/a.mp4"),
      at(1612, "sent status Failure"),
      close(1612, "/videos/a.mp4", 0, 4096),
    ];
    expect(entries(lines)).toEqual([upload("/videos/a.mp4", 4096, { ok: false })]);
  });

  it("sees no upload in a refused open, nor in a later read of that path (composed)", () => {
    const lines = [
      opened(1843),
      openWrite(1843, "/refused.mp4"),
      at(1843, "sent status Permission denied"),
      openRead(1843, "/refused.mp4"),
      close(1843, "/refused.mp4", 0, 0),
    ];
    expect(entries(lines)).toEqual([]);
  });

  it("gives each line to the user of the session whose pid it carries (composed)", () => {
    const lines = [
      opened(1774, "alice"),
      openWrite(1774, "/videos/one.mp4"),
      opened(1780, "bob"),
      openWrite(1780, "/videos/two.mp4"),
      close(1774, "/videos/one.mp4", 0, 3000000),
      closed(1774),
      close(1780, "/videos/two.mp4", 0, 3000000),
    ];
    expect(entries(lines)).toEqual([
      upload("/videos/one.mp4", 3000000, { user: "alice" }),
      upload("/videos/two.mp4", 3000000, { user: "bob" }),
    ]);
  });

  it("counts the bytes a close names even when its open was not read (a gap in the log)", () => {
    const lines = [opened(1612), close(1612, "/videos/a.mp4", 0, 12345)];
    expect(entries(lines)).toEqual([upload("/videos/a.mp4", 12345, { whole: false })]);
  });

  it("ignores the lines of a session whose start it never read", () => {
    expect(entries([openWrite(99, "/videos/a.mp4"), close(99, "/videos/a.mp4", 0, 5)])).toEqual([]);
  });

  it("turns renames, removes, mkdir and rmdir into the FTP log's entries", () => {
    const lines = [
      opened(1612),
      at(1612, 'posix-rename old "/videos/a.mp4" new "/videos/sub dir/b.mp4"'),
      at(1612, 'remove name "/videos/c.mp4"'),
      at(1612, 'mkdir name "/videos/sub dir" mode 0777'),
      at(1612, 'rmdir name "/videos/sub dir"'),
    ];
    const user = "vsftest21364";
    expect(entries(lines)).toEqual([
      {
        kind: "rename",
        user,
        candidates: [["/videos/a.mp4", "/videos/sub dir/b.mp4"]],
        time: TIME,
        exact: true,
      },
      { kind: "delete", user, path: "/videos/c.mp4" },
      { kind: "mkdir", user, path: "/videos/sub dir" },
      { kind: "rmdir", user, path: "/videos/sub dir" },
    ]);
  });

  it("reports a login for each session opened", () => {
    expect(new SftpSessions().entryOf(opened(1612))).toEqual({
      kind: "login",
      ok: true,
      user: "vsftest21364",
      client: "127.0.0.1",
    });
  });

  it("saves its open sessions as JSON, so a close read after a restart is still an upload", () => {
    const before = new SftpSessions();
    entries([opened(1612), openWrite(1612, "/videos/a.mp4")], before);
    const saved: unknown = JSON.parse(JSON.stringify(before.toJSON()));
    expect(saved).toEqual({
      "1612": { user: "vsftest21364", writing: [{ path: "/videos/a.mp4", whole: true, failed: false }] },
    });
    expect(entries([close(1612, "/videos/a.mp4", 0, 12345)], new SftpSessions(saved))).toEqual([
      upload("/videos/a.mp4", 12345),
    ]);
  });

  it("refuses saved sessions it did not write", () => {
    expect(() => new SftpSessions({ "1612": { user: "u" } })).toThrow(/not a record of SFTP sessions/);
    expect(() => new SftpSessions([])).toThrow(/not a record of SFTP sessions/);
  });

  it("forgets the oldest sessions past 1024, which a killed process never closes", () => {
    const sessions = new SftpSessions();
    for (let pid = 1; pid <= 1025; pid++) sessions.entryOf(opened(pid));
    const pids = Object.keys(sessions.toJSON());
    expect(pids).toHaveLength(1024);
    expect(pids).not.toContain("1");
    expect(entries([closed(2)], sessions)).toEqual([]);
    expect(Object.keys(sessions.toJSON())).not.toContain("2");
  });

  it("warns of a close line cut at syslog's 500 characters", () => {
    const warnings: string[] = [];
    const sessions = new SftpSessions({}, (w) => warnings.push(w));
    sessions.entryOf(opened(1767));
    const cut = at(1767, `close "/videos/${"d".repeat(200)}/${"e".repeat(200)}/${"f".repeat(83)}`);
    expect(sessions.entryOf(cut)).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/^SFTP log line cut at 500 characters/)]);
  });
});
