/**
 * The soak: minutes of mixed load against the realized containers (the docker tier's realizer
 * on the local engine), sampling each container every 10 s. Reports growth, errors and
 * restarts; asserts nothing. Not part of `npm test` or CI.
 *
 *   npm run bench:soak                 # 10 minutes
 *   npm run bench:soak -- --minutes 2
 *
 * Load, all at once until the time is up, every loop bounded by the deadline:
 * - 4 uploaders, each a 5 MB upload after another (10 names each, overwritten);
 * - 200 range readers, each a 256 KiB range of one of 10 files of 20 MB after another;
 * - 2 listing readers (the autoindex of /videos/);
 * - 2 guessers, each a wrong password on a new connection after another (refused with 530;
 *   from 127.0.0.1 through docker-proxy they arrive from the bridge gateway, which is never
 *   banned, so they keep being answered).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type Dockerode from "dockerode";
import { writeResultsFile } from "./resultsFile";
import { MB, payloadStream } from "../test/support/data";
import { ftpConnect, upload } from "../test/support/ftp";
import { ControlConnection } from "../test/support/ftpControl";
import { request } from "../test/support/http";
import { exec } from "../test/docker/containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "../test/docker/stack";

const PASSWORD = "soak-uploader-password";
const SAMPLE_SECONDS = 10;
const READERS = 200;
const SERVED = Array.from({ length: 10 }, (_, i) => ({ seed: `served-${i}`, size: 20 * MB }));
const RANGE = 256 * 1024;

interface Sample {
  readonly second: number;
  readonly memoryMiB: number;
  readonly openFiles: number;
  readonly processes: number;
  readonly restarts: number;
}

type Role = "ftp" | "web";

interface Counts {
  ok: number;
  errors: number;
  readonly kinds: Record<string, number>;
}
const counts = (): Counts => ({ ok: 0, errors: 0, kinds: {} });
const failed = (c: Counts, kind: string) => {
  c.errors += 1;
  c.kinds[kind] = (c.kinds[kind] ?? 0) + 1;
};

/** Memory the container's processes use: the cgroup's usage without its page cache. */
async function memoryMiB(container: Dockerode.Container): Promise<number> {
  const stats = (await container.stats({ stream: false })) as unknown as {
    memory_stats: { usage?: number; stats?: Record<string, number> };
  };
  const { usage = 0, stats: s = {} } = stats.memory_stats;
  const cache = s.total_inactive_file ?? s.inactive_file ?? s.cache ?? 0;
  return (usage - cache) / 2 ** 20;
}

async function sample(stack: DockerStack, role: Role, second: number): Promise<Sample> {
  const container = stack.container(role);
  const probe = await exec(stack.engine.docker, container, [
    "sh",
    "-c",
    "n=0; f=0; for p in /proc/[0-9]*; do n=$((n+1)); f=$((f+$(ls $p/fd 2>/dev/null | wc -l))); done; echo $n $f",
  ]);
  const [processes, openFiles] = probe.output.trim().split(/\s+/).map(Number);
  const info = await container.inspect();
  return { second, memoryMiB: await memoryMiB(container), openFiles, processes, restarts: info.RestartCount };
}

