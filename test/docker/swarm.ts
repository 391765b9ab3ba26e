/**
 * A real two-node Docker Swarm on this one machine, and a TLS registry its nodes pull from, for
 * docker-tier tests of the swarm deploy path. The manager is the host's engine (engine.ts); the
 * worker is a second dockerd in a network namespace of the harness's own, joined by a veth pair
 * (10.200–10.239, as test/support/testHost.ts). Checked on this machine (DESIGN.md, "Facts"):
 * - dockerd runs under `nsenter --net`; `ip netns exec` breaks it (it remounts /sys: "Devices
 *   cgroup isn't mounted").
 * - Both dockerds read /etc/docker/certs.d/<host:port>/ca.crt at each push and pull: no restart,
 *   no insecure-registry flag. Without it: "x509: certificate signed by unknown authority".
 * - No IPVS in the kernel: publish ports in host mode, use dnsrr; ingress and VIPs do not work.
 * The host engine runs other tests' containers too, so each thing made here is written to a
 * record under /run as it is made, and teardown (or the next run, after a crash) undoes exactly that.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import * as bcrypt from "bcryptjs";
import Dockerode from "dockerode";
import { stringify } from "yaml";
import { processesMentioning } from "../support/processes";
import { DOCKER_SOCKET, ensureDockerEngine, type DockerEngine } from "./engine";

export interface SwarmNode {
  readonly engine: Dockerode;
  readonly nodeId: string;
  /** Where the node's swarm listens and its host-mode published ports answer. */
  readonly address: string;
  readonly socketPath: string;
}

export interface SwarmRegistry {
  /** `10.x.y.1:5000`, the prefix of the image names the nodes pull. */
  readonly server: string;
  /** Both empty when started with `auth: false`. */
  readonly username: string;
  readonly password: string;
  /** PEM of the throwaway CA that signed the registry's certificate. */
  readonly ca: string;
  /** For a push's `authconfig` and createService's X-Registry-Auth. */
  readonly auth: Dockerode.AuthConfig;
}

export interface TwoNodeSwarm {
  /** The host engine; its address is the host end of the veth pair. */
  readonly manager: SwarmNode;
  /** The second dockerd, in the network namespace; its address is the namespace's end. */
  readonly worker: SwarmNode;
  readonly registry: SwarmRegistry;
  /** Tags a local image of the manager `<server>/<repository>:<tag>`, pushes it, returns that name. */
  push(localImage: string, repository: string, tag: string): Promise<string>;
  /** Adds labels to a node (a node update at its current version). */
  label(node: SwarmNode, labels: Readonly<Record<string, string>>): Promise<void>;
  /** Waits until the service has exactly `count` running tasks; returns their node ids, sorted. */
  waitForTasks(serviceName: string, count: number, timeoutMs: number): Promise<string[]>;
  /** Undoes what the harness made; tests' services go with the swarm. Idempotent. */
  teardown(): Promise<void>;
}

export interface SwarmOptions {
  /** htpasswd basic auth on the registry, with a generated user and password (default true). */
  readonly auth?: boolean;
}

const RUN_PREFIX = "/run/video-server-swarm-";
const CERTS_ROOT = "/etc/docker/certs.d";
const GWBRIDGE = "docker_gwbridge";
/**
 * The host dockerd's sandboxes (each a file with a network namespace mounted on it): `swarm
 * leave --force` leaves those of the ingress, overlay networks and task containers behind as empty
 * files, a few per run.
 */
const DOCKER_NETNS = "/var/run/docker/netns";
/** On the swarm this harness initialised: the test process's pid. */
const SWARM_LABEL = "video-server.test-swarm";
const WORKER_HOSTNAME = "vs-swarm-worker";
/** dockerd looks up containerd, docker-proxy and iptables on its PATH (as in engine.ts). */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What one run made, saved as it grows, so that undo() removes that and nothing else. */
interface Made {
  readonly pid: number;
  /** The worker's exec-root, socket and pid file, and this record. */
  readonly runDir: string;
  /** Certificates, the registry's config and storage, the worker's data-root, the logs. */
  readonly tempDir: string;
  netns?: string;
  hostLink?: string;
  certsDir?: string;
  certsRootMade?: boolean;
  registryPid?: number;
  workerPid?: number;
  swarmInitialised?: boolean;
  gwbridgeBefore?: boolean;
  dockerNetnsBefore?: string[];
  readonly tags: string[];
}

