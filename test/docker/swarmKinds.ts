/**
 * The realizer's Swarm kinds: docker.Network, docker.ServiceConfig, docker.Secret and
 * docker.Service made through the Engine API's swarm endpoints, as terraform-provider-docker
 * makes them (createServiceSpec, resourceDockerServiceCreate). Every nested field is mapped or
 * refused, and the provider's rules hold: durations that read back as written (shortDur),
 * standard base64 data, no convergence wait on a global service (its updater counts replicas
 * and fails with "no replica count"), a network whose read-back matches what was declared.
 */
import type Dockerode from "dockerode";
import type { ResourceOptionsSeen } from "../support/program";
import { parseGoDuration, serviceDurationProblem, swarmObjectProblems } from "../support/providerRules";

type Inputs = Record<string, unknown>;
type Fields = Record<string, unknown>;

/** The fields of one nested block; an unknown one is an error, never dropped. */
function known(where: string, value: unknown, fields: readonly string[]): Fields {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`realizer: ${where} must be an object`);
  }
  const extra = Object.keys(value).filter((k) => !fields.includes(k));
  if (extra.length > 0)
    throw new Error(`realizer: ${where} declares ${extra.join(", ")}, which it does not map`);
  return value as Fields;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const labelMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(list(value).map((l) => [(l as Fields).label, (l as Fields).value])) as Record<
    string,
    string
  >;

/** A service duration in nanoseconds; refused unless the provider reads it back as written. */
function duration(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const problem = serviceDurationProblem(field, String(value));
  if (problem !== undefined) throw new Error(`realizer: ${problem}`);
  return parseGoDuration(String(value));
}

export interface SwarmRecord {
  readonly services: string[];
  readonly configs: string[];
  readonly secrets: string[];
  readonly networks: string[];
}

export function emptySwarmRecord(): SwarmRecord {
  return { services: [], configs: [], secrets: [], networks: [] };
}

export const NETWORK_FIELDS = ["name", "driver", "attachable", "ipamConfigs", "options", "labels"];

export async function createNetwork(
  engine: Dockerode,
  i: Inputs,
  options: ResourceOptionsSeen,
  record: SwarmRecord,
): Promise<{ id: string }> {
  const ipam = list(i.ipamConfigs).map((c, n) =>
    known(`Network ipamConfigs[${n}]`, c, ["subnet", "gateway"]),
  );
  const declaredOptions = (i.options as Record<string, string> | undefined) ?? {};
  const network = await engine.createNetwork({
    Name: String(i.name),
    Driver: String(i.driver ?? "bridge"),
    Attachable: i.attachable === true,
    CheckDuplicate: true,
    IPAM: { Driver: "default", Config: ipam.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway })) as never },
    Options: declaredOptions,
    Labels: labelMap(i.labels),
  });
  record.networks.push(network.id);
  // The provider reads IPAM and options back into state: what differs from the declaration is a
  // replacement on the next up (both fields are ForceNew).
  const seen = await network.inspect();
  const readIpam = (seen.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[];
  const key = (c: { subnet?: unknown; gateway?: unknown }) =>
    `${String(c.subnet ?? "")} ${String(c.gateway ?? "")}`;
  const declaredIpam = ipam.map(key).sort().join(",");
  const readBack = readIpam
    .map((c) => key({ subnet: c.Subnet, gateway: c.Gateway }))
    .sort()
    .join(",");
  if (ipam.length > 0 && declaredIpam !== readBack) {
    throw new Error(
      `realizer: Network ${String(i.name)} declares ipamConfigs [${declaredIpam}] and reads back [${readBack}]: ` +
        "the provider would replace it on every up",
    );
  }
  const readOptions = (seen.Options ?? {}) as Record<string, string>;
  const extraOptions = Object.keys(readOptions).filter((k) => declaredOptions[k] !== readOptions[k]);
  if (i.options !== undefined && extraOptions.length > 0 && !options.ignoreChanges.includes("options")) {
    throw new Error(
      `realizer: Network ${String(i.name)} reads back options ${extraOptions.join(", ")} it did not declare: ` +
        "the provider would replace it on every up (ignore changes to options)",
    );
  }
  return { id: network.id };
}

export const SWARM_OBJECT_FIELDS = ["name", "data", "labels"];

