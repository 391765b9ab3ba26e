import { parseSftpLine, renameSplits, stampTime, unvis } from "../../../worker/src/sftpLog";

// Lines as OpenSSH 9.2's internal-sftp (`-l INFO`, chrooted) sent them to rsyslog 8.2302 through
// the chroot's /dev/log, in rsyslog's default file format, byte for byte: puts, an empty put, a
// refused put, a resumed put (reput), gets, mkdir, renames, removes, rmdir, odd names, and a put
// whose client was killed mid-transfer.
const at = (time: string, pid: number, message: string) =>
  `2026-12-01T${time}+00:00 vm internal-sftp[${pid}]: ${message}`;
const LOG = {
  opened: at("14:02:36.126042", 1612, "session opened for local user vsftest21364 from [127.0.0.1]"),
  closed: at("14:02:36.130490", 1612, "session closed for local user vsftest21364 from [127.0.0.1]"),
  noSuchFile: at("14:02:36.126934", 1612, "sent status No such file"),
  denied: at("14:02:54.312488", 1843, "sent status Permission denied"),
  open: at("14:02:36.127032", 1612, 'open "/videos/a.mp4" flags WRITE,CREATE,TRUNCATE mode 0644'),
  close: at("14:02:36.127381", 1612, 'close "/videos/a.mp4" bytes read 0 written 12345'),
  closeEmpty: at("14:02:36.127620", 1612, 'close "/videos/empty.mp4" bytes read 0 written 0'),
  openResume: at("14:02:50.220795", 1761, 'open "/videos/inted.mp4" flags WRITE,APPEND,CREATE mode 0644'),
  openRead: at("14:02:36.129514", 1612, 'open "/videos/sub dir/b.mp4" flags READ mode 0666'),
  closeRead: at("14:02:36.129768", 1612, 'close "/videos/sub dir/b.mp4" bytes read 12345 written 0'),
  forced: at("14:02:37.637554", 1619, 'forced close "/videos/killed.mp4" bytes read 0 written 1305600'),
  rename: at("14:02:36.127790", 1612, 'posix-rename old "/videos/a.mp4" new "/videos/sub dir/b.mp4"'),
  renameDots: at(
    "14:02:36.130298",
    1612,
    'posix-rename old "/videos/rel.mp4" new "/videos/sub dir/../moved.mp4"',
  ),
  remove: at("14:02:36.128264", 1612, 'remove name "/videos/c.mp4"'),
  mkdir: at("14:02:36.127685", 1612, 'mkdir name "/videos/sub dir" mode 0777'),
  rmdir: at("14:02:36.130373", 1612, 'rmdir name "/videos/sub dir"'),
  nonAscii: at(
    "14:02:36.128717",
    1612,
    'close "/videos/Gr\\303\\266\\303\\237e \\303\\251t\\303\\251.mp4" bytes read 0 written 12345',
  ),
  quotes: at(
    "14:02:36.129019",
    1612,
    'close "/videos/with "quotes", comma\\\\back.mp4" bytes read 0 written 12345',
  ),
  tab: at("14:02:50.693783", 1767, 'close "/videos/tab\\there.mp4" bytes read 0 written 12345'),
  newline: at("14:02:37.925275", 1645, 'close "/videos/new\\nline.mp4" bytes read 0 written 12345'),
  opendir: at("14:02:37.925412", 1645, 'opendir "/videos/"'),
  // syslog(3) sends at most 500 characters of a message: this close lost its tail.
  cut: at("14:02:50.693130", 1767, `close "/videos/${"d".repeat(200)}/${"e".repeat(200)}/${"f".repeat(83)}`),
  traditional: 'Dec  1 14:02:36 vm internal-sftp[1612]: close "/videos/a.mp4" bytes read 0 written 12345',
};
const NOW = new Date("2026-12-01T15:00:00Z");
const parse = (line: string) => parseSftpLine(line, NOW);

