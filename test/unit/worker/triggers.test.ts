import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { WorkerEvent } from "../../../worker/src/events";
import { Failures } from "../../../worker/src/failures";
import { parseLogLine } from "../../../worker/src/ftpLog";
import { jobKey, type Job } from "../../../worker/src/jobQueue";
import { Metrics } from "../../../worker/src/metrics";
import type { WorkerLocation, WorkerSettings } from "../../../worker/src/settings";
import { SftpSessions } from "../../../worker/src/sftpSessions";
import { handleEntry, type TriggerContext } from "../../../worker/src/triggers";

const videos: WorkerLocation = { path: "/videos/", directory: "videos", publish: "verified" };
const clips: WorkerLocation = { path: "/clips/", directory: "clips", publish: "immediate" };
const line = (action: string, rest: string) =>
  `Tue Dec  1 12:48:59 2026 [pid 7] [uploader] ${action}: Client "127.0.0.1", ${rest}`;
const sftpLine = (message: string) => `2026-12-01T12:48:59.127381+00:00 vm internal-sftp[1612]: ${message}`;
/** An SFTP put of `p` (as internal-sftp logs the name) that wrote `written` bytes. */
const sftpPut = (p: string, written: number, flags = "WRITE,CREATE,TRUNCATE", close = "close") => [
  sftpLine("session opened for local user uploader from [127.0.0.1]"),
  sftpLine(`open "${p}" flags ${flags} mode 0644`),
  sftpLine(`${close} "${p}" bytes read 0 written ${written}`),
];

