import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { jobKey, ladderJob, JobQueue, type Job, type RunJob } from "../../../worker/src/jobQueue";
import { Metrics } from "../../../worker/src/metrics";

const job = (name: string, target = name): Job => ({
  key: jobKey(`videos/${name}`, 1, 1000),
  mediaPath: `videos/${name}`,
  target: `videos/${target}`,
  size: 1,
  mtimeMs: 1000,
  uploader: null,
  uploadedAt: null,
});

/** A run function whose jobs finish when the test says so, or when they are killed. */
function controlledRun() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const run: RunJob = (j, signal) =>
    new Promise<void>((resolve, reject) => {
      started.push(j.mediaPath);
      finish.set(j.mediaPath, resolve);
      signal.addEventListener("abort", () => reject(new Error("killed")));
    });
  return { run, started, done: (name: string) => finish.get(`videos/${name}`)?.() };
}

describe("JobQueue", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-queue-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs at most `concurrency` jobs at once and starts the next when one finishes", async () => {
    const c = controlledRun();
    const queue = new JobQueue(dir, 2, c.run, new Metrics(), () => undefined);
    ["a.mp4", "b.mp4", "c.mp4"].forEach((n) => queue.add(job(n)));
    expect(c.started).toEqual(["videos/a.mp4", "videos/b.mp4"]);
    c.done("a.mp4");
    await new Promise((r) => setImmediate(r));
    expect(c.started).toEqual(["videos/a.mp4", "videos/b.mp4", "videos/c.mp4"]);
    c.done("b.mp4");
    c.done("c.mp4");
    await queue.idle();
  });

  it("takes a job once per key", () => {
    const queue = new JobQueue(dir, 1, controlledRun().run, new Metrics(), () => undefined);
    expect(queue.add(job("a.mp4"))).toBe(true);
    expect(queue.add(job("a.mp4"))).toBe(false);
  });

  it("never runs two jobs for one target at once (an upload and its published file)", () => {
    const c = controlledRun();
    const queue = new JobQueue(dir, 2, c.run, new Metrics(), () => undefined);
    queue.add(job(".incoming/a.mp4", "a.mp4"));
    queue.add(job("a.mp4"));
    expect(c.started).toEqual(["videos/.incoming/a.mp4"]);
  });

  it("runs ladders beside describe jobs, so that a long encode holds up no upload, each at `concurrency`", () => {
    const c = controlledRun();
    const queue = new JobQueue(dir, 1, c.run, new Metrics(), () => undefined);
    const ladder = (name: string) => ({
      ...ladderJob(`videos/${name}`, `videos/${name}`, 1, 1000),
      mediaPath: `ladder ${name}`,
    });
    queue.add(ladder("a.mp4"));
    queue.add(ladder("b.mp4"));
    queue.add(job("c.mp4"));
    queue.add(job("d.mp4"));
    expect(c.started).toEqual(["ladder a.mp4", "videos/c.mp4"]);
  });

  it("runs a file's ladder after its describe job, never beside it", async () => {
    const c = controlledRun();
    const queue = new JobQueue(dir, 2, c.run, new Metrics(), () => undefined);
    queue.add(job("a.mp4"));
    queue.add({ ...ladderJob("videos/a.mp4", "videos/a.mp4", 1, 1000), mediaPath: "ladder a.mp4" });
    expect(c.started).toEqual(["videos/a.mp4"]);
    c.done("a.mp4");
    await new Promise((r) => setImmediate(r));
    expect(c.started).toEqual(["videos/a.mp4", "ladder a.mp4"]);
  });

  it("keeps a job killed at shutdown in stateDir, and runs it again in the next run", async () => {
    const first = controlledRun();
    const metrics = new Metrics();
    const queue = new JobQueue(dir, 1, first.run, metrics, () => undefined);
    queue.add(job("a.mp4"));
    queue.add(job("b.mp4"));
    expect(metrics.queueDepth).toBe(2);
    await queue.stop(10);

    const again = controlledRun();
    const next = new JobQueue(dir, 1, again.run, new Metrics(), () => undefined);
    next.pump();
    expect(again.started).toEqual(["videos/a.mp4"]);
    again.done("a.mp4");
    await new Promise((r) => setImmediate(r));
    expect(again.started).toEqual(["videos/a.mp4", "videos/b.mp4"]);
    again.done("b.mp4");
    await next.idle();
    expect(JSON.parse(fs.readFileSync(path.join(dir, "jobs.json"), "utf8"))).toEqual([]);
  });

  it("lets a running job finish within the grace time at shutdown", async () => {
    const c = controlledRun();
    const queue = new JobQueue(dir, 1, c.run, new Metrics(), () => undefined);
    queue.add(job("a.mp4"));
    setTimeout(() => c.done("a.mp4"), 20);
    await queue.stop(2000);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "jobs.json"), "utf8"))).toEqual([]);
  });
});
