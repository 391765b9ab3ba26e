/**
 * A stack the realizer makes on the local Docker engine: a temp media folder, free loopback
 * ports, and a name of its own, so docker-tier suites only say what their stack config is.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type Dockerode from "dockerode";
import { findFreePorts, type FreePorts } from "../support/ports";
import type { ProgramRun, StackConfig } from "../support/program";
import { ensureBaseImage } from "./baseImage";
import { ensureDockerEngine, restartDockerEngine, type DockerEngine } from "./engine";
import { Realizer } from "./realizer";

export interface DockerStack {
  readonly engine: DockerEngine;
  readonly realizer: Realizer;
  /** Physical-name prefix: set it as the stack config's `name`. */
  readonly name: string;
  readonly mediaDir: string;
  readonly ports: FreePorts;
  container(role: "ftp" | "web" | "worker" | "sftp"): Dockerode.Container;
  /** Stops the Docker engine and starts it again (engine.ts restartDockerEngine). */
  restartEngine(): Promise<void>;
  /** Makes (or, after removeContainers, makes again) what the program declares for `config`. */
  realize(config: StackConfig): Promise<ProgramRun>;
  /** Removes everything made, the media folder and a dockerd started here. */
  stop(): Promise<void>;
}

export async function startDockerStack(stack: string, passivePorts: number): Promise<DockerStack> {
  let engine = await ensureDockerEngine();
  await ensureBaseImage(engine.docker);
  const realizer = new Realizer(engine.docker);
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), `video-server-${stack}-`));
  // mkdtemp makes 0700; the containers' users must reach the media.
  fs.chmodSync(mediaDir, 0o755);
  const ports = await findFreePorts(passivePorts);
  const name = `video-server-${stack}-${process.pid}`;
  return {
    get engine() {
      return engine;
    },
    realizer,
    name,
    mediaDir,
    ports,
    container: (role) => engine.docker.getContainer(`${name}-${role}`),
    realize: (config) => realizer.realize(config, stack),
    restartEngine: async () => {
      engine = await restartDockerEngine(engine);
    },
    stop: async () => {
      const timings = realizer.timings.map((t) => `  ${t.what}: ${t.seconds.toFixed(1)} s`).join("\n");
      if (timings) process.stdout.write(`docker timings (${stack}):\n${timings}\n`);
      await realizer.teardown();
      fs.rmSync(mediaDir, { recursive: true, force: true });
      await engine.stop();
    },
  };
}

type Section = Readonly<Record<string, unknown>>;

/**
 * The stack config a docker-tier suite starts from: the stack's name, media folder and ports,
 * every port published on 127.0.0.1. `ftp` and `http` add to (or override) their sections.
 */
export function loopbackConfig(
  stack: DockerStack,
  { ftp = {}, http = {}, ...rest }: { ftp?: Section; http?: Section } & Section = {},
): StackConfig {
  const { ports } = stack;
  return {
    name: stack.name,
    media: { hostPath: stack.mediaDir },
    ...rest,
    ftp: {
      port: ports.ftp,
      bindAddress: "127.0.0.1",
      passiveAddress: "127.0.0.1",
      passivePorts: { min: ports.passiveMin, max: ports.passiveMax },
      ...ftp,
    },
    http: { port: ports.http, bindAddress: "127.0.0.1", ...http },
  };
}
