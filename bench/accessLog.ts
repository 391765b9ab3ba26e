/**
 * npm run bench:access-log [-- --quick]
 *
 * What the web container's access log costs: three stacks realized on the local Docker engine
 * (the docker tier's realizer), the same but for `http.accessLog` (buffered, unbuffered, off),
 * each web container's log being its stdout, the pipe Docker reads. wrk on the client core asks
 * each container's own address for small files, the containers taking turns run by run; every
 * process of the containers on the server core, CPU from each container's cpuacct group (which
 * does not hold what containerd's shim and dockerd spend reading and storing the log). Writes
 * bench/access-log-results.json. Reports figures only; not part of `npm test` or CI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLIENT_CORE, containerCpuGroup, groupProcesses, pinToCore, SERVER_CORE } from "./cpu";
import { writeResultsFile } from "./resultsFile";
import { hostClient, type HttpTarget } from "./env";
import { describeMachine } from "./machine";
import { makeFiles } from "./media";
import { summarize, type Stat } from "./stats";
import { runWrk } from "./wrk";
import { loopbackConfig, startDockerStack, type DockerStack } from "../test/docker/stack";

const OUT = path.join(__dirname, "access-log-results.json");
const MODES = ["buffered", "unbuffered", "off"] as const;
type Mode = (typeof MODES)[number];
const FILES = 1000;
const BYTES = 50 * 1024;

async function realize(mode: Mode): Promise<{ stack: DockerStack; target: HttpTarget }> {
  const stack = await startDockerStack(`alog-${mode}`, 2);
  try {
    await stack.realize(
      loopbackConfig(stack, {
        ftp: { users: [{ name: "uploader", password: "bench-uploader-password" }] },
        http: { accessLog: mode },
      }),
    );
    const web = await stack.container("web").inspect();
    const address = Object.values(web.NetworkSettings.Networks)[0]?.IPAddress;
    if (!address) throw new Error(`the ${mode} web container has no address`);
    const group = containerCpuGroup(web.Id);
    for (const pid of groupProcesses(group.dir)) pinToCore([pid], SERVER_CORE);
    fs.mkdirSync(path.join(stack.mediaDir, "images"), { recursive: true, mode: 0o755 });
    makeFiles(path.join(stack.mediaDir, "images"), "img-", ".jpg", FILES, BYTES);
    return {
      stack,
      target: {
        variant: "container_direct",
        host: address,
        port: 80,
        client: hostClient,
        cpu: () => group.usage().total,
      },
    };
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const runs = quick ? 3 : 7;
  const seconds = quick ? 2 : 5;
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[access-log ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const machine = describeMachine();
  pinToCore([process.pid], CLIENT_CORE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-access-log-"));
  const stacks: DockerStack[] = [];
  const samples: Record<Mode, Record<string, number>[]> = { buffered: [], unbuffered: [], off: [] };
  try {
    const realized: HttpTarget[] = [];
    for (const mode of MODES) {
      const { stack, target } = await realize(mode);
      stacks.push(stack);
      realized.push(target);
      log(`${mode}: ${target.host}:80`);
    }
    const [buffered, unbuffered, off] = realized;
    const targets: Record<Mode, HttpTarget> = { buffered, unbuffered, off };
    for (let run = 0; run < runs; run++) {
      for (const mode of MODES.map((_, i) => MODES[(i + run) % MODES.length])) {
        const figures = await runWrk({
          server: targets[mode],
          urlPath: "/",
          connections: 100,
          seconds,
          script: "paths",
          scriptArgs: ["/images/img-", ".jpg", String(FILES)],
          tmpDir: tmp,
        });
        samples[mode].push({ ...figures });
        log(
          `run ${run + 1}/${runs} ${mode}: ${Math.round(figures.requests_per_s)} req/s, ${figures.cpu_s_per_gb.toFixed(3)} s/GB`,
        );
      }
    }
  } finally {
    for (const s of stacks) await s.stop().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const stats = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      Object.fromEntries(
        Object.keys(samples[mode][0]).map((k) => [k, summarize(samples[mode].map((s) => s[k]))]),
      ),
    ]),
  ) as Record<Mode, Record<string, Stat>>;
  const file = {
    generated_at: new Date().toISOString(),
    profile: {
      name: quick ? "quick" : "full",
      runs,
      wrk_seconds: seconds,
      files: FILES,
      file_bytes: BYTES,
      connections: 100,
    },
    machine: {
      ...machine,
      loadavg_at_end: os.loadavg().map((l) => Math.round(l * 100) / 100),
      duration_s: Math.round((Date.now() - started) / 1000),
    },
    stats,
    samples,
  };
  await writeResultsFile(OUT, file);
  for (const mode of MODES) {
    const s = stats[mode];
    console.log(
      `${mode.padEnd(10)} ${Math.round(s.requests_per_s.median)} req/s (${Math.round(s.requests_per_s.min)}–${Math.round(s.requests_per_s.max)}), p99 ${s.latency_p99.median.toFixed(1)} ms, ${s.cpu_s_per_gb.median.toFixed(3)} CPU s/GB`,
    );
  }
  console.log(`Wrote ${path.relative(process.cwd(), OUT)} in ${file.machine.duration_s} s.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
