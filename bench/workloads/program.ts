/**
 * Workload 6: the program's own cost under Pulumi mocks, each measurement a fresh node process
 * (bench/programChild.ts): time and peak RSS for growing numbers of FTP users and locations. And
 * the one-time cost of hashing: scripts/bcrypt.js, the command PasswordHashes runs once per
 * bucket of users (first deploy; a password change re-runs its bucket's), as many at once as
 * there are cores.
 */
import * as os from "node:os";
import * as path from "node:path";
import { HASH_COMMAND, hashBuckets, hashInput, parseHashOutput, saltFor } from "../../containerFiles";
import { runOk } from "../exec";
import { rounds, toResults } from "../measure";
import type { Profile } from "../profile";
import { W, type Result } from "../report";
import type { Measurement, Task } from "../programChild";

const REPO = path.resolve(__dirname, "../..");
const MARKER = "BENCH_JSON ";
/** Nothing is created: the mocks only record. The path must merely be absolute and valid. */
const MEDIA_PATH = "/srv/video-server-bench";

async function measureProgram(task: Task): Promise<Measurement> {
  const args = [
    "-r",
    "ts-node/register/transpile-only",
    path.join(__dirname, "..", "programChild.ts"),
    JSON.stringify(task),
  ];
  const done = await runOk(process.execPath, args, { cwd: REPO, timeoutMs: 20 * 60_000 });
  const line = done.stdout.split("\n").find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`programChild printed no result:\n${done.stdout}${done.stderr}`);
  return JSON.parse(line.slice(MARKER.length)) as Measurement;
}

/**
 * Wall time per password of hashing `users` passwords as a first deploy does: scripts/bcrypt.js
 * once per bucket of users, nproc at a time.
 */
async function hashOnce(users: number): Promise<number> {
  const names = Array.from({ length: users }, (_, i) => `u${i}`);
  const buckets = [...hashBuckets(names).values()];
  const start = performance.now();
  const next = { i: 0 };
  const worker = async () => {
    for (let i = next.i++; i < buckets.length; i = next.i++) {
      const bucket = buckets[i];
      const salts = bucket.map((n) => saltFor({ project: "video-server", stack: "bench" }, "ftp", n));
      // HASH_COMMAND, with this node.
      const done = await runOk(process.execPath, ["scripts/bcrypt.js"], {
        cwd: REPO,
        timeoutMs: 10 * 60_000,
        stdin: hashInput(
          salts,
          bucket.map((n) => `password-${n}`),
        ),
      });
      const hashes = parseHashOutput(done.stdout, bucket);
      if (!bucket.every((n, j) => hashes[n].startsWith(salts[j])))
        throw new Error(`${HASH_COMMAND} printed '${done.stdout}'`);
    }
  };
  await Promise.all(Array.from({ length: os.availableParallelism() }, worker));
  return (performance.now() - start) / users;
}

export async function programCost(profile: Profile, log: (line: string) => void): Promise<Result[]> {
  const units = { time: "s", peak_rss: "MiB", resources: "count" };
  const measure = (task: Task) => async () => {
    const m = await measureProgram(task);
    return { time: m.seconds, peak_rss: m.maxRssMiB, resources: m.resources };
  };
  const results: Result[] = [];
  for (const users of profile.programUsers) {
    const task: Task = { users, locations: 0, mediaPath: MEDIA_PATH };
    results.push(
      ...toResults(
        W.users(users),
        await rounds(`program, ${users} users`, profile.runs, ["program"], log, measure(task)),
        units,
      ),
    );
  }
  for (const locations of profile.programLocations) {
    const task: Task = { users: 1, locations, mediaPath: MEDIA_PATH };
    const label = `program, ${locations} locations`;
    results.push(
      ...toResults(
        W.locations(locations),
        await rounds(label, profile.runs, ["program"], log, measure(task)),
        units,
      ),
    );
  }
  const hashed = await rounds(
    `first deploy: hash ${profile.hashUsers} passwords`,
    profile.runs,
    ["program"],
    log,
    async () => ({
      time_per_user: await hashOnce(profile.hashUsers),
    }),
  );
  results.push(...toResults(W.hash, hashed, { time_per_user: "ms" }));
  return results;
}