export async function createSwarmObject(
  engine: Dockerode,
  kind: "config" | "secret",
  i: Inputs,
  record: SwarmRecord,
): Promise<{ id: string; name: string }> {
  const name = String(i.name);
  const data = String(i.data ?? "");
  const problems = swarmObjectProblems(kind, name, data);
  if (problems.length > 0) throw new Error(`realizer: ${problems.join("; ")}`);
  const spec = { Name: name, Data: data, Labels: labelMap(i.labels) };
  if (kind === "secret") {
    const made = (await engine.createSecret(spec)) as unknown as { id: string };
    record.secrets.push(made.id);
    return { id: made.id, name };
  }
  const made = (await engine.createConfig(spec)) as unknown as { id: string };
  record.configs.push(made.id);
  return { id: made.id, name };
}

export const SERVICE_FIELDS = [
  "name",
  "labels",
  "taskSpec",
  "mode",
  "endpointSpec",
  "updateConfig",
  "convergeConfig",
  "auth",
];

function containerSpec(value: unknown): Fields {
  const c = known("Service taskSpec.containerSpec", value, [
    "image",
    "init",
    "labels",
    "stopSignal",
    "stopGracePeriod",
    "capDrops",
    "capAdds",
    "healthcheck",
    "mounts",
    "configs",
    "secrets",
    "commands",
    "args",
    "env",
  ]);
  const health = known("Service healthcheck", c.healthcheck, [
    "tests",
    "interval",
    "timeout",
    "startPeriod",
    "retries",
  ]);
  const fileTarget = (f: Fields) => ({
    Name: String(f.fileName),
    UID: String(f.fileUid ?? "0"),
    GID: String(f.fileGid ?? "0"),
    // The provider's default file mode is 0o444.
    Mode: Number(f.fileMode ?? 0o444),
  });
  return {
    Image: String(c.image),
    Labels: labelMap(c.labels),
    ...(c.commands === undefined ? {} : { Command: list(c.commands).map(String) }),
    ...(c.args === undefined ? {} : { Args: list(c.args).map(String) }),
    ...(c.env === undefined
      ? {}
      : { Env: Object.entries(c.env as Record<string, string>).map(([k, v]) => `${k}=${v}`) }),
    ...(c.init === undefined ? {} : { Init: c.init === true }),
    ...(c.stopSignal === undefined ? {} : { StopSignal: String(c.stopSignal) }),
    ...(c.stopGracePeriod === undefined
      ? {}
      : { StopGracePeriod: duration("containerSpec.stopGracePeriod", c.stopGracePeriod) }),
    ...(c.capDrops === undefined ? {} : { CapabilityDrop: list(c.capDrops).map(String) }),
    ...(c.capAdds === undefined ? {} : { CapabilityAdd: list(c.capAdds).map(String) }),
    ...(c.healthcheck === undefined
      ? {}
      : {
          Healthcheck: {
            Test: list(health.tests).map(String),
            Interval: duration("healthcheck.interval", health.interval),
            Timeout: duration("healthcheck.timeout", health.timeout),
            StartPeriod: duration("healthcheck.startPeriod", health.startPeriod),
            Retries: Number(health.retries ?? 0),
          },
        }),
    Mounts: list(c.mounts).map((m, n) => {
      const mount = known(`Service mounts[${n}]`, m, [
        "type",
        "source",
        "target",
        "readOnly",
        "volumeOptions",
      ]);
      if (mount.type !== "volume")
        throw new Error(`realizer: Service mounts[${n}] type ${String(mount.type)} is not mapped`);
      const v = known(`Service mounts[${n}].volumeOptions`, mount.volumeOptions, [
        "driverName",
        "driverOptions",
        "labels",
        "noCopy",
      ]);
      return {
        Type: "volume",
        Source: String(mount.source),
        Target: String(mount.target),
        ReadOnly: mount.readOnly === true,
        ...(mount.volumeOptions === undefined
          ? {}
          : {
              VolumeOptions: {
                NoCopy: v.noCopy === true,
                Labels: labelMap(v.labels),
                ...(v.driverName === undefined && v.driverOptions === undefined
                  ? {}
                  : {
                      DriverConfig: {
                        Name: v.driverName === undefined ? undefined : String(v.driverName),
                        Options: (v.driverOptions as Record<string, string> | undefined) ?? {},
                      },
                    }),
              },
            }),
      };
    }),
    Configs: list(c.configs).map((r, n) => {
      const f = known(`Service configs[${n}]`, r, [
        "configId",
        "configName",
        "fileName",
        "fileUid",
        "fileGid",
        "fileMode",
      ]);
      return { ConfigID: String(f.configId), ConfigName: String(f.configName ?? ""), File: fileTarget(f) };
    }),
    Secrets: list(c.secrets).map((r, n) => {
      const f = known(`Service secrets[${n}]`, r, [
        "secretId",
        "secretName",
        "fileName",
        "fileUid",
        "fileGid",
        "fileMode",
      ]);
      return { SecretID: String(f.secretId), SecretName: String(f.secretName ?? ""), File: fileTarget(f) };
    }),
  };
}

