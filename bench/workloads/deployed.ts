/**
 * Workload 7: the deployed path. The stack realized on the local Docker engine (the docker
 * tier's realizer, the program's defaults), its HTTP port published on the gateway of a test
 * host (a network namespace of the bench's own, joined by a veth pair), measured against the
 * generated nginx as a host process, in the same rounds:
 * - container_nat: a client in the test host, through Docker's NAT (DNAT in PREROUTING), as a
 *   viewer on another machine reaches it;
 * - container_proxy: a client on this host through docker-proxy, Docker's userland proxy, as a
 *   host-local client of a port published on 127.0.0.1 reaches it. dockerd runs a proxy for
 *   every published port; this one is a copy of the proxy it started for the gateway's port,
 *   with 127.0.0.1 and a free port instead (the same binary and arguments);
 * - container_direct: a client on this host to the container's own address: no NAT, no proxy.
 * The container's processes and the proxy run on the server core, every client on the other.
 * The server's CPU is the container's cpuacct group, plus the proxy's for container_proxy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  containerCpuGroup,
  serverGroup,
  groupProcesses,
  pinToCore,
  SERVER_CORE,
  type CpuGroup,
} from "../cpu";
import { hostClient, target, type BenchEnv, type Client, type HttpTarget } from "../env";
import { dockerProxyArgs, startDockerProxy, withFlags } from "../dockerProxy";
import { makeFile } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result, type Variant } from "../report";
import { largeRounds, LARGE_UNITS } from "./largeFile";
import { makeSmallFiles, smallFilesRun } from "./smallFiles";
import { makeStreamFile, streamRun } from "./streaming";
import { loopbackConfig, startDockerStack, type DockerStack } from "../../test/docker/stack";
import { findFreePorts, HOST } from "../../test/support/ports";
import { createTestHost, type TestHost } from "../../test/support/testHost";
import { WRK_CPU_UNITS } from "../wrk";

export const DEPLOYED_VARIANTS = [
  "generated",
  "container_nat",
  "container_proxy",
  "container_direct",
] as const;
const LARGE_PATH = "/videos/large.mp4";

type ContainerVariant = Exclude<(typeof DEPLOYED_VARIANTS)[number], "generated">;

interface Deployed {
  readonly targets: Readonly<Record<ContainerVariant, HttpTarget>>;
  readonly media: string;
  readonly stop: () => Promise<void>;
}

async function deploy(env: BenchEnv): Promise<Deployed> {
  const undo: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const step of undo.reverse())
      await Promise.resolve()
        .then(step)
        .catch((e: unknown) => env.log(`cleanup: ${String(e)}`));
  };
  try {
    const host: TestHost = await createTestHost("bench", 1);
    undo.push(() => host.remove());
    const stack: DockerStack = await startDockerStack("bench", 20);
    undo.push(() => stack.stop());
    env.log("deployed path: realizing the stack on the local Docker engine");
    await stack.realize(
      loopbackConfig(stack, {
        ftp: { users: [{ name: "uploader", password: "bench-uploader-password" }] },
        http: { bindAddress: host.gateway },
      }),
    );
    const web = await stack.container("web").inspect();
    const address = Object.values(web.NetworkSettings.Networks)[0]?.IPAddress;
    if (!address)
      throw new Error(`the web container has no address: ${JSON.stringify(web.NetworkSettings.Networks)}`);
    const containerGroup = containerCpuGroup(web.Id);
    for (const pid of groupProcesses(containerGroup.dir)) pinToCore([pid], SERVER_CORE);

    const proxyPort = (await findFreePorts(0)).http;
    const argv = withFlags(dockerProxyArgs(host.gateway, stack.ports.http), {
      "-host-ip": HOST,
      "-host-port": String(proxyPort),
    });
    const proxy = await startDockerProxy(argv);
    const proxyGroup: CpuGroup = serverGroup(`video-server-bench-${process.pid}-proxy`, [proxy.pid]);
    // Undone backwards: the group is removed once the proxy has stopped and left it empty.
    undo.push(() => proxyGroup.remove());
    undo.push(() => proxy.stop());

    const inTestHost: Client = (command, args) => [
      "ip",
      ["netns", "exec", host.namespace, ...hostClient(command, args).flat()],
    ];
    const containerCpu = () => containerGroup.usage().total;
    const media = stack.mediaDir;
    for (const d of ["videos", "images"]) fs.mkdirSync(path.join(media, d), { recursive: true, mode: 0o755 });
    env.log(
      `deployed path: ${host.gateway}:${stack.ports.http} (NAT, from the test host), ${HOST}:${proxyPort} (docker-proxy), ${address}:80 (direct)`,
    );
    return {
      media,
      stop,
      targets: {
        container_nat: {
          variant: "container_nat",
          host: host.gateway,
          port: stack.ports.http,
          client: inTestHost,
          cpu: containerCpu,
        },
        container_proxy: {
          variant: "container_proxy",
          host: HOST,
          port: proxyPort,
          client: hostClient,
          cpu: () => containerCpu() + proxyGroup.usage().total,
        },
        container_direct: {
          variant: "container_direct",
          host: address,
          port: 80,
          client: hostClient,
          cpu: containerCpu,
        },
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export async function deployedPath(env: BenchEnv): Promise<Result[]> {
  const deployed = await deploy(env);
  try {
    const isContainer = (v: Variant): v is ContainerVariant => v in deployed.targets;
    const serverOf = (v: Variant): HttpTarget => (isContainer(v) ? deployed.targets[v] : target(env, v));
    const { profile } = env;
    for (const media of [env.media, deployed.media]) {
      makeFile(path.join(media, LARGE_PATH), profile.largeFileBytes);
      makeStreamFile(env, media);
      makeSmallFiles(env, media);
    }
    const large = await largeRounds(
      "deployed: large file, 1 stream",
      env,
      DEPLOYED_VARIANTS,
      serverOf,
      LARGE_PATH,
      1,
      profile.largeFileBytes,
    );
    const connections = profile.deployedStreamConnections;
    const stream = await rounds(
      `deployed: streaming, ${connections}`,
      profile.runs,
      DEPLOYED_VARIANTS,
      env.log,
      (v) => streamRun(env, serverOf(v), connections),
    );
    const small = await rounds("deployed: small files", profile.runs, DEPLOYED_VARIANTS, env.log, (v) =>
      smallFilesRun(env, serverOf(v)),
    );
    return [
      ...toResults(W.deployed(W.large1), large, LARGE_UNITS),
      ...toResults(W.deployed(W.stream(connections)), stream, WRK_CPU_UNITS),
      ...toResults(W.deployed(W.small), small, WRK_CPU_UNITS),
    ];
  } finally {
    await deployed.stop();
  }
}