interface NodeSummary {
  ID: string;
  Version: { Index: number };
  Spec: { Labels?: Record<string, string> };
  Status: { State: string };
}

interface TaskSummary {
  ID: string;
  NodeID?: string;
  DesiredState: string;
  Status: { State: string; Message?: string; Err?: string };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const save = (made: Made) => fs.writeFileSync(path.join(made.runDir, "made.json"), JSON.stringify(made));
const logOf = (made: Made, name: "worker-dockerd" | "registry") => path.join(made.tempDir, `${name}.log`);

function run(command: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(" ")}: ${stderr.trim() || error.message}`))
        : resolve(stdout),
    ),
  );
}

/** The last lines of a log, without dockerd's complaints that the kernel has no IPVS (expected here). */
function tail(file: string, lines = 25): string {
  try {
    const all = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    return all
      .filter((line) => !line.includes("net.ipv4.vs."))
      .slice(-lines)
      .join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * `check` every intervalMs until it gives a value, or fail naming `what`. An error from `check`
 * ends the wait at once (a daemon that exited): checks catch what only means "not yet".
 */
async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 500,
) {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round <= timeoutMs / intervalMs && Date.now() <= deadline; round++) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function startTwoNodeSwarm(options: SwarmOptions = {}): Promise<TwoNodeSwarm> {
  const engine = await ensureDockerEngine();
  const docker = engine.docker;
  let made: Made | undefined;
  try {
    await sweepDeadRuns(docker);
    await refuseForeignSwarm(docker);
    const runDir = `${RUN_PREFIX}${process.pid}`;
    fs.mkdirSync(runDir, { recursive: true });
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `video-server-swarm-${process.pid}-`));
    made = { pid: process.pid, runDir, tempDir, tags: [] };
    save(made);

    const { managerAddress, workerAddress, netns } = await makeLink(made);
    const registry = await startRegistry(made, managerAddress, options.auth ?? true);
    const workerEngine = await startWorker(made, netns);
    const manager = await formSwarm(made, docker, managerAddress);
    const worker = await joinSwarm(made, docker, workerEngine, managerAddress, workerAddress);
    return handle(made, engine, manager, worker, registry);
  } catch (e) {
    let detail = "";
    if (made !== undefined) {
      // The logs first: undo removes the temp dir they are in.
      detail = `\n--- worker dockerd:\n${tail(logOf(made, "worker-dockerd"))}`;
      detail += `\n--- registry:\n${tail(logOf(made, "registry"), 10)}`;
      const logs = detail;
      detail = await undo(made, docker).then(
        () => logs,
        (u: Error) => `\n(cleaning up: ${u.message})${logs}`,
      );
    }
    await engine.stop();
    throw new Error(`the two-node swarm did not start: ${message(e)}${detail}`, { cause: e });
  }
}

/** A /24 in 10.200–10.239 from the pid, away from testHost.ts's pick, that no interface here uses. */
function pickPrefix(): string {
  const inUse = execFileSync("ip", ["-o", "-4", "addr", "show"], { timeout: 10_000 }).toString();
  const n = process.pid % 10_000;
  for (let i = 0; i < 250; i++) {
    const prefix = `10.${200 + (n % 40)}.${(Math.floor(n / 40) + 125 + i) % 250}`;
    if (!inUse.includes(`inet ${prefix}.`)) return prefix;
  }
  throw new Error("no free /24 in 10.200.0.0–10.239.255.0 for the swarm's veth pair");
}

/** The namespace and its veth pair: .1 on the host (manager, registry), .2 inside (worker). */
async function makeLink(made: Made) {
  const prefix = pickPrefix();
  const [managerAddress, workerAddress] = [`${prefix}.1`, `${prefix}.2`];
  const netns = `vs-sw-${made.pid}`;
  const [outside, inside] = [`vswo${made.pid}`, `vswi${made.pid}`];
  made.netns = netns;
  made.hostLink = outside;
  save(made);
  const steps = [
    `netns add ${netns}`,
    `link add ${outside} type veth peer name ${inside}`,
    `link set ${inside} netns ${netns}`,
    `addr add ${managerAddress}/24 dev ${outside}`,
    `link set ${outside} up`,
    `-n ${netns} addr add ${workerAddress}/24 dev ${inside}`,
    `-n ${netns} link set ${inside} up`,
    `-n ${netns} link set lo up`,
    `-n ${netns} route add default via ${managerAddress}`,
  ];
  for (const step of steps) await run("ip", step.split(" "));
  return { managerAddress, workerAddress, netns };
}

/** A throwaway CA and a certificate for `ip` it signed (P-256: quick to make; Go and Node take it). */
function makeCertificates(dir: string, ip: string) {
  const files = "ca.crt ca.key server.crt server.key server.csr server.ext".split(" ");
  const [ca, caKey, cert, key, csr, ext] = files.map((f) => path.join(dir, f));
  // Go and Node check an IP host against the IP subjectAltName only, never the CN.
  fs.writeFileSync(ext, `subjectAltName=IP:${ip}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  const key256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const signedByCa = ["-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-extfile", ext];
  const commands = [
    ["req", "-x509", "-days", "1", ...key256, "-subj", "/CN=swarm test CA", "-keyout", caKey, "-out", ca],
    ["req", ...key256, "-subj", `/CN=${ip}`, "-keyout", key, "-out", csr],
    ["x509", "-req", "-days", "1", ...signedByCa, "-in", csr, "-out", cert],
  ];
  for (const args of commands)
    execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  return { ca, cert, key };
}

