/**
 * The two-node swarm harness (swarm.ts) gives what swarm deploy tests rely on: two Ready nodes,
 * a TLS registry that wants its credentials, and a worker that pulls a pushed image with them and
 * serves a host-mode port at its own address. Connections go to the veth pair's addresses only.
 */
import * as net from "node:net";
import type Dockerode from "dockerode";
import { pollUntil } from "../support/wait";
import { BASE_IMAGE, ensureBaseImage } from "./baseImage";
import { registryGet, startTwoNodeSwarm, type TwoNodeSwarm } from "./swarm";

const SERVICE = `vs-swarm-smoke-${process.pid}`;
const PORT = 18080;
/** Answers every connection with the id of the node its task runs on, from a service template. */
const RESPONDER =
  'my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";' +
  'while (my $c = $s->accept) { print $c "served by $ENV{NODE_ID}\\n"; close $c }';

let swarm: TwoNodeSwarm;

// Room for a first debootstrap of the base image (baseImage.ts); the swarm itself starts in seconds.
beforeAll(async () => {
  swarm = await startTwoNodeSwarm();
  await ensureBaseImage(swarm.manager.engine);
}, 600_000);

afterAll(async () => {
  await swarm?.teardown();
}, 120_000);

/** What a TCP server at host:port sends before it closes; "" when nothing answers. */
function readFrom(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const socket = net.connect({ host, port });
    socket.setTimeout(3_000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.once("end", () => resolve(text));
    socket.once("timeout", () => socket.destroy());
    socket.once("error", () => resolve(""));
    socket.once("close", () => resolve(text));
  });
}

describe("the two-node swarm harness", () => {
  it("lists the host engine as Ready manager and the namespaced dockerd as Ready worker at its veth address", async () => {
    const nodes = (await swarm.manager.engine.listNodes()) as {
      ID: string;
      Spec: { Role: string };
      Status: { State: string; Addr: string };
      Description: { Hostname: string };
    }[];
    const seen = Object.fromEntries(
      nodes.map((n) => [n.ID, { role: n.Spec.Role, state: n.Status.State, addr: n.Status.Addr }]),
    );
    expect(seen).toEqual({
      [swarm.manager.nodeId]: { role: "manager", state: "ready", addr: swarm.manager.address },
      [swarm.worker.nodeId]: { role: "worker", state: "ready", addr: swarm.worker.address },
    });
    expect(nodes.find((n) => n.ID === swarm.worker.nodeId)?.Description.Hostname).toBe("vs-swarm-worker");
  });

  it("serves the registry API over TLS with its own CA, 401 without the credentials and 200 with them", async () => {
    expect(swarm.registry.server).toBe(`${swarm.manager.address}:5000`);
    const anonymous = await registryGet(swarm.registry, "/v2/", false);
    expect(anonymous.status).toBe(401);
    const authorised = await registryGet(swarm.registry, "/v2/", true);
    expect(authorised).toEqual({ status: 200, body: "{}" });
  });

  it("runs an image pushed from the manager on the labelled worker, pulled there with the credentials", async () => {
    const image = await swarm.push(BASE_IMAGE, "video-server-test/base", String(process.pid));
    await expect(swarm.worker.engine.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await swarm.label(swarm.worker, { "video-server.test-role": "edge" });

    const spec: Dockerode.ServiceSpec = {
      Name: SERVICE,
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Command: ["perl", "-MIO::Socket::INET", "-e", RESPONDER],
          Env: ["NODE_ID={{.Node.ID}}"],
          StopGracePeriod: 1_000_000_000,
        },
        Placement: {
          Constraints: [`node.id==${swarm.worker.nodeId}`, "node.labels.video-server.test-role==edge"],
        },
        RestartPolicy: { Condition: "on-failure", MaxAttempts: 3 },
      },
      Mode: { Replicated: { Replicas: 1 } },
      // No IPVS here: no VIP, and the port on the node itself.
      EndpointSpec: {
        Mode: "dnsrr",
        Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishedPort: PORT, PublishMode: "host" }],
      },
    };
    const started = Date.now();
    const service = await swarm.manager.engine.createService(swarm.registry.auth, spec);
    try {
      expect(await swarm.waitForTasks(SERVICE, 1, 90_000)).toEqual([swarm.worker.nodeId]);
      const runningAfterMs = Date.now() - started;
      const answer = await pollUntil(
        () => readFrom(swarm.worker.address, PORT),
        (text) => text !== "",
        15_000,
        500,
      );
      expect(answer).toBe(`served by ${swarm.worker.nodeId}\n`);
      const pulled = await swarm.worker.engine.getImage(image).inspect();
      expect(pulled.RepoTags).toContain(image);
      process.stdout.write(`swarm smoke: task running on the worker ${runningAfterMs} ms after create\n`);
    } finally {
      await service.remove();
    }
  }, 150_000);
});