/** The Engine API's ServiceSpec for the provider's inputs, and the registry auth it sends. */
export function serviceSpec(i: Inputs): {
  spec: Fields;
  auth: Fields | undefined;
  replicas: number | undefined;
} {
  const task = known("Service taskSpec", i.taskSpec, [
    "containerSpec",
    "resources",
    "restartPolicy",
    "placement",
    "networksAdvanceds",
    "logDriver",
  ]);
  const resources = known("Service resources", task.resources, ["limits"]);
  const limits = known("Service resources.limits", resources.limits, ["memoryBytes", "nanoCpus"]);
  const restart = known("Service restartPolicy", task.restartPolicy, [
    "condition",
    "delay",
    "maxAttempts",
    "window",
  ]);
  const placement = known("Service placement", task.placement, ["constraints", "platforms", "maxReplicas"]);
  const log = known("Service logDriver", task.logDriver, ["name", "options"]);
  const mode = known("Service mode", i.mode, ["global", "replicated"]);
  const replicated = known("Service mode.replicated", mode.replicated, ["replicas"]);
  const endpoint = known("Service endpointSpec", i.endpointSpec, ["mode", "ports"]);
  const update = known("Service updateConfig", i.updateConfig, [
    "parallelism",
    "order",
    "failureAction",
    "delay",
    "monitor",
  ]);
  const converge = known("Service convergeConfig", i.convergeConfig, ["delay", "timeout"]);
  const auth = known("Service auth", i.auth, ["serverAddress", "username", "password"]);

  const global = mode.global === true;
  if (global && i.convergeConfig !== undefined) {
    // replicatedConsoleLogUpdater.update: a global service has no replica count to converge to.
    throw new Error(
      `realizer: Service ${String(i.name)} is global and declares convergeConfig: the provider fails with "no replica count"`,
    );
  }
  const ports = list(endpoint.ports).map((p, n) => {
    const port = known(`Service endpointSpec.ports[${n}]`, p, [
      "name",
      "protocol",
      "publishMode",
      "publishedPort",
      "targetPort",
    ]);
    if (port.publishMode !== "host") {
      throw new Error(
        `realizer: Service ${String(i.name)} publishes ${String(port.targetPort)} in ${String(port.publishMode ?? "ingress")} mode: ingress publishing needs IPVS, which this machine's kernel lacks`,
      );
    }
    return {
      Protocol: String(port.protocol ?? "tcp"),
      PublishMode: "host",
      TargetPort: Number(port.targetPort),
      PublishedPort: Number(port.publishedPort),
    };
  });
  const replicas = global ? undefined : Number(replicated.replicas ?? 1);
  const spec: Fields = {
    Name: String(i.name),
    Labels: labelMap(i.labels),
    TaskTemplate: {
      ContainerSpec: containerSpec(task.containerSpec),
      Resources: {
        Limits: {
          ...(limits.memoryBytes === undefined ? {} : { MemoryBytes: Number(limits.memoryBytes) }),
          ...(limits.nanoCpus === undefined ? {} : { NanoCPUs: Number(limits.nanoCpus) }),
        },
      },
      RestartPolicy: {
        Condition: String(restart.condition ?? "any"),
        ...(restart.delay === undefined ? {} : { Delay: duration("restartPolicy.delay", restart.delay) }),
        ...(restart.window === undefined ? {} : { Window: duration("restartPolicy.window", restart.window) }),
        MaxAttempts: Number(restart.maxAttempts ?? 0),
      },
      Placement: {
        Constraints: list(placement.constraints).map(String),
        Platforms: list(placement.platforms).map((p, n) => {
          const platform = known(`Service placement.platforms[${n}]`, p, ["os", "architecture"]);
          return { OS: String(platform.os), Architecture: String(platform.architecture) };
        }),
        ...(placement.maxReplicas === undefined ? {} : { MaxReplicas: Number(placement.maxReplicas) }),
      },
      Networks: list(task.networksAdvanceds).map((n, k) => {
        const net = known(`Service networksAdvanceds[${k}]`, n, ["id", "aliases"]);
        return { Target: String(net.id), Aliases: list(net.aliases).map(String) };
      }),
      LogDriver: log.name === undefined ? undefined : { Name: String(log.name), Options: log.options ?? {} },
    },
    Mode: global ? { Global: {} } : { Replicated: { Replicas: replicas } },
    UpdateConfig: {
      Parallelism: Number(update.parallelism ?? 1),
      Order: String(update.order ?? "stop-first"),
      FailureAction: String(update.failureAction ?? "pause"),
      ...(update.delay === undefined ? {} : { Delay: duration("updateConfig.delay", update.delay) }),
      ...(update.monitor === undefined ? {} : { Monitor: duration("updateConfig.monitor", update.monitor) }),
    },
    EndpointSpec: { Mode: String(endpoint.mode ?? "vip"), Ports: ports },
  };
  if (i.convergeConfig !== undefined) {
    duration("convergeConfig.delay", converge.delay);
    duration("convergeConfig.timeout", converge.timeout);
  }
  // authToServiceAuth: credentials only when both a user name and a password are set.
  const withAuth =
    typeof auth.username === "string" &&
    auth.username !== "" &&
    typeof auth.password === "string" &&
    auth.password !== "";
  return {
    spec,
    auth: withAuth
      ? { username: auth.username, password: auth.password, serveraddress: auth.serverAddress }
      : undefined,
    replicas,
  };
}

