import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readNewLines, START, type LogPosition } from "../../../worker/src/logFollower";
import { StateFile } from "../../../worker/src/stateFile";

// Both logs the worker follows: vsftpd's, and the SFTP server's (rsyslog's format).
const ftpLine = (n: number) =>
  `Tue Dec  1 12:00:${String(n % 60).padStart(2, "0")} 2026 [pid ${1000 + n}] CONNECT: Client "127.0.0.1"\n`;
const sftpLine = (n: number) =>
  `2026-12-01T12:00:${String(n % 60).padStart(2, "0")}.126042+00:00 vm internal-sftp[${1000 + n}]: ` +
  `session opened for local user uploader from [127.0.0.1]\n`;

describe.each([
  ["vsftpd.log", ftpLine],
  ["sftp.log", sftpLine],
])("readNewLines on %s", (name, line) => {
  const lines = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => line(from + i)).join("");
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-follower-"));
    log = path.join(dir, name);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** vsftpd or rsyslog appending, as O_APPEND writes do. */
  const append = (text: string) => fs.appendFileSync(log, text);
  /** The containers' rotation: copy to .1, then empty the original in place. */
  const copyTruncate = () => {
    fs.copyFileSync(log, `${log}.1`);
    fs.truncateSync(log, 0);
  };
  const read = (p: LogPosition) => readNewLines(log, p);

  it("returns nothing, and keeps the start, while the log does not exist", () => {
    expect(read(START)).toEqual({ lines: [], position: START });
  });

  it("returns whole lines only and holds a partial last line back until its newline", () => {
    append(line(1) + line(2).slice(0, 20));
    const first = read(START);
    expect(first.lines).toEqual([line(1).trimEnd()]);
    expect(first.position.offset).toBe(Buffer.byteLength(line(1)));
    append(line(2).slice(20));
    const second = read(first.position);
    expect(second.lines).toEqual([line(2).trimEnd()]);
    expect(read(second.position).lines).toEqual([]);
  });

  it("reads the rest of <log>.1 and then the new log after a copy-truncate, losing and repeating nothing", () => {
    append(lines(0, 5));
    let position = read(START).position;
    append(lines(5, 8));
    copyTruncate();
    append(lines(8, 10));
    const after = read(position);
    expect(after.lines).toEqual(lines(5, 10).trimEnd().split("\n"));
    expect(after.gap).toBeUndefined();
    position = after.position;
    append(lines(10, 11));
    expect(read(position).lines).toEqual([line(10).trimEnd()]);
  });

  it("sees a rotation even when the emptied log has grown past the old offset", () => {
    append(lines(0, 2));
    const position = read(START).position;
    copyTruncate();
    append(lines(100, 110));
    const after = read(position);
    expect(after.lines).toEqual(lines(100, 110).trimEnd().split("\n"));
  });

  it("reports lost lines when <log>.1 does not continue the log it was reading", () => {
    append(lines(0, 3));
    const position = read(START).position;
    copyTruncate();
    append(lines(20, 22));
    copyTruncate(); // a second rotation before the next read: .1 now starts elsewhere
    append(lines(40, 41));
    const after = read(position);
    expect(after.lines).toEqual([line(40).trimEnd()]);
    expect(after.gap).toMatch(/lost/);
  });

  it("resumes from a position saved in the state folder, as after a restart", () => {
    const state = new StateFile<LogPosition>(dir, "position.json", (j) => j as LogPosition);
    append(lines(0, 4));
    state.save(read(START).position);
    append(lines(4, 6));
    expect(read(state.load(START)).lines).toEqual(lines(4, 6).trimEnd().split("\n"));
  });

  it("skips the NUL bytes a writer without O_APPEND leaves after a truncation", () => {
    fs.writeFileSync(log, Buffer.concat([Buffer.alloc(8), Buffer.from(line(1))]));
    expect(read(START).lines).toEqual([line(1).trimEnd()]);
  });
});