/** docker-registry on <address>:5000 with TLS (its CA installed in certs.d) and optional basic auth. */
async function startRegistry(made: Made, address: string, withAuth: boolean): Promise<SwarmRegistry> {
  const server = `${address}:5000`;
  const certs = makeCertificates(made.tempDir, address);
  const certsDir = path.join(CERTS_ROOT, server);
  if (fs.existsSync(certsDir)) throw new Error(`${certsDir} exists already, made by someone else`);
  made.certsRootMade = !fs.existsSync(CERTS_ROOT);
  made.certsDir = certsDir;
  save(made);
  fs.mkdirSync(certsDir, { recursive: true });
  fs.copyFileSync(certs.ca, path.join(certsDir, "ca.crt"));

  const username = withAuth ? `swarm-test-${made.pid}` : "";
  const password = withAuth ? randomBytes(18).toString("base64url") : "";
  const htpasswd = path.join(made.tempDir, "htpasswd");
  // docker-registry takes bcrypt only.
  if (withAuth) fs.writeFileSync(htpasswd, `${username}:${bcrypt.hashSync(password, 10)}\n`, { mode: 0o600 });
  const storage = path.join(made.tempDir, "registry-storage");
  fs.mkdirSync(storage);
  const config = path.join(made.tempDir, "registry.yml");
  const settings = {
    version: "0.1",
    log: { level: "info" },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
    http: {
      addr: server,
      secret: randomBytes(16).toString("hex"),
      tls: { certificate: certs.cert, key: certs.key },
    },
    ...(withAuth ? { auth: { htpasswd: { realm: "video-server-test", path: htpasswd } } } : {}),
  };
  fs.writeFileSync(config, stringify(settings));
  const pid = await spawnLogged(["docker-registry", "serve", config], logOf(made, "registry"));
  made.registryPid = pid;
  save(made);

  const registry: SwarmRegistry = {
    server,
    username,
    password,
    ca: fs.readFileSync(certs.ca, "utf8"),
    auth: withAuth ? { username, password, serveraddress: server } : { serveraddress: server },
  };
  await poll(
    `the registry to answer https://${server}/v2/`,
    async () => {
      if (!runs(pid, `${made.tempDir}/`)) throw new Error("the registry exited");
      const { status } = await registryGet(registry, "/v2/", false).catch(() => ({ status: 0 }));
      return status === (withAuth ? 401 : 200) ? status : undefined;
    },
    20_000,
  );
  return registry;
}

/** GET on the registry over TLS, trusting only its CA; with its credentials when `withAuth`. */
export function registryGet(
  registry: SwarmRegistry,
  urlPath: string,
  withAuth: boolean,
): Promise<{ status: number; body: string }> {
  const [host, port] = registry.server.split(":");
  const auth = withAuth ? `${registry.username}:${registry.password}` : undefined;
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host, port: Number(port), path: urlPath, ca: registry.ca, auth, timeout: 5_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET https://${registry.server}${urlPath} timed out`)));
    req.on("error", reject);
  });
}