interface TaskSeen {
  NodeID?: string;
  DesiredState?: string;
  Slot?: number;
  Status?: { State?: string; Err?: string; Message?: string };
}

/** The service's tasks meant to run, and a line per task for an error message. */
export async function runningTasks(
  engine: Dockerode,
  serviceId: string,
): Promise<{ running: TaskSeen[]; states: string }> {
  const tasks = (await engine.listTasks({
    filters: { service: [serviceId], "desired-state": ["running"] },
  })) as TaskSeen[];
  return {
    running: tasks.filter((t) => t.Status?.State === "running"),
    states: tasks
      .map((t) => `${t.NodeID ?? "?"}: ${t.Status?.State ?? "?"}${t.Status?.Err ? ` (${t.Status.Err})` : ""}`)
      .join("; "),
  };
}

/**
 * As the provider converges a replicated service (convergeConfig): until as many tasks run as
 * there are replicas, bounded by the declared timeout; Swarm reports a task with a healthcheck
 * as running only once it is healthy.
 */
export async function waitConverged(
  engine: Dockerode,
  serviceId: string,
  name: string,
  replicas: number,
  i: Inputs,
): Promise<number> {
  const converge = i.convergeConfig as Fields;
  const timeoutMs = parseGoDuration(String(converge.timeout ?? "3m")) / 1e6;
  const delayMs = parseGoDuration(String(converge.delay ?? "7s")) / 1e6;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, Math.min(delayMs, 1000)));
  for (;;) {
    const { running, states } = await runningTasks(engine, serviceId);
    if (running.length === replicas) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `realizer: service ${name} did not converge after ${timeoutMs / 1000} s (the provider deletes it and fails): ${states}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Removes services, then (once their tasks are gone) secrets, configs and networks. */
export async function removeSwarmObjects(engine: Dockerode, record: SwarmRecord): Promise<void> {
  for (const id of [...record.services].reverse()) {
    await engine
      .getService(id)
      .remove()
      .catch(() => undefined);
  }
  const deadline = Date.now() + 60_000;
  for (const id of record.services) {
    while (Date.now() < deadline) {
      const tasks = (await engine.listTasks({ filters: { service: [id] } }).catch(() => [])) as TaskSeen[];
      if (tasks.length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  record.services.length = 0;
  const removeAll = async (ids: string[], remove: (id: string) => Promise<unknown>) => {
    for (const id of [...ids].reverse()) {
      // An object still in use by a task on its way out: a few tries, bounded.
      for (let attempt = 0; attempt < 20; attempt++) {
        const ok = await remove(id).then(
          () => true,
          (e: { statusCode?: number }) => e.statusCode === 404,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    ids.length = 0;
  };
  await removeAll(record.secrets, (id) => engine.getSecret(id).remove());
  await removeAll(record.configs, (id) => engine.getConfig(id).remove());
  await removeAll(record.networks, (id) => engine.getNetwork(id).remove());
}
