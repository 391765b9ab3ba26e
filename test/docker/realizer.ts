/**
 * The realizer: runs the program under Pulumi mocks and makes each declared resource for real
 * through the Docker Engine API. One table maps a type token to the input fields it knows and
 * an async `create`; a declared field outside that list is an error, never dropped, and the
 * providers' own rules (test/support/providerRules.ts) are enforced as the providers would.
 * An ssh:// provider host is reached the way the docker provider reaches it: the local `ssh`
 * runs `docker system dial-stdio` on the server (sshDial.ts). Everything made is recorded so
 * `teardown` removes exactly that (built images stay, as a cache).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import Dockerode from "dockerode";
import { Client as SshClient } from "ssh2";
import * as tar from "tar-stream";
import {
  PROJECT_DIR,
  runProgram,
  type Created,
  type DeclaredResource,
  type ProgramRun,
  type StackConfig,
} from "../support/program";
import {
  durationProblem,
  cpusProblems,
  memoryProblems,
  parseGoDuration,
  portProblems,
  publicKeyBlob,
  uploadProblems,
} from "../support/providerRules";
import { dialStdio, type DialedEngine } from "./sshDial";
import {
  NETWORK_FIELDS,
  SERVICE_FIELDS,
  SWARM_OBJECT_FIELDS,
  createNetwork,
  createSwarmObject,
  emptySwarmRecord,
  removeSwarmObjects,
  serviceSpec,
  waitConverged,
} from "./swarmKinds";

type Inputs = Record<string, unknown>;

interface Kind {
  /** Input fields this kind maps; anything else declared is an error. */
  readonly fields: readonly string[];
  readonly create: (inputs: Inputs, resource: Omit<DeclaredResource, "id">) => Promise<Created>;
}

export interface Timing {
  readonly what: string;
  readonly seconds: number;
}

interface Port {
  internal: number;
  external: number;
  ip: string;
  protocol: string;
}
interface VolumeMount {
  volumeName: string;
  containerPath: string;
  readOnly?: boolean;
}
interface Upload {
  file: string;
  content: string;
  permissions?: string;
}
interface Healthcheck {
  tests: string[];
  interval: string;
  timeout: string;
  startPeriod: string;
  retries: number;
}

/** A healthcheck duration in nanoseconds, as the Engine API wants it; only Go's canonical form. */
export function durationNs(field: string, text: string): number {
  const problem = durationProblem(field, text);
  if (problem !== undefined) throw new Error(`realizer: ${problem}`);
  return parseGoDuration(text);
}

interface SshConnection {
  host: string;
  user: string;
  port?: number;
  privateKey?: string;
  hostKey?: string;
  /** Seconds one dial attempt may take (the provider's default: 15). */
  perDialTimeout?: number;
  /** Dial attempts before giving up (the provider's default: 10). */
  dialErrorLimit?: number;
}

export const ARCHITECTURES: Record<string, string> = { "linux/amd64": "amd64", "linux/arm64": "arm64" };

