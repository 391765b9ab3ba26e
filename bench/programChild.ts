/**
 * One measurement of the program's own cost, in a fresh process (run by workloads/program.ts):
 * `node -r ts-node/register/transpile-only bench/programChild.ts '<json Task>'`.
 *
 * Sets Pulumi mocks and the stack config once, imports index.ts, waits until every resource is
 * registered, and prints the time and the process's peak RSS. Each password is hashed once, by
 * the PasswordHashes command of its bucket; on every later run the hashes come from the state.
 * The mock answers those commands with a fixed hash per user, as the state does: what
 * `pulumi up` and preview pay on every run. The one-time hashing is measured by
 * workloads/program.ts on its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { disconnect } from "@pulumi/pulumi/runtime/settings";
import { PROJECT } from "../test/support/project";

export interface Task {
  readonly users: number;
  readonly locations: number;
  readonly mediaPath: string;
}

export interface Measurement {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly resources: number;
}

/** A bcrypt hash as scripts/bcrypt.js prints it; the state holds one like it per password. */
export const STATE_HASH = `$2b$10$${"./".repeat(26)}a`;

/** What the state holds for a hash command: one hash per line of its stdin (secret or not). */
function stateHashes(stdin: unknown): string {
  const text = typeof stdin === "object" && stdin !== null && "value" in stdin ? stdin.value : stdin;
  return String(text)
    .split("\n")
    .map(() => STATE_HASH)
    .join("\n");
}
const name = (i: number) => `u${String(i).padStart(4, "0")}`;

/** The stack config: `users` FTP users with passwords, `locations` locations (or the defaults). */
export function benchConfig(task: Task): Record<string, unknown> {
  const users = Array.from({ length: task.users }, (_, i) => ({
    name: name(i),
    password: `password-${name(i)}`,
  }));
  const locations = Array.from({ length: task.locations }, (_, i) => ({
    path: `/l${i}/`,
    directory: `l${i}`,
    autoindex: true,
  }));
  return {
    media: { hostPath: task.mediaPath },
    ftp: { port: 2121, bindAddress: "127.0.0.1", users },
    http: { port: 8080, bindAddress: "127.0.0.1", ...(task.locations > 0 ? { locations } : {}) },
  };
}

async function runProgram(task: Task): Promise<number> {
  // Imported here, inside the measured time, as the program imports it.
  const { HASH_COMMAND } = await import("../containerFiles/passwords");
  const config = Object.fromEntries(
    Object.entries(benchConfig(task)).map(([k, v]) => [`${PROJECT}:${k}`, JSON.stringify(v)]),
  );
  pulumi.runtime.setAllConfig(config, []);
  let resources = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        resources++;
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "docker:index/image:Image") state.repoDigest = `sha256:${"0".repeat(64)}`;
        if (args.type === "command:local:Command" && args.inputs.create === HASH_COMMAND)
          state.stdout = stateHashes(args.inputs.stdin);
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    "bench",
    false,
  );
  await import("../index");
  // Resolves once every registration (and the applies they wait for, bcrypt included) is done.
  await disconnect();
  return resources;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? "") as Task;
  const start = performance.now();
  const resources = await runProgram(task);
  const seconds = (performance.now() - start) / 1000;
  const measurement: Measurement = { seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources };
  process.stdout.write(`BENCH_JSON ${JSON.stringify(measurement)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