/** Least-squares slope of y over x, per minute. */
function slopePerMinute(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--minutes");
  const minutes = at > 0 ? Number(process.argv[at + 1]) : 10;
  if (!(minutes > 0 && minutes <= 120)) throw new Error("--minutes must be a number from 0 to 120");

  const stack = await startDockerStack("soak", 20);
  const { ports } = stack;
  const endpoint = { ftpPort: ports.ftp, httpPort: ports.http, passwords: { uploader: PASSWORD } };
  try {
    await stack.realize(
      loopbackConfig(stack, {
        ftp: { users: [{ name: "uploader", password: PASSWORD }], maxPerIp: 10 },
        http: {
          gallery: { enabled: false },
          locations: [{ path: "/videos/", directory: "videos", autoindex: true, mp4: true }],
        },
      }),
    );
    const seeding = await ftpConnect(endpoint, "uploader", PASSWORD, { timeoutMs: 60_000 });
    try {
      for (const p of SERVED) await upload(seeding, payloadStream(p), `/videos/${p.seed}.bin`);
    } finally {
      seeding.close();
    }

    const started = Date.now();
    const deadline = started + minutes * 60_000;
    const live = () => Date.now() < deadline;
    const load = { uploads: counts(), ranges: counts(), listings: counts(), guesses: counts() };
    const samples: Record<Role, Sample[]> = { ftp: [], web: [] };

    const uploader = async (u: number) => {
      for (let k = 0; live(); k++) {
        try {
          const c = await ftpConnect(endpoint, "uploader", PASSWORD, { timeoutMs: 60_000 });
          try {
            const code = await upload(
              c,
              payloadStream({ seed: `up-${u}-${k}`, size: 5 * MB }),
              `/videos/up-${u}-${k % 10}.bin`,
            );
            if (code === 226) load.uploads.ok += 1;
            else failed(load.uploads, `reply ${code}`);
          } finally {
            c.close();
          }
        } catch (e) {
          failed(load.uploads, String(e).slice(0, 80));
        }
      }
    };
    const reader = async (r: number) => {
      for (let k = 0; live(); k++) {
        const file = SERVED[(r + k) % SERVED.length];
        const start = ((r * 7919 + k * 104_729) % (file.size / RANGE)) * RANGE;
        try {
          const res = await request(endpoint, `/videos/${file.seed}.bin`, {
            headers: { Range: `bytes=${start}-${start + RANGE - 1}` },
            keepBody: false,
            timeoutMs: 30_000,
          });
          if (res.status === 206 && res.bytes === RANGE) load.ranges.ok += 1;
          else failed(load.ranges, `status ${res.status}, ${res.bytes} bytes`);
        } catch (e) {
          failed(load.ranges, String(e).slice(0, 80));
        }
      }
    };
    const lister = async () => {
      while (live()) {
        try {
          const res = await request(endpoint, "/videos/", { timeoutMs: 30_000 });
          if (res.status === 200) load.listings.ok += 1;
          else failed(load.listings, `status ${res.status}`);
        } catch (e) {
          failed(load.listings, String(e).slice(0, 80));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const guesser = async () => {
      while (live()) {
        try {
          const c = await ControlConnection.open(ports.ftp);
          try {
            const user = await c.send("USER uploader");
            const pass = user.code === 331 ? await c.send("PASS not-the-password") : user;
            // 530 is the expected refusal; 421 (too many sessions) is a clean one too.
            if (pass.code === 530 || pass.code === 421 || c.greeting.code === 421) load.guesses.ok += 1;
            else failed(load.guesses, `reply ${pass.code}`);
          } finally {
            c.close();
          }
        } catch (e) {
          failed(load.guesses, String(e).slice(0, 80));
        }
      }
    };
    const sampler = async () => {
      for (;;) {
        const second = Math.round((Date.now() - started) / 1000);
        for (const role of ["ftp", "web"] as const) samples[role].push(await sample(stack, role, second));
        if (!live()) return;
        await new Promise((r) =>
          setTimeout(r, Math.min(SAMPLE_SECONDS * 1000, Math.max(0, deadline - Date.now()))),
        );
      }
    };

    process.stdout.write(`soak: ${minutes} min of mixed load against the realized containers\n`);
    await Promise.all([
      sampler(),
      ...Array.from({ length: 4 }, (_, u) => uploader(u)),
      ...Array.from({ length: READERS }, (_, r) => reader(r)),
      lister(),
      lister(),
      guesser(),
      guesser(),
    ]);

    const summary = Object.fromEntries(
      (["ftp", "web"] as const).map((role) => {
        const s = samples[role];
        const series = (pick: (x: Sample) => number) => ({
          first: pick(s[0]),
          last: pick(s[s.length - 1]),
          max: Math.max(...s.map(pick)),
          perMinute: Number(slopePerMinute(s.map((x) => ({ x: x.second, y: pick(x) }))).toFixed(3)),
        });
        return [
          role,
          {
            memoryMiB: series((x) => Number(x.memoryMiB.toFixed(1))),
            openFiles: series((x) => x.openFiles),
            processes: series((x) => x.processes),
            restarts: s[s.length - 1].restarts,
          },
        ];
      }),
    );
    const result = { minutes, samplesPerContainer: samples.ftp.length, load, containers: summary, samples };
    const out = path.join(__dirname, "soak-results.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await writeResultsFile(out, result);
    process.stdout.write(`${JSON.stringify({ load, containers: summary }, null, 2)}\nwritten to ${out}\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
