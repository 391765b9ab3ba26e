/**
 * Jobs waiting or running, saved in stateDir: a job leaves the file only when it has finished,
 * so a worker stopped mid-job runs it again on start (at least once; a job is idempotent).
 * A job is keyed by its file's media path, size and mtime: the same upload seen twice (the log
 * and a rescan, or a log re-read after a crash) is one job.
 *
 * Two kinds of job, each with `concurrency` slots of its own: describing a file (check, publish,
 * poster, metadata: seconds) and its HLS ladder (an encode: minutes or hours), so that a long
 * encode never holds up the publishing of the uploads behind it. A file's ladder job is queued
 * by its describe job, and the two never run at once (one target).
 */
import type { Metrics } from "./metrics";
import { arrayOf, isRecord, StateFile } from "./stateFile";

export interface Job {
  readonly key: string;
  /** The file now: under .incoming for a verified upload. */
  readonly mediaPath: string;
  /** Location folder + path below it: two jobs with one target never run at once. */
  readonly target: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly uploader: string | null;
  /** ISO 8601, from the FTP log; null when a rescan found the file. */
  readonly uploadedAt: string | null;
  /** Absent: the describe job. */
  readonly task?: "ladder";
}

export function jobKey(mediaPath: string, size: number, mtimeMs: number): string {
  return `${mediaPath}|${size}|${Math.floor(mtimeMs)}`;
}

/** The key of a file's ladder job (and of its failure record). */
export function ladderKey(mediaPath: string, size: number, mtimeMs: number): string {
  return `${jobKey(mediaPath, size, mtimeMs)}|hls`;
}

/** The HLS ladder job of a published file. */
export function ladderJob(mediaPath: string, target: string, size: number, mtimeMs: number): Job {
  const key = ladderKey(mediaPath, size, mtimeMs);
  return { key, mediaPath, target, size, mtimeMs, uploader: null, uploadedAt: null, task: "ladder" };
}

const isJob = (v: unknown): v is Job =>
  isRecord(v) && typeof v.key === "string" && typeof v.mediaPath === "string" && typeof v.target === "string";

export type RunJob = (job: Job, signal: AbortSignal) => Promise<void>;

export class JobQueue {
  private readonly file: StateFile<Job[]>;
  private readonly jobs: Job[];
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private accepting = true;

  constructor(
    stateDir: string,
    private readonly concurrency: number,
    private readonly run: RunJob,
    private readonly metrics: Metrics,
    private readonly log: (line: string) => void,
  ) {
    this.file = new StateFile(stateDir, "jobs.json", arrayOf(isJob));
    this.jobs = this.file.load([]);
    this.metrics.queueDepth = this.jobs.length;
  }

  has(key: string): boolean {
    return this.jobs.some((j) => j.key === key);
  }

  /** Queues a job unless one with its key is queued; returns whether it was added. */
  add(job: Job): boolean {
    if (this.has(job.key)) return false;
    this.jobs.push(job);
    this.save();
    this.pump();
    return true;
  }

  /** Starts as many waiting jobs as concurrency allows, in the order they came. */
  pump(): void {
    if (!this.accepting) return;
    const running = this.jobs.filter((j) => this.running.has(j.key));
    for (const next of this.jobs) {
      const lane = running.filter((j) => j.task === next.task);
      if (this.running.has(next.key) || lane.length >= this.concurrency) continue;
      if (running.some((j) => j.target === next.target)) continue;
      running.push(next);
      this.running.set(next.key, this.execute(next));
    }
  }

  /** Resolves when nothing is queued or running (tests, and a drain before exit). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Takes no more jobs; waits up to graceMs for the running ones, then kills their children. */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    const all = Promise.all(this.running.values());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), graceMs)));
    if ((await Promise.race([all.then(() => "done" as const), late])) === "late") {
      this.log(
        `stopping: ${this.running.size} job(s) still running after ${graceMs / 1000} s, killed; they run again on start`,
      );
      this.abort.abort();
      await all;
    }
    clearTimeout(timer);
  }

  private async execute(job: Job): Promise<void> {
    try {
      await this.run(job, this.abort.signal);
      this.remove(job);
    } catch (e) {
      // Killed at shutdown: the job stays saved. Anything else is a bug, logged, and the job
      // dropped so that it cannot loop; the next rescan queues the file again if it needs it.
      if (!this.abort.signal.aborted) {
        this.log(
          `job ${job.mediaPath}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        this.remove(job);
      }
    } finally {
      this.running.delete(job.key);
      this.metrics.jobsDone += 1;
      this.pump();
    }
  }

  private remove(job: Job): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
    this.save();
  }

  private save(): void {
    this.metrics.queueDepth = this.jobs.length;
    this.file.save(this.jobs);
  }
}