function tarOf(files: readonly Upload[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const f of files) {
    pack.entry(
      { name: f.file.replace(/^\//, ""), mode: parseInt(f.permissions ?? "0644", 8), uid: 0, gid: 0 },
      f.content,
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c as Buffer));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
}

export class Realizer {
  readonly containers: string[] = [];
  readonly volumes: string[] = [];
  /** Swarm services, configs, secrets and networks made here. */
  readonly swarm = emptySwarmRecord();
  /** Images pushed to a registry, as `repository@digest`. */
  readonly pushed: string[] = [];
  readonly timings: Timing[] = [];
  /** Each container's destroyGraceSeconds: how long removal lets it stop (0: killed at once). */
  private readonly graceSeconds = new Map<string, number>();
  private readonly kinds: Record<string, Kind>;
  /** The engine the resources go to: the local one, or the server behind an ssh:// provider. */
  private engine: Dockerode;
  private dialed: DialedEngine | undefined;

  constructor(readonly docker: Dockerode) {
    this.engine = docker;
    this.kinds = {
      "pulumi:providers:docker": { fields: ["host", "sshOpts"], create: (i) => this.provider(i) },
      "docker:index/image:Image": {
        fields: ["imageName", "skipPush", "build", "buildOnPreview", "registry"],
        create: (i) => this.image(i),
      },
      "docker:index/remoteImage:RemoteImage": {
        fields: ["name", "keepLocally", "platform"],
        create: (i) => this.remoteImage(i),
      },
      "docker:index/volume:Volume": {
        fields: ["name", "driver", "driverOpts", "labels"],
        create: (i) => this.volume(i),
      },
      "docker:index/container:Container": {
        fields: [
          "name",
          "image",
          "init",
          "restart",
          "wait",
          "waitTimeout",
          "logDriver",
          "logOpts",
          "labels",
          "ports",
          "volumes",
          "uploads",
          "healthcheck",
          "envs",
          "command",
          "stopSignal",
          "stopTimeout",
          "destroyGraceSeconds",
          "capabilities",
          "securityOpts",
          "memory",
          "memorySwap",
          "cpus",
        ],
        create: (i) => this.container(i),
      },
      "docker:index/network:Network": {
        fields: NETWORK_FIELDS,
        create: (i, r) => createNetwork(this.engine, i, r.options, this.swarm),
      },
      "docker:index/serviceConfig:ServiceConfig": {
        fields: SWARM_OBJECT_FIELDS,
        create: async (i) => {
          const made = await createSwarmObject(this.engine, "config", i, this.swarm);
          return { id: made.id, state: { name: made.name } };
        },
      },
      "docker:index/secret:Secret": {
        fields: SWARM_OBJECT_FIELDS,
        create: async (i) => {
          const made = await createSwarmObject(this.engine, "secret", i, this.swarm);
          return { id: made.id, state: { name: made.name } };
        },
      },
      "docker:index/service:Service": {
        fields: SERVICE_FIELDS,
        create: (i) => this.service(i),
      },
      "command:local:Command": {
        fields: ["create", "stdin", "logging", "addPreviousOutputInEnv"],
        create: (i) => this.command(i),
      },
      "command:remote:Command": {
        fields: ["connection", "create"],
        create: (i, r) => this.remoteCommand(i, r),
      },
      "random:index/randomPassword:RandomPassword": {
        fields: ["length", "special"],
        create: (i) => this.password(i),
      },
      "tls:index/privateKey:PrivateKey": {
        fields: ["algorithm"],
        create: (i) => this.privateKey(i),
      },
    };
  }

  /** Engine API connections made through `ssh … docker system dial-stdio` so far. */
  sshDials(): number {
    return this.dialed?.dials() ?? 0;
  }

  /** Runs the program with this realizer making its resources. */
  realize(config: StackConfig, stack: string): Promise<ProgramRun> {
    return runProgram(config, { stack, create: (r) => this.create(r) });
  }

  async create(resource: Omit<DeclaredResource, "id">): Promise<Created> {
    // Components only group their children; there is nothing to make for them.
    if (resource.type.startsWith("video-server:index:")) return { id: "" };
    const kind = this.kinds[resource.type];
    if (!kind) throw new Error(`realizer: no mapping for ${resource.type} (${resource.name})`);
    const unknown = Object.keys(resource.inputs).filter((f) => !kind.fields.includes(f));
    if (unknown.length > 0) {
      throw new Error(
        `realizer: ${resource.type} ${resource.name} declares ${unknown.join(", ")}, which it does not map`,
      );
    }
    return kind.create(resource.inputs, resource);
  }

  /** Removes every container and volume made here, newest first; never the media folder's files. */
  async teardown(): Promise<void> {
    await removeSwarmObjects(this.engine, this.swarm);
    for (const id of [...this.containers].reverse()) await this.removeContainer(id).catch(() => undefined);
    this.containers.length = 0;
    for (const name of [...this.volumes].reverse()) {
      await this.engine
        .getVolume(name)
        .remove()
        .catch(() => undefined);
    }
    this.volumes.length = 0;
    await this.dialed?.close();
    this.dialed = undefined;
    this.engine = this.docker;
  }

  /** Removes the containers only, as a config change that replaces them would. */
  async removeContainers(): Promise<void> {
    for (const id of this.containers) await this.removeContainer(id);
    this.containers.length = 0;
  }

  /**
   * As the provider deletes a container: stopped with its destroyGraceSeconds (the image's
   * stop signal first, SIGKILL when the grace runs out), then removed; without a grace, killed.
   */
  async removeContainer(id: string): Promise<void> {
    const container = this.engine.getContainer(id);
    const grace = this.graceSeconds.get(id) ?? 0;
    if (grace > 0) await container.stop({ t: grace }).catch(() => undefined);
    await container.remove({ force: true });
  }

  private async provider(i: Inputs): Promise<Created> {
    const host = String(i.host);
    if (host === "unix:///var/run/docker.sock") return { id: "local-engine" };
    const ssh = /^ssh:\/\/([^@]+)@([^:/]+)(?::(\d+))?$/.exec(host);
    if (!ssh) throw new Error(`realizer: reaches the local engine or an ssh:// host, not ${host}`);
    // The engine hands a provider its inputs JSON-encoded: sshOpts arrives as '["-i", …]'.
    const sshOpts: unknown = typeof i.sshOpts === "string" ? JSON.parse(i.sshOpts) : (i.sshOpts ?? []);
    if (!Array.isArray(sshOpts) || !sshOpts.every((o) => typeof o === "string")) {
      throw new Error(`realizer: the provider's sshOpts must be a list of strings, not ${String(i.sshOpts)}`);
    }
    this.dialed = await dialStdio({ user: ssh[1], host: ssh[2], port: Number(ssh[3] ?? 22) }, sshOpts);
    this.engine = new Dockerode({ socketPath: this.dialed.socketPath });
    // Fails here, with ssh's own words, when the server cannot be reached or has no docker CLI.
    await this.engine.ping().catch((e: unknown) => {
      throw new Error(`realizer: no engine behind ${host}: ${String(e)}\n${this.dialed?.stderr() ?? ""}`);
    });
    return { id: host };
  }

  private async image(i: Inputs): Promise<Created> {
    const build = i.build as {
      context: string;
      builderVersion?: string;
      args?: Record<string, string>;
      platform?: string;
    };
    const known = ["context", "builderVersion", "args", "platform"];
    const extra = Object.keys(build).filter((k) => !known.includes(k));
    if (extra.length > 0)
      throw new Error(`realizer: Image build declares ${extra.join(", ")}, which it does not map`);
    const registry = i.registry as { server?: string; username?: string; password?: string } | undefined;
    if (i.skipPush !== true && registry?.server === undefined)
      throw new Error("realizer: an Image pushed (skipPush false) needs its registry (server, credentials)");
    if (registry !== undefined) {
      const extraRegistry = Object.keys(registry).filter(
        (k) => !["server", "username", "password"].includes(k),
      );
      if (extraRegistry.length > 0)
        throw new Error(
          `realizer: Image registry declares ${extraRegistry.join(", ")}, which it does not map`,
        );
      if (i.skipPush !== true && !String(i.imageName).startsWith(`${registry.server}/`)) {
        throw new Error(
          `realizer: Image ${String(i.imageName)} is pushed to ${registry.server} but its name does not start with it`,
        );
      }
    }
    if (build.builderVersion !== "BuilderV1")
      throw new Error("realizer: only the classic builder (BuilderV1) exists here");
    // The provider defaults the platform to the machine running pulumi, not the server.
    if (build.platform === undefined || !(build.platform in ARCHITECTURES)) {
      throw new Error(
        `realizer: Image ${String(i.imageName)} must set build.platform (${Object.keys(ARCHITECTURES).join(" or ")})`,
      );
    }

    const context = path.resolve(PROJECT_DIR, build.context);
    const started = Date.now();
    const stream = await this.engine.buildImage(
      { context, src: fs.readdirSync(context) },
      {
        t: String(i.imageName),
        buildargs: build.args ?? {},
        version: "1",
        rm: true,
        forcerm: true,
        platform: build.platform,
      },
    );
    const output = await new Promise<{ error?: string }[]>((resolve, reject) =>
      this.engine.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) =>
        err ? reject(err) : resolve(res),
      ),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(`realizer: building ${String(i.imageName)} failed: ${failed.error}`);
    const { Id, Architecture } = await this.engine.getImage(String(i.imageName)).inspect();
    if (Architecture !== ARCHITECTURES[build.platform]) {
      throw new Error(
        `realizer: ${String(i.imageName)} was built for ${Architecture}, not ${build.platform}`,
      );
    }
    this.timings.push({ what: `build ${String(i.imageName)}`, seconds: (Date.now() - started) / 1000 });
    if (i.skipPush === true || registry === undefined) {
      return { id: Id, state: { repoDigest: Id, imageName: i.imageName } };
    }
    // As the provider pushes: to the registry named in the image's name, with its credentials;
    // the repo digest is the registry's manifest digest.
    const pushStarted = Date.now();
    const digest = await this.push(String(i.imageName), registry);
    const repository = String(i.imageName).replace(/:[^:/]+$/, "");
    this.pushed.push(`${repository}@${digest}`);
    this.timings.push({ what: `push ${String(i.imageName)}`, seconds: (Date.now() - pushStarted) / 1000 });
    return { id: Id, state: { repoDigest: `${repository}@${digest}`, imageName: i.imageName } };
  }

  private async push(
    imageName: string,
    registry: { server?: string; username?: string; password?: string },
  ): Promise<string> {
    const tag = /:([^:/]+)$/.exec(imageName)?.[1] ?? "latest";
    const authconfig =
      registry.username === undefined
        ? undefined
        : { username: registry.username, password: registry.password, serveraddress: registry.server };
    const stream = await this.engine.getImage(imageName).push({ tag, ...(authconfig ? { authconfig } : {}) });
    const output = await new Promise<{ error?: string; aux?: { Digest?: string } }[]>((resolve, reject) =>
      this.engine.modem.followProgress(
        stream,
        (err: Error | null, res: { error?: string; aux?: { Digest?: string } }[]) =>
          err ? reject(err) : resolve(res),
      ),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(`realizer: pushing ${imageName} failed: ${failed.error}`);
    const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
    if (digest === undefined) throw new Error(`realizer: pushing ${imageName} reported no digest`);
    return digest;
  }

  /** As the provider creates a service: the spec, the registry auth, then convergence if declared. */
  private async service(i: Inputs): Promise<Created> {
    const { spec, auth, replicas } = serviceSpec(i);
    const started = Date.now();
    const service = (await this.engine.createService(
      (auth ?? {}) as Dockerode.AuthConfig,
      spec as unknown as Dockerode.CreateServiceOptions,
    )) as unknown as { id: string };
    this.swarm.services.push(service.id);
    if (i.convergeConfig !== undefined && replicas !== undefined) {
      await waitConverged(this.engine, service.id, String(i.name), replicas, i);
      this.timings.push({ what: `converged ${String(i.name)}`, seconds: (Date.now() - started) / 1000 });
    }
    return { id: service.id, state: { name: i.name } };
  }

  private async remoteImage(i: Inputs): Promise<Created> {
    const image = await this.engine
      .getImage(String(i.name))
      .inspect()
      .catch(() => {
        throw new Error(
          `realizer: ${String(i.name)} is not on the engine and no registry is reachable to pull it`,
        );
      });
    return { id: image.Id, state: { imageId: image.Id } };
  }

  private async volume(i: Inputs): Promise<Created> {
    const labels = Object.fromEntries(
      (i.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
    );
    const volume = await this.engine.createVolume({
      Name: String(i.name),
      Driver: String(i.driver),
      DriverOpts: i.driverOpts as Record<string, string>,
      Labels: labels,
    });
    this.volumes.push(volume.name);
    return { id: volume.name };
  }

  private async container(i: Inputs): Promise<Created> {
    const ports = (i.ports as Port[] | undefined) ?? [];
    const mounts = (i.volumes as VolumeMount[] | undefined) ?? [];
    const health = i.healthcheck as Healthcheck | undefined;
    const uploads = (i.uploads as Upload[] | undefined) ?? [];
    const refused = [
      ...uploadProblems(uploads),
      ...memoryProblems(i.memory as number | undefined, i.memorySwap as number | undefined),
      ...cpusProblems(i.cpus as string | undefined),
      ...portProblems((i.ports as Port[] | undefined) ?? []),
    ];
    if (refused.length > 0) throw new Error(`realizer: container ${String(i.name)}: ${refused.join("; ")}`);
    const key = (p: Port) => `${p.internal}/${p.protocol}`;
    const container = await this.engine.createContainer({
      name: String(i.name),
      Image: String(i.image),
      Env: i.envs as string[] | undefined,
      Cmd: i.command as string[] | undefined,
      Labels: Object.fromEntries(
        ((i.labels as { label: string; value: string }[]) ?? []).map((l) => [l.label, l.value]),
      ),
      ExposedPorts: Object.fromEntries(ports.map((p) => [key(p), {}])),
      StopSignal: i.stopSignal as string | undefined,
      StopTimeout: i.stopTimeout as number | undefined,
      Healthcheck: health && {
        Test: health.tests,
        Interval: durationNs("healthcheck.interval", health.interval),
        Timeout: durationNs("healthcheck.timeout", health.timeout),
        StartPeriod: durationNs("healthcheck.startPeriod", health.startPeriod),
        Retries: health.retries,
      },
      HostConfig: {
        Init: i.init === true,
        CapDrop: (i.capabilities as { drops?: string[] } | undefined)?.drops,
        CapAdd: (i.capabilities as { adds?: string[] } | undefined)?.adds,
        SecurityOpt: i.securityOpts as string[] | undefined,
        // The provider takes MiB; the engine bytes (-1: no swap limit).
        ...(i.memory === undefined ? {} : { Memory: Number(i.memory) * 1024 * 1024 }),
        // The provider parses `cpus` into the engine's NanoCPUs (opts.ParseCPUs).
        ...(i.cpus === undefined ? {} : { NanoCpus: Math.round(Number(i.cpus) * 1e9) }),
        ...(i.memorySwap === undefined
          ? {}
          : { MemorySwap: Number(i.memorySwap) === -1 ? -1 : Number(i.memorySwap) * 1024 * 1024 }),
        RestartPolicy: { Name: String(i.restart ?? "no") },
        LogConfig: {
          Type: String(i.logDriver ?? "json-file"),
          Config: (i.logOpts as Record<string, string>) ?? {},
        },
        PortBindings: Object.fromEntries(
          ports.map((p) => [key(p), [{ HostIp: p.ip, HostPort: String(p.external) }]]),
        ),
        Mounts: mounts.map((m) => ({
          Type: "volume",
          Source: m.volumeName,
          Target: m.containerPath,
          ReadOnly: m.readOnly === true,
        })),
      },
    });
    this.containers.push(container.id);
    this.graceSeconds.set(container.id, Number(i.destroyGraceSeconds ?? 0));
    // As the provider does: the files go in after create, before start, owned by root:root.
    if (uploads.length > 0) await container.putArchive(await tarOf(uploads), { path: "/" });

    const started = Date.now();
    await container.start();
    if (i.wait === true) {
      await this.waitHealthy(container, String(i.name), Number(i.waitTimeout ?? 60) * 1000);
      this.timings.push({ what: `healthy ${String(i.name)}`, seconds: (Date.now() - started) / 1000 });
    }
    return { id: container.id };
  }

  /** Polls the container's health until healthy, bounded by the declared waitTimeout. */
  async waitHealthy(container: Dockerode.Container, name: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const lastLogs = async () =>
      (await container.logs({ stdout: true, stderr: true, tail: 30 })).toString().trimEnd();
    for (;;) {
      const state = (await container.inspect()).State;
      if (state.Health?.Status === "healthy") return;
      if (!state.Running && !state.Restarting) {
        throw new Error(`realizer: container ${name} exited (${state.ExitCode}):\n${await lastLogs()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `realizer: container ${name} not healthy after ${timeoutMs} ms (the provider would record it ` +
            `as created with errors); its last log lines:\n${await lastLogs()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async command(i: Inputs): Promise<Created> {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = execFile("sh", ["-c", String(i.create)], { cwd: PROJECT_DIR }, (error, out, err) =>
        error
          ? reject(new Error(`realizer: command failed: ${err || error.message}`))
          : resolve({ stdout: out, stderr: err }),
      );
      // A command that exits without reading its stdin (mkdir) closes the pipe first: EPIPE
      // then says nothing about the command, whose exit status decides.
      child.stdin?.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") reject(e);
      });
      try {
        child.stdin?.end(typeof i.stdin === "string" ? i.stdin : "");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPIPE") reject(e as Error);
      }
    });
    return { id: `command-${randomBytes(4).toString("hex")}`, state: { stdout, stderr } };
  }

  /**
   * As pulumi-command runs a remote command: an SSH session with the key (or password) given,
   * no ~/.ssh/config, and the host key checked only when `connection.hostKey` is set.
   */
  private async remoteCommand(i: Inputs, resource: Omit<DeclaredResource, "id">): Promise<Created> {
    const connection = i.connection as SshConnection;
    const known = ["host", "user", "port", "privateKey", "hostKey", "perDialTimeout", "dialErrorLimit"];
    const extra = Object.keys(connection).filter((k) => !known.includes(k));
    if (extra.length > 0) {
      throw new Error(
        `realizer: remote.Command connection declares ${extra.join(", ")}, which it does not map`,
      );
    }
    const expected = connection.hostKey === undefined ? undefined : publicKeyBlob(connection.hostKey);
    const where = `${connection.user}@${connection.host}:${connection.port ?? 22}`;
    const client = new SshClient();
    const output = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
      client
        .on("ready", () => {
          client.exec(String(i.create), (error, channel) => {
            if (error) return reject(error);
            let stdout = "";
            let stderr = "";
            channel.on("data", (d: Buffer) => (stdout += d.toString()));
            channel.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            channel.on("close", (code: number | null) => resolve({ stdout, stderr, code: code ?? -1 }));
          });
        })
        .on("error", (e) =>
          reject(
            new Error(
              /verification failed/i.test(e.message)
                ? `realizer: remote.Command ${resource.name}: ${where} offered a host key other than ` +
                    "connection.hostKey (target.sshHostKey); the provider refuses it the same way"
                : `realizer: remote.Command ${resource.name}: cannot reach ${where}: ${e.message}`,
            ),
          ),
        )
        .connect({
          host: connection.host,
          port: connection.port ?? 22,
          username: connection.user,
          privateKey: connection.privateKey,
          readyTimeout: (connection.perDialTimeout ?? 15) * 1000,
          hostVerifier: (key: Buffer) => expected === undefined || key.equals(expected),
        });
    }).finally(() => client.end());
    if (output.code !== 0) {
      throw new Error(`realizer: remote.Command ${resource.name} exited ${output.code}: ${output.stderr}`);
    }
    return {
      id: `remote-${randomBytes(4).toString("hex")}`,
      state: { stdout: output.stdout, stderr: output.stderr },
    };
  }

  /**
   * As pulumi-tls makes an Ed25519 key: the private key in OpenSSH's format, the public key
   * line, and its SHA256 fingerprint; here by ssh-keygen, which writes exactly those forms.
   */
  private async privateKey(i: Inputs): Promise<Created> {
    if (i.algorithm !== "ED25519")
      throw new Error(`realizer: PrivateKey ${String(i.algorithm)} is not mapped`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-key-"));
    try {
      const file = path.join(dir, "key");
      await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file]);
      const { stdout } = await promisify(execFile)("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`]);
      return {
        id: `key-${randomBytes(4).toString("hex")}`,
        state: {
          privateKeyOpenssh: fs.readFileSync(file, "utf8"),
          publicKeyOpenssh: `${fs.readFileSync(`${file}.pub`, "utf8").trim()}\n`,
          publicKeyFingerprintSha256: stdout.split(" ")[1],
        },
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private async password(i: Inputs): Promise<Created> {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    if (i.special !== false)
      throw new Error("realizer: RandomPassword with special characters is not mapped");
    const bytes = randomBytes(Number(i.length));
    const result = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
    return { id: `password-${randomBytes(4).toString("hex")}`, state: { result } };
  }
}
