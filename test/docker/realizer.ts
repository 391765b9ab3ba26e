/**
 * The realizer: runs the program under Pulumi mocks and makes each declared resource for real
 * through the Docker Engine API. One table maps a type token to the input fields it knows and
 * an async `create`; a declared field outside that list is an error, never dropped. Everything
 * made is recorded so `teardown` removes exactly that (built images stay, as a cache).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type Dockerode from "dockerode";
import * as tar from "tar-stream";
import {
  PROJECT_DIR,
  runProgram,
  type Created,
  type DeclaredResource,
  type ProgramRun,
  type StackConfig,
} from "../support/program";

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

/** "10s" → nanoseconds, as the Engine API wants durations. */
export function durationNs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`realizer: cannot read the duration '${text}'`);
  const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unitMs * 1_000_000;
}

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
  readonly timings: Timing[] = [];
  private readonly kinds: Record<string, Kind>;

  constructor(private readonly docker: Dockerode) {
    this.kinds = {
      "pulumi:providers:docker": { fields: ["host", "sshOpts"], create: (i) => this.provider(i) },
      "docker:index/image:Image": {
        fields: ["imageName", "skipPush", "build", "buildOnPreview"],
        create: (i) => this.image(i),
      },
      "docker:index/remoteImage:RemoteImage": {
        fields: ["name", "keepLocally"],
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
        ],
        create: (i) => this.container(i),
      },
      "command:local:Command": { fields: ["create", "stdin", "logging"], create: (i) => this.command(i) },
      "random:index/randomPassword:RandomPassword": {
        fields: ["length", "special"],
        create: (i) => this.password(i),
      },
    };
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
    for (const id of [...this.containers].reverse()) {
      await this.docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    }
    this.containers.length = 0;
    for (const name of [...this.volumes].reverse()) {
      await this.docker
        .getVolume(name)
        .remove()
        .catch(() => undefined);
    }
    this.volumes.length = 0;
  }

  /** Removes the containers only, as a config change that replaces them would. */
  async removeContainers(): Promise<void> {
    for (const id of this.containers) await this.docker.getContainer(id).remove({ force: true });
    this.containers.length = 0;
  }

  private async provider(i: Inputs): Promise<Created> {
    if (i.host !== "unix:///var/run/docker.sock") {
      throw new Error(`realizer: reaches only the local engine, not ${String(i.host)}`);
    }
    return { id: "local-engine" };
  }

  private async image(i: Inputs): Promise<Created> {
    const build = i.build as { context: string; builderVersion?: string; args?: Record<string, string> };
    const known = ["context", "builderVersion", "args"];
    const extra = Object.keys(build).filter((k) => !known.includes(k));
    if (extra.length > 0)
      throw new Error(`realizer: Image build declares ${extra.join(", ")}, which it does not map`);
    if (i.skipPush !== true)
      throw new Error("realizer: an Image must set skipPush: no registry is reachable");
    if (build.builderVersion !== "BuilderV1")
      throw new Error("realizer: only the classic builder (BuilderV1) exists here");

    const context = path.resolve(PROJECT_DIR, build.context);
    const started = Date.now();
    const stream = await this.docker.buildImage(
      { context, src: fs.readdirSync(context) },
      { t: String(i.imageName), buildargs: build.args ?? {}, version: "1", rm: true, forcerm: true },
    );
    const output = await new Promise<{ error?: string }[]>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) =>
        err ? reject(err) : resolve(res),
      ),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(`realizer: building ${String(i.imageName)} failed: ${failed.error}`);
    const { Id } = await this.docker.getImage(String(i.imageName)).inspect();
    this.timings.push({ what: `build ${String(i.imageName)}`, seconds: (Date.now() - started) / 1000 });
    return { id: Id, state: { repoDigest: Id, imageName: i.imageName } };
  }

  private async remoteImage(i: Inputs): Promise<Created> {
    const image = await this.docker
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
    const volume = await this.docker.createVolume({
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
    const key = (p: Port) => `${p.internal}/${p.protocol}`;
    const container = await this.docker.createContainer({
      name: String(i.name),
      Image: String(i.image),
      Env: i.envs as string[] | undefined,
      Cmd: i.command as string[] | undefined,
      Labels: Object.fromEntries(
        ((i.labels as { label: string; value: string }[]) ?? []).map((l) => [l.label, l.value]),
      ),
      ExposedPorts: Object.fromEntries(ports.map((p) => [key(p), {}])),
      Healthcheck: health && {
        Test: health.tests,
        Interval: durationNs(health.interval),
        Timeout: durationNs(health.timeout),
        StartPeriod: durationNs(health.startPeriod),
        Retries: health.retries,
      },
      HostConfig: {
        Init: i.init === true,
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
    const uploads = (i.uploads as Upload[] | undefined) ?? [];
    if (uploads.length > 0) await container.putArchive(await tarOf(uploads), { path: "/" });

    const started = Date.now();
    await container.start();
    if (i.wait === true) {
      await this.waitHealthy(container, Number(i.waitTimeout ?? 60) * 1000);
      this.timings.push({ what: `healthy ${String(i.name)}`, seconds: (Date.now() - started) / 1000 });
    }
    return { id: container.id };
  }

  /** Polls the container's health until healthy, bounded by the declared waitTimeout. */
  async waitHealthy(container: Dockerode.Container, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await container.inspect()).State;
      if (state.Health?.Status === "healthy") return;
      if (!state.Running && !state.Restarting) {
        const logs = await container.logs({ stdout: true, stderr: true, tail: 30 });
        throw new Error(
          `realizer: ${container.id.slice(0, 12)} exited (${state.ExitCode}):\n${logs.toString()}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`realizer: ${container.id.slice(0, 12)} not healthy after ${timeoutMs} ms`);
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
      child.stdin?.end(typeof i.stdin === "string" ? i.stdin : "");
    });
    return { id: `command-${randomBytes(4).toString("hex")}`, state: { stdout, stderr } };
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