describe("handleEntry", () => {
  let root: string;
  let ctx: TriggerContext;
  let jobs: Job[];
  let events: WorkerEvent[];
  let rescans: WorkerLocation[];

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "worker-triggers-"));
    for (const d of ["media/videos/.incoming", "media/clips", "media/other", "state"]) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    jobs = [];
    events = [];
    rescans = [];
    const settings = {
      mediaRoot: path.join(root, "media"),
      derivedRoot: path.join(root, "derived"),
      urls: { meta: "/_meta", poster: "/_poster", preview: "/_preview", hls: "/_hls" },
      users: [{ name: "uploader", root: "" }],
      locations: [videos, clips],
    } as Partial<WorkerSettings> as WorkerSettings;
    ctx = {
      settings,
      queue: { add: (j: Job) => (jobs.push(j), true) },
      failures: new Failures(path.join(root, "state")),
      metrics: new Metrics(),
      emit: (e) => events.push(e),
      rescan: (l) => rescans.push(l),
      log: () => undefined,
    };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const put = (mediaPath: string, bytes: number) =>
    fs.writeFileSync(path.join(root, "media", mediaPath), "x".repeat(bytes));
  const handle = (l: string) => {
    const entry = parseLogLine(l);
    if (entry === null) throw new Error(`unparsed: ${l}`);
    handleEntry(ctx, entry);
  };
  const handleSftp = (lines: string[]) => {
    const sessions = new SftpSessions();
    for (const l of lines) {
      const entry = sessions.entryOf(l);
      if (entry !== null) handleEntry(ctx, entry);
    }
  };

  it("queues a completed upload as it is on disk and reports upload.completed at its published URL", () => {
    put("videos/.incoming/a b.mp4", 5);
    handle(line("OK UPLOAD", '"/videos/.incoming/a b.mp4", 5 bytes, 1.00Kbyte/sec'));
    expect(jobs).toMatchObject([
      {
        mediaPath: "videos/.incoming/a b.mp4",
        target: "videos/a b.mp4",
        size: 5,
        uploader: "uploader",
        uploadedAt: "2026-12-01T12:48:59.000Z",
      },
    ]);
    expect(events.map((e) => [e.type, e.path, e.size])).toEqual([
      ["upload.completed", "/videos/a%20b.mp4", 5],
    ]);
    expect(ctx.metrics.uploadsCompleted).toBe(1);
    expect(ctx.metrics.uploadBytes).toBe(5);
  });

  it("records a failed upload so that it is never processed, and leaves the partial file", () => {
    put("videos/.incoming/a.mp4", 3);
    handle(line("FAIL UPLOAD", '"/videos/.incoming/a.mp4", 3 bytes, 1.00Kbyte/sec'));
    const stats = fs.statSync(path.join(root, "media/videos/.incoming/a.mp4"));
    expect(ctx.failures.has(jobKey("videos/.incoming/a.mp4", 3, stats.mtimeMs))).toBe(true);
    expect({ jobs, events, failed: ctx.metrics.uploadsFailed }).toEqual({ jobs: [], events: [], failed: 1 });

    // The same file completed later (resumed with APPE) is a new size, so a new key.
    fs.appendFileSync(path.join(root, "media/videos/.incoming/a.mp4"), "yy");
    handle(line("OK UPLOAD", '"/videos/.incoming/a.mp4", 2 bytes, 1.00Kbyte/sec'));
    expect(jobs).toHaveLength(1);
  });

  it("ignores uploads outside every location and files that are not media", () => {
    put("other/a.mp4", 1);
    put("clips/notes.txt", 1);
    handle(line("OK UPLOAD", '"/other/a.mp4", 1 bytes, 1.00Kbyte/sec'));
    handle(line("OK UPLOAD", '"/clips/notes.txt", 1 bytes, 1.00Kbyte/sec'));
    expect({ jobs, events, counted: ctx.metrics.uploadsCompleted }).toEqual({
      jobs: [],
      events: [],
      counted: 1,
    });
  });

  it("queues the new name of a file uploaded under a temporary name and renamed", () => {
    put("clips/a.mp4", 4);
    handle(line("OK UPLOAD", '"/clips/a.mp4.part", 4 bytes, 1.00Kbyte/sec'));
    handle(line("OK RENAME", '"/clips/a.mp4.part /clips/a.mp4"'));
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/a.mp4"]);
    expect(rescans).toEqual([clips]);
  });

  it("asks for a rescan of the location after a delete, whatever the log names", () => {
    handle(line("OK DELETE", '"/clips/Gr????e.mp4"'));
    handle(line("OK DELETE", '"/other/a.mp4"'));
    expect(rescans).toEqual([clips]);
  });

  it("queues nothing for a line read again about a file whose metadata is up to date", () => {
    put("clips/a.mp4", 4);
    const stats = fs.statSync(path.join(root, "media/clips/a.mp4"));
    const meta = {
      size: 4,
      modifiedAt: new Date(Math.floor(stats.mtimeMs)).toISOString(),
      sha256: "0".repeat(64),
    };
    fs.mkdirSync(path.join(root, "derived/meta/clips"), { recursive: true });
    fs.writeFileSync(path.join(root, "derived/meta/clips/a.mp4.json"), JSON.stringify(meta));
    handle(line("OK UPLOAD", '"/clips/a.mp4", 4 bytes, 1.00Kbyte/sec'));
    expect({ jobs, events }).toEqual({ jobs: [], events: [] });
  });

  it("finds an upload whose non-ASCII name vsftpd logged with '?'", () => {
    put("clips/été.mp4", 2);
    handle(line("OK UPLOAD", '"/clips/??t??.mp4", 2 bytes, 1.00Kbyte/sec'));
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/été.mp4"]);
  });

  it("queues an SFTP upload like an FTP one, with the session's user and the close's time", () => {
    put("videos/.incoming/a b.mp4", 5);
    handleSftp(sftpPut("/videos/.incoming/a b.mp4", 5));
    expect(jobs).toMatchObject([
      { mediaPath: "videos/.incoming/a b.mp4", uploader: "uploader", uploadedAt: "2026-12-01T12:48:59.127Z" },
    ]);
    expect(events.map((e) => [e.type, e.path])).toEqual([["upload.completed", "/videos/a%20b.mp4"]]);
  });

  it("records an SFTP upload its session's end cut short (a forced close) as failed", () => {
    put("videos/.incoming/a.mp4", 3);
    handleSftp(sftpPut("/videos/.incoming/a.mp4", 3, undefined, "forced close"));
    const stats = fs.statSync(path.join(root, "media/videos/.incoming/a.mp4"));
    expect(ctx.failures.has(jobKey("videos/.incoming/a.mp4", 3, stats.mtimeMs))).toBe(true);
    expect({ jobs, events, failed: ctx.metrics.uploadsFailed }).toEqual({ jobs: [], events: [], failed: 1 });
  });

  it("takes an SFTP name as it is: its '?' is a question mark, not vsftpd's unknown byte", () => {
    put("clips/a?.mp4", 2);
    put("clips/ab.mp4", 2);
    put("clips/xy.mp4", 2);
    handleSftp(sftpPut("/clips/a?.mp4", 2));
    handleSftp(sftpPut("/clips/x?.mp4", 2));
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/a?.mp4"]);
  });

  it("finds an SFTP upload whose non-ASCII name internal-sftp logged octal-escaped", () => {
    put("clips/été.mp4", 2);
    handleSftp(sftpPut("/clips/\\303\\251t\\303\\251.mp4", 2));
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/été.mp4"]);
  });

  it("leaves an SFTP upload whose file is not the size the log says was written to it", () => {
    put("clips/a.mp4", 7);
    handleSftp(sftpPut("/clips/a.mp4", 5));
    expect(jobs).toEqual([]);
    // A resume writes only the rest: the file is larger than what the close counts.
    handleSftp(sftpPut("/clips/a.mp4", 5, "WRITE,APPEND,CREATE"));
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/a.mp4"]);
  });

  it("queues the new name of an SFTP rename, taken as it is", () => {
    put("clips/b?.mp4", 4);
    put("clips/bb.mp4", 4);
    handleSftp([
      sftpLine("session opened for local user uploader from [127.0.0.1]"),
      sftpLine('posix-rename old "/clips/a.part" new "/clips/b?.mp4"'),
    ]);
    expect(jobs.map((j) => j.mediaPath)).toEqual(["clips/b?.mp4"]);
  });
});