/** The second dockerd, inside the namespace, with a hostname of its own (a UTS namespace) for node lists. */
async function startWorker(made: Made, netns: string): Promise<Dockerode> {
  const socketPath = path.join(made.runDir, "docker.sock");
  const pid = await spawnLogged(
    ["unshare", "--uts", "sh", "-c", 'hostname "$1" && shift && exec "$@"', "sh", WORKER_HOSTNAME]
      .concat(["nsenter", `--net=/var/run/netns/${netns}`, "dockerd"])
      .concat([`--data-root=${made.tempDir}/worker-data`, `--exec-root=${made.runDir}/exec`])
      .concat([`--host=unix://${socketPath}`, `--pidfile=${made.runDir}/docker.pid`]),
    logOf(made, "worker-dockerd"),
  );
  made.workerPid = pid;
  save(made);
  // A client with its own timeout: a socket nobody serves yet must not hang the wait.
  const probe = new Dockerode({ socketPath, timeout: 2_000 });
  await poll(
    `the worker's dockerd to answer on ${socketPath}`,
    async () => {
      if (!runs(pid, `${made.runDir}/`)) throw new Error("the worker's dockerd exited");
      return (await probe.ping().catch(() => undefined)) ? true : undefined;
    },
    60_000,
  );
  return new Dockerode({ socketPath });
}

