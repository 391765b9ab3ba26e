import { parseLogLine, renameSplits } from "../../../worker/src/ftpLog";

// Lines as vsftpd 3.0.5 wrote them on the services-tier harness (uploads, a reset data
// connection, a refused STOR, a rename, deletes, a failed login), byte for byte.
const LOG = {
  connect: 'Tue Dec  1 12:48:59 2026 [pid 22208] CONNECT: Client "127.0.0.1"',
  login: 'Tue Dec  1 12:48:59 2026 [pid 22211] [uploader] OK LOGIN: Client "127.0.0.1"',
  badLogin: 'Tue Dec  1 12:49:02 2026 [pid 22226] [uploader] FAIL LOGIN: Client "127.0.0.1"',
  upload:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/a.mp4", 1000 bytes, 198.65Kbyte/sec',
  empty:
    'Tue Dec  1 12:49:32 2026 [pid 22580] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/empty.mp4", 0.00Kbyte/sec',
  reset:
    'Tue Dec  1 12:49:01 2026 [pid 22219] [uploader] FAIL UPLOAD: Client "127.0.0.1", "/videos/rst-abort.mp4", 200000 bytes, 391.04Kbyte/sec',
  refused:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] FAIL UPLOAD: Client "127.0.0.1", "/nope/x.mp4", 0.00Kbyte/sec',
  nonAscii:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/Gr????e ??t??.mp4", 10 bytes, 9.34Kbyte/sec',
  quotes:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/with "quotes", comma.mp4", 11 bytes, 5.67Kbyte/sec',
  spaces:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/trips/alps/day 1.mp4", 13 bytes, 11.56Kbyte/sec',
  rename:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK RENAME: Client "127.0.0.1", "/videos/a.mp4 /videos/b.mp4"',
  renameRelative:
    'Tue Dec  1 12:49:32 2026 [pid 22580] [uploader] OK RENAME: Client "127.0.0.1", "/videos/sub dir/../rel 2.mp4 /videos/sub dir/moved.mp4"',
  delete: 'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK DELETE: Client "127.0.0.1", "/videos/b.mp4"',
  failedDelete:
    'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] FAIL DELETE: Client "127.0.0.1", "/videos/missing.mp4"',
  mkdir: 'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] OK MKDIR: Client "127.0.0.1", "/videos/trips"',
  failedMkdir: 'Tue Dec  1 12:48:59 2026 [pid 22213] [uploader] FAIL MKDIR: Client "127.0.0.1", "/videos"',
  rmdir: 'Tue Dec  1 12:49:32 2026 [pid 22580] [uploader] OK RMDIR: Client "127.0.0.1", "/videos/sub dir"',
};

describe("parseLogLine", () => {
  it("reads a completed upload's user, path, bytes and time", () => {
    expect(parseLogLine(LOG.upload)).toEqual({
      kind: "upload",
      ok: true,
      user: "uploader",
      path: "/videos/a.mp4",
      bytes: 1000,
      time: new Date("2026-12-01T12:48:59Z"),
    });
  });

  it("reads an upload of 0 bytes, which vsftpd logs without a byte count", () => {
    expect(parseLogLine(LOG.empty)).toMatchObject({
      kind: "upload",
      ok: true,
      path: "/videos/empty.mp4",
      bytes: 0,
    });
  });

  it("reads FAIL UPLOAD as a failed upload, with or without bytes", () => {
    expect(parseLogLine(LOG.reset)).toMatchObject({
      kind: "upload",
      ok: false,
      path: "/videos/rst-abort.mp4",
      bytes: 200000,
    });
    expect(parseLogLine(LOG.refused)).toMatchObject({
      kind: "upload",
      ok: false,
      path: "/nope/x.mp4",
      bytes: 0,
    });
  });

  test.each([
    ["spaces", LOG.spaces, "/videos/trips/alps/day 1.mp4"],
    ["unescaped quotes and a comma", LOG.quotes, '/videos/with "quotes", comma.mp4'],
    ["non-ASCII bytes logged as '?'", LOG.nonAscii, "/videos/Gr????e ??t??.mp4"],
  ])("keeps a path with %s whole", (_, line, path) => {
    expect(parseLogLine(line)).toMatchObject({ kind: "upload", path });
  });

  it("reads OK DELETE, MKDIR and RMDIR with their paths", () => {
    expect(parseLogLine(LOG.delete)).toEqual({ kind: "delete", user: "uploader", path: "/videos/b.mp4" });
    expect(parseLogLine(LOG.mkdir)).toEqual({ kind: "mkdir", user: "uploader", path: "/videos/trips" });
    expect(parseLogLine(LOG.rmdir)).toEqual({ kind: "rmdir", user: "uploader", path: "/videos/sub dir" });
  });

  it("ignores failed deletes and mkdirs: they changed nothing", () => {
    expect(parseLogLine(LOG.failedDelete)).toBeNull();
    expect(parseLogLine(LOG.failedMkdir)).toBeNull();
  });

  it("reads a rename as every split of FROM TO at a space before '/'", () => {
    expect(parseLogLine(LOG.rename)).toMatchObject({
      kind: "rename",
      candidates: [["/videos/a.mp4", "/videos/b.mp4"]],
    });
    expect(parseLogLine(LOG.renameRelative)).toMatchObject({
      candidates: [["/videos/sub dir/../rel 2.mp4", "/videos/sub dir/moved.mp4"]],
    });
    expect(renameSplits("/v/a /b.mp4 /v/c.mp4")).toEqual([
      ["/v/a", "/b.mp4 /v/c.mp4"],
      ["/v/a /b.mp4", "/v/c.mp4"],
    ]);
  });

  it("reads CONNECT and LOGIN lines", () => {
    expect(parseLogLine(LOG.connect)).toEqual({ kind: "connect", client: "127.0.0.1" });
    expect(parseLogLine(LOG.login)).toEqual({
      kind: "login",
      ok: true,
      user: "uploader",
      client: "127.0.0.1",
    });
    expect(parseLogLine(LOG.badLogin)).toMatchObject({ kind: "login", ok: false });
  });

  it("keeps as a login a failed login whose typed user name imitates a delete line", () => {
    const typed = 'x] OK DELETE: Client "1.2.3.4", "/videos/a.mp4';
    const line = `Tue Dec  1 12:49:02 2026 [pid 9] [${typed}] FAIL LOGIN: Client "203.0.113.9"`;
    expect(parseLogLine(line)).toEqual({ kind: "login", ok: false, user: typed, client: "203.0.113.9" });
  });

  test.each([
    ["an empty line", ""],
    ["text that is not vsftpd's", "hello world"],
    [
      "a truncated upload line",
      'Tue Dec  1 12:48:59 2026 [pid 1] [uploader] OK UPLOAD: Client "127.0.0.1", "/videos/a.mp4", 10',
    ],
    ["a line without its time stamp", '[pid 1] [uploader] OK DELETE: Client "127.0.0.1", "/videos/b.mp4"'],
  ])("returns null for %s", (_, line) => {
    expect(parseLogLine(line)).toBeNull();
  });
});
