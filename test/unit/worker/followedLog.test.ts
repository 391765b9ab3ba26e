import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { followedLogs } from "../../../worker/src/followedLog";
import type { FtpEntry } from "../../../worker/src/ftpLog";
import type { WorkerSettings } from "../../../worker/src/settings";

const ftpUpload = (p: string) =>
  `Tue Dec  1 12:48:59 2026 [pid 7] [uploader] OK UPLOAD: Client "127.0.0.1", "${p}", 5 bytes, 1.00Kbyte/sec\n`;
const sftp = (message: string) => `2026-12-01T12:48:59.127381+00:00 vm internal-sftp[1612]: ${message}\n`;
const SESSION = sftp("session opened for local user uploader from [127.0.0.1]");
const OPEN = sftp('open "/videos/b.mp4" flags WRITE,CREATE,TRUNCATE mode 0644');
const CLOSE = sftp('close "/videos/b.mp4" bytes read 0 written 5');

describe("followedLogs", () => {
  let dir: string;
  let settings: Pick<WorkerSettings, "ftpLog" | "sftpLog" | "stateDir">;
  const logged: string[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-followed-"));
    settings = {
      ftpLog: path.join(dir, "vsftpd.log"),
      sftpLog: path.join(dir, "sftp.log"),
      stateDir: path.join(dir, "state"),
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A worker's start: the logs as saved in the state folder. */
  const start = (s = settings) => followedLogs(s as WorkerSettings, (l) => logged.push(l));
  const poll = (logs: ReturnType<typeof start>) => {
    const entries: FtpEntry[] = [];
    for (const l of logs)
      l.poll(
        (e) => entries.push(e),
        (l) => logged.push(l),
      );
    return entries.filter((e) => e.kind === "upload");
  };
  const state = (name: string): unknown =>
    JSON.parse(fs.readFileSync(path.join(settings.stateDir, name), "utf8"));

  it("follows vsftpd's log and the SFTP log, each from a position file of its own", () => {
    const logs = start();
    fs.appendFileSync(settings.ftpLog, ftpUpload("/videos/a.mp4"));
    fs.appendFileSync(settings.sftpLog!, SESSION + OPEN + CLOSE);
    expect(poll(logs).map((e) => [e.kind === "upload" && e.path, e.kind === "upload" && e.exact])).toEqual([
      ["/videos/a.mp4", undefined],
      ["/videos/b.mp4", true],
    ]);
    expect(state("ftp-log-position.json")).toEqual({
      offset: Buffer.byteLength(ftpUpload("/videos/a.mp4")),
      head: expect.any(String),
    });
    expect(state("sftp-log-position.json")).toEqual({
      offset: Buffer.byteLength(SESSION + OPEN + CLOSE),
      head: expect.any(String),
      sessions: { "1612": { user: "uploader", writing: [] } },
    });
    expect(poll(logs)).toEqual([]);
  });

  it("knows an SFTP session's user after a restart between the open and the close", () => {
    fs.appendFileSync(settings.sftpLog!, SESSION + OPEN);
    expect(poll(start())).toEqual([]);
    fs.appendFileSync(settings.sftpLog!, CLOSE);
    expect(poll(start())).toMatchObject([{ kind: "upload", ok: true, user: "uploader", whole: true }]);
  });

  it("reads the rest of the SFTP log from <log>.1 after a copy-truncate, its sessions kept", () => {
    const logs = start();
    fs.appendFileSync(settings.sftpLog!, SESSION);
    poll(logs);
    fs.appendFileSync(settings.sftpLog!, OPEN);
    fs.copyFileSync(settings.sftpLog!, `${settings.sftpLog}.1`);
    fs.truncateSync(settings.sftpLog!, 0);
    fs.appendFileSync(settings.sftpLog!, CLOSE);
    expect(poll(logs)).toMatchObject([{ kind: "upload", user: "uploader", whole: true }]);
  });

  it("follows only vsftpd's log when there is no SFTP server", () => {
    const logs = start({ ...settings, sftpLog: undefined });
    expect(logs.map((l) => l.file)).toEqual([settings.ftpLog]);
  });

  it("refuses an SFTP position file whose sessions it did not write, naming the file", () => {
    fs.mkdirSync(settings.stateDir);
    const file = path.join(settings.stateDir, "sftp-log-position.json");
    fs.writeFileSync(file, JSON.stringify({ offset: 0, head: null, sessions: { x: 1 } }));
    expect(() => start()).toThrow(`${file} is not valid state`);
  });
});