const nodeIdOf = async (engine: Dockerode) =>
  ((await engine.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;

/** The host engine initialises a swarm on the veth address, labelled with this process's pid. */
async function formSwarm(made: Made, docker: Dockerode, address: string): Promise<SwarmNode> {
  const networks = await docker.listNetworks({ filters: { name: [GWBRIDGE] } });
  made.gwbridgeBefore = networks.some((n) => n.Name === GWBRIDGE);
  made.dockerNetnsBefore = fs.existsSync(DOCKER_NETNS) ? fs.readdirSync(DOCKER_NETNS) : [];
  made.swarmInitialised = true;
  save(made);
  await docker.swarmInit({
    ListenAddr: `${address}:2377`,
    AdvertiseAddr: address,
    Spec: { Labels: { [SWARM_LABEL]: String(made.pid) } },
  });
  return { engine: docker, nodeId: await nodeIdOf(docker), address, socketPath: DOCKER_SOCKET };
}

/** The worker joins; resolves once the manager lists both nodes Ready. */
async function joinSwarm(
  made: Made,
  docker: Dockerode,
  workerEngine: Dockerode,
  managerAddress: string,
  address: string,
): Promise<SwarmNode> {
  const swarm = (await docker.swarmInspect()) as { JoinTokens: { Worker: string } };
  await workerEngine.swarmJoin({
    RemoteAddrs: [`${managerAddress}:2377`],
    JoinToken: swarm.JoinTokens.Worker,
    ListenAddr: `${address}:2377`,
    AdvertiseAddr: address,
  });
  const ids = [await nodeIdOf(docker), await nodeIdOf(workerEngine)];
  await poll(
    "both nodes to be Ready",
    async () => {
      const nodes = (await docker.listNodes()) as NodeSummary[];
      return ids.every((id) => nodes.some((n) => n.ID === id && n.Status.State === "ready"))
        ? true
        : undefined;
    },
    30_000,
  );
  return { engine: workerEngine, nodeId: ids[1], address, socketPath: path.join(made.runDir, "docker.sock") };
}

function handle(
  made: Made,
  engine: DockerEngine,
  manager: SwarmNode,
  worker: SwarmNode,
  registry: SwarmRegistry,
): TwoNodeSwarm {
  const docker = manager.engine;
  let finished: Promise<void> | undefined;
  const describeTask = (t: TaskSummary) => {
    const node = t.NodeID === manager.nodeId ? "manager" : t.NodeID === worker.nodeId ? "worker" : "no node";
    const why = [t.Status.Err, t.Status.Message].filter(Boolean).join("; ");
    return `  ${t.ID.slice(0, 12)} on ${node}: ${t.Status.State} (desired ${t.DesiredState}) ${why}`;
  };
  return {
    manager,
    worker,
    registry,
    push: async (localImage, repository, tag) => {
      const name = `${registry.server}/${repository}`;
      await docker.getImage(localImage).tag({ repo: name, tag });
      made.tags.push(`${name}:${tag}`);
      save(made);
      const stream = (await docker.getImage(name).push({ tag, authconfig: registry.auth })) as Readable;
      const failed = (await progressOf(stream)).find((event) => event.error !== undefined);
      if (failed !== undefined) throw new Error(`push of ${name}:${tag} failed: ${failed.error}`);
      return `${name}:${tag}`;
    },
    label: async (node, labels) => {
      const handle = docker.getNode(node.nodeId);
      const current = (await handle.inspect()) as NodeSummary;
      const spec = { ...current.Spec, Labels: { ...current.Spec.Labels, ...labels } };
      await handle.update({ _query: { version: current.Version.Index }, _body: spec });
    },
    waitForTasks: async (serviceName, count, timeoutMs) => {
      let tasks: TaskSummary[] = [];
      const running = () => tasks.filter((t) => t.DesiredState === "running" && t.Status.State === "running");
      try {
        return await poll(
          `${count} running tasks of service ${serviceName}`,
          async () => {
            tasks = (await docker.listTasks({ filters: { service: [serviceName] } })) as TaskSummary[];
            const nodes = running().map((t) => t.NodeID ?? "");
            return nodes.length === count ? nodes.sort() : undefined;
          },
          timeoutMs,
          1_000,
        );
      } catch (e) {
        throw new Error(
          `${message(e)}: ${running().length} running; its tasks:\n${tasks.map(describeTask).join("\n") || "  none"}` +
            `\n--- worker dockerd:\n${tail(logOf(made, "worker-dockerd"))}`,
          { cause: e },
        );
      }
    },
    teardown: () => {
      finished ??= undo(made, docker).finally(() => engine.stop());
      return finished;
    },
  };
}

/** Spawns a long-running process detached (it leads its own group), output to `logFile`. */
async function spawnLogged(argv: readonly string[], logFile: string): Promise<number> {
  const log = fs.openSync(logFile, "a");
  try {
    const env = { ...process.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ""}` };
    const child = spawn(argv[0], argv.slice(1), { env, detached: true, stdio: ["ignore", log, log] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e) => reject(new Error(`cannot start ${argv[0]}: ${e.message}`)));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

/** Whether `pid` runs (not a zombie) with `marker` in its command line: a reused pid is not ours. */
function runs(pid: number, marker: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat[stat.lastIndexOf(")") + 2];
    if (state === "Z" || state === "X") return false;
    // The worker starts as unshare, then sh, nsenter and dockerd, each exec'ing the next; while
    // an exec swaps the memory in, /proc/<pid>/cmdline reads empty. Empty is not another process.
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline === "" || cmdline.includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, SIGKILL after graceMs; fails if the process still runs after that. */
async function stopProcess(pid: number, marker: string, graceMs: number): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGTERM", graceMs],
    ["SIGKILL", 5_000],
  ] as const) {
    if (!runs(pid, marker)) return;
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return; // exited meanwhile
      throw e;
    }
    for (const deadline = Date.now() + waitMs; runs(pid, marker) && Date.now() < deadline;) await sleep(100);
  }
  if (runs(pid, marker)) throw new Error(`process ${pid} still runs after SIGKILL`);
}

/** The JSON lines of a push stream, once it ends. */
function progressOf(stream: Readable): Promise<{ status?: string; error?: string }[]> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (text += chunk));
    stream.on("error", reject);
    stream.on("end", () =>
      resolve(
        text
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => JSON.parse(line) as { status?: string; error?: string }),
      ),
    );
  });
}

/** Undoes each step of `made` on its own, newest first, and reports every one that failed. */
async function undo(made: Made, docker: Dockerode): Promise<void> {
  const failures: string[] = [];
  const step = async (what: string, action: () => unknown) => {
    try {
      await action();
    } catch (e) {
      failures.push(`${what}: ${message(e)}`);
    }
  };
  const gone = (e: unknown) => {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  };
  const mounts = () =>
    fs
      .readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "");
  const inRun = `${made.runDir}/`;

  for (const tag of made.tags)
    await step(`untag ${tag}`, () => docker.getImage(tag).remove({ noprune: true }).catch(gone));
  if (made.workerPid !== undefined) {
    const workerPid = made.workerPid;
    const worker = new Dockerode({ socketPath: path.join(made.runDir, "docker.sock"), timeout: 20_000 });
    await worker.swarmLeave({ force: true }).catch(() => undefined); // it may be down already
    await step("stop the worker's dockerd", () => stopProcess(workerPid, inRun, 30_000));
    // After a SIGKILL: its containerd and shims, then what they left mounted.
    for (const pid of processesMentioning(inRun))
      await step(`stop process ${pid}`, () => stopProcess(pid, inRun, 2_000));
    await step("unmount the worker's leftovers", async () => {
      const ours = mounts().filter((m) => m.startsWith(inRun) || m.startsWith(`${made.tempDir}/`));
      for (const m of ours.reverse()) await run("umount", ["-l", m]);
    });
  }
  if (made.swarmInitialised) {
    await step("leave the swarm", async () => {
      const info = (await docker.info()) as { Swarm: { LocalNodeState: string } };
      if (info.Swarm.LocalNodeState === "inactive") return;
      const swarm = (await docker.swarmInspect()) as { Spec: { Labels?: Record<string, string> } };
      if (swarm.Spec.Labels?.[SWARM_LABEL] === String(made.pid)) await docker.swarmLeave({ force: true });
    });
    // Docker makes docker_gwbridge for the swarm and keeps it after leaving.
    if (made.gwbridgeBefore === false)
      await step(`remove ${GWBRIDGE}`, () => docker.getNetwork(GWBRIDGE).remove().catch(gone));
    // Stale: new since the swarm began, nothing mounted on it, unchanged for 2 s (a sandbox being
    // made gets its namespace mounted at once).
    await step(`remove the swarm's leftovers in ${DOCKER_NETNS}`, () => {
      const mounted = mounts();
      const entries = fs.existsSync(DOCKER_NETNS) ? fs.readdirSync(DOCKER_NETNS) : [];
      const added = entries.filter((e) => !made.dockerNetnsBefore?.includes(e));
      for (const file of added.map((e) => path.join(DOCKER_NETNS, e))) {
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        const settled = stat !== undefined && stat.mtimeMs < Date.now() - 2_000;
        if (settled && stat.isFile() && stat.size === 0 && !mounted.includes(file))
          fs.rmSync(file, { force: true });
      }
    });
  }
  const { registryPid, certsDir, netns, hostLink } = made;
  if (registryPid !== undefined)
    await step("stop the registry", () => stopProcess(registryPid, `${made.tempDir}/`, 10_000));
  if (certsDir !== undefined)
    await step(`remove ${certsDir}`, () => {
      fs.rmSync(certsDir, { recursive: true, force: true });
      if (made.certsRootMade && fs.existsSync(CERTS_ROOT) && fs.readdirSync(CERTS_ROOT).length === 0)
        fs.rmdirSync(CERTS_ROOT);
    });
  const absent = (pattern: RegExp) => (e: Error) => {
    if (!pattern.test(e.message)) throw e;
  };
  if (netns !== undefined)
    await step(`remove netns ${netns}`, () =>
      run("ip", ["netns", "del", netns]).catch(absent(/No such file/)),
    );
  if (hostLink !== undefined)
    await step(`remove ${hostLink}`, () => run("ip", ["link", "del", hostLink]).catch(absent(/Cannot find/)));
  // Kept when something failed: the logs and the record, for the next run's sweep.
  if (failures.length > 0)
    throw new Error(`the swarm harness (pid ${made.pid}) left things behind:\n${failures.join("\n")}`);
  fs.rmSync(made.tempDir, { recursive: true, force: true });
  fs.rmSync(made.runDir, { recursive: true, force: true });
}