describe("parseSftpLine", () => {
  it("reads a session's start and end: its pid, user and client", () => {
    expect(parse(LOG.opened)).toEqual({
      kind: "session",
      opened: true,
      user: "vsftest21364",
      client: "127.0.0.1",
      pid: 1612,
      time: new Date("2026-12-01T14:02:36.126Z"),
    });
    expect(parse(LOG.closed)).toMatchObject({ kind: "session", opened: false, pid: 1612 });
  });

  it("reads an open's path and flags", () => {
    expect(parse(LOG.open)).toMatchObject({
      kind: "open",
      path: "/videos/a.mp4",
      flags: ["WRITE", "CREATE", "TRUNCATE"],
    });
    expect(parse(LOG.openResume)).toMatchObject({ flags: ["WRITE", "APPEND", "CREATE"] });
    expect(parse(LOG.openRead)).toMatchObject({ path: "/videos/sub dir/b.mp4", flags: ["READ"] });
  });

  it("reads a close's counts, and whether the session's end forced it", () => {
    expect(parse(LOG.close)).toEqual({
      kind: "close",
      path: "/videos/a.mp4",
      read: 0,
      written: 12345,
      forced: false,
      pid: 1612,
      time: new Date("2026-12-01T14:02:36.127Z"),
    });
    expect(parse(LOG.closeEmpty)).toMatchObject({ written: 0, forced: false });
    expect(parse(LOG.closeRead)).toMatchObject({ read: 12345, written: 0 });
    expect(parse(LOG.forced)).toMatchObject({ path: "/videos/killed.mp4", written: 1305600, forced: true });
  });

  it("reads rename, posix-rename, remove, mkdir and rmdir with their paths as logged", () => {
    expect(parse(LOG.rename)).toMatchObject({
      kind: "rename",
      candidates: [["/videos/a.mp4", "/videos/sub dir/b.mp4"]],
    });
    expect(parse(at("14:00:00.000000", 1, 'rename old "/v/a.mp4" new "/v/b.mp4"'))).toMatchObject({
      kind: "rename",
      candidates: [["/v/a.mp4", "/v/b.mp4"]],
    });
    expect(parse(LOG.renameDots)).toMatchObject({
      candidates: [["/videos/rel.mp4", "/videos/sub dir/../moved.mp4"]],
    });
    expect(parse(LOG.remove)).toMatchObject({ kind: "remove", path: "/videos/c.mp4" });
    expect(parse(LOG.mkdir)).toMatchObject({ kind: "mkdir", path: "/videos/sub dir" });
    expect(parse(LOG.rmdir)).toMatchObject({ kind: "rmdir", path: "/videos/sub dir" });
  });

  test.each([
    ["non-ASCII bytes, octal-escaped", LOG.nonAscii, "/videos/Größe été.mp4"],
    ["unescaped quotes and a doubled backslash", LOG.quotes, '/videos/with "quotes", comma\\back.mp4'],
    ["a tab", LOG.tab, "/videos/tab\there.mp4"],
    ["a newline", LOG.newline, "/videos/new\nline.mp4"],
  ])("decodes a name with %s to the name on disk", (_, line, path) => {
    expect(parse(line)).toMatchObject({ kind: "close", path });
  });

  it("reads a failed request's status, which names no request", () => {
    expect(parse(LOG.noSuchFile)).toMatchObject({ kind: "failed", status: "No such file" });
    expect(parse(LOG.denied)).toMatchObject({ kind: "failed", status: "Permission denied", pid: 1843 });
  });

  it("marks a close line that syslog cut at 500 characters", () => {
    expect(LOG.cut).toHaveLength(557);
    expect(parse(LOG.cut)).toMatchObject({ kind: "cut", pid: 1767 });
  });

  it("reads the traditional file format, its year from the day it is read", () => {
    expect(parse(LOG.traditional)).toMatchObject({
      kind: "close",
      pid: 1612,
      time: new Date("2026-12-01T14:02:36Z"),
    });
  });

  test.each([
    ["an empty line", ""],
    [
      "sshd's own line",
      "2026-12-01T14:02:36.100000+00:00 vm sshd[1611]: Accepted publickey for vsftest21364",
    ],
    ["a line without the internal-sftp tag", 'close "/videos/a.mp4" bytes read 0 written 12345'],
  ])("returns null for %s", (_, line) => {
    expect(parse(line)).toBeNull();
  });

  test.each([
    ["a request it has no use for", LOG.opendir],
    ["a path that is not UTF-8", at("14:00:00.000000", 1, 'close "/v/\\377.mp4" bytes read 0 written 1')],
    ["an escape strnvis never writes", at("14:00:00.000000", 1, 'remove name "/v/\\q.mp4"')],
  ])("reads %s as another line of the session", (_, line) => {
    expect(parse(line)).toMatchObject({ kind: "other" });
  });
});

describe("renameSplits", () => {
  it("gives every split at '\" new \"', since a name may hold it", () => {
    expect(renameSplits('/v/a" new "b.mp4" new "/v/c.mp4')).toEqual([
      ["/v/a", 'b.mp4" new "/v/c.mp4'],
      ['/v/a" new "b.mp4', "/v/c.mp4"],
    ]);
  });
});

describe("unvis", () => {
  it("undoes each escape strnvis writes", () => {
    expect(unvis("a\\\\b\\tc\\nd\\re\\sf\\303\\251")).toBe("a\\b\tc\nd\re fé");
  });
});

describe("stampTime", () => {
  it("reads RFC 3339 with its offset", () => {
    expect(stampTime("2026-12-01T15:02:36.126042+01:00 vm", NOW)).toEqual(
      new Date("2026-12-01T14:02:36.126Z"),
    );
  });

  it("puts a traditional stamp that would be in the future into the year before", () => {
    const newYear = new Date("2027-01-01T00:00:05Z");
    expect(stampTime("Dec 31 23:59:59 vm", newYear)).toEqual(new Date("2026-12-31T23:59:59Z"));
  });

  it("gives null for a prefix without a time", () => {
    expect(stampTime("", NOW)).toBeNull();
  });
});