/** Undoes what runs of this harness left behind in test processes that no longer exist. */
async function sweepDeadRuns(docker: Dockerode): Promise<void> {
  const [root, prefix] = [path.dirname(RUN_PREFIX), path.basename(RUN_PREFIX)];
  for (const entry of fs.readdirSync(root).filter((e) => e.startsWith(prefix))) {
    const pid = Number(entry.slice(prefix.length));
    if (!(pid > 0) || pid === process.pid || fs.existsSync(`/proc/${pid}`)) continue;
    let made: Made;
    try {
      made = JSON.parse(fs.readFileSync(path.join(root, entry, "made.json"), "utf8")) as Made;
    } catch {
      continue; // no record: nothing of ours to undo
    }
    await undo(made, docker);
  }
}

async function refuseForeignSwarm(docker: Dockerode): Promise<void> {
  const info = (await docker.info()) as { Swarm: { LocalNodeState: string; NodeID: string } };
  if (info.Swarm.LocalNodeState === "inactive") return;
  const swarm = (await docker.swarmInspect().catch(() => undefined)) as
    { Spec: { Labels?: Record<string, string> } } | undefined;
  const owner = swarm?.Spec.Labels?.[SWARM_LABEL];
  throw new Error(
    `The host's Docker engine is already in a swarm (state ${info.Swarm.LocalNodeState}, node ` +
      `${info.Swarm.NodeID})${owner === undefined ? "" : ` made by the swarm harness of test process ${owner}, which still runs`}. ` +
      "The harness makes a swarm of its own and does not leave one it did not make: if nothing needs " +
      "that swarm, leave it (`docker swarm leave --force`) and run the test again.",
  );
}
