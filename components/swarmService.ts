import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { CONTAINER_MEDIA_ROOT, type ContainerFile, type Spec } from "../spec";
import {
  containerOptions,
  runSettings,
  serviceSettings,
  type Role,
  type ServerTask,
  type SwarmPlacement,
} from "./containers";

export type { SwarmPlacement } from "./containers";

/** One task, or one on every node the constraints allow. */
export type ServiceMode = { readonly global: true } | { readonly replicated: { readonly replicas: number } };

export interface SwarmServiceArgs {
  readonly spec: Spec;
  readonly task: ServerTask;
  /** The overlay network between the origin and the edges. */
  readonly networkId: pulumi.Input<string>;
  /** Absent: one task (the origin's servers). */
  readonly mode?: ServiceMode;
  /** Placement constraints, such as `node.labels.video-server.media==true`. */
  readonly constraints: readonly string[];
  /** Registry credentials for the nodes' pulls (images.registry); secret. */
  readonly auth?: docker.types.input.ServiceAuth;
}

/** A config or secret name: Swarm's limit is 64 characters, and a change must take a new name. */
function objectName(spec: Spec, role: Role, file: ContainerFile): string {
  const digest = createHash("sha256").update(`${file.file}\0${file.content}`).digest("hex").slice(0, 16);
  return `${spec.name.slice(0, 40)}-${role}-${digest}`;
}

/**
 * Which files of a set carry a secret: rendered once with each of two stand-ins for every
 * secret, the files whose text differs are the ones a secret reaches.
 */
export function secretFiles(manifest: (standIn: string) => readonly ContainerFile[]): Set<string> {
  const a = manifest("video-server-stand-in-a");
  const b = manifest("video-server-stand-in-b");
  return new Set(a.filter((f, i) => b[i]?.file !== f.file || b[i].content !== f.content).map((f) => f.file));
}

/**
 * One of the server's programs as a Swarm service: its files as Swarm configs, or as Swarm
 * secrets where a secret reaches them (never a config in clear), mounted where the container
 * would have had them uploaded; its volumes mounted on the node it runs on, the media bound to
 * media.hostPath there; its ports published in host mode on that node.
 */
export class SwarmService extends pulumi.ComponentResource {
  public readonly service: docker.Service;

  constructor(name: string, args: SwarmServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:SwarmService", name, {}, opts);
    const { spec, task } = args;
    const role = task.role;
    const inSecret = secretFiles(task.manifest);
    const rewritten = new Set(task.rewritten ?? []);
    const settings = serviceSettings(spec, role);
    const { labels } = settings;

    const configs: docker.types.input.ServiceTaskSpecContainerSpecConfig[] = [];
    const secrets: docker.types.input.ServiceTaskSpecContainerSpecSecret[] = [];
    task.manifest("video-server-stand-in-a").forEach((planned, i) => {
      // A file the server rewrites as it runs cannot be a read-only mount: its entrypoint makes it.
      if (rewritten.has(planned.file)) return;
      const file = task.files.apply((files) => {
        const f = files[i];
        if (f?.file !== planned.file)
          throw new Error(`${name}: file ${i} is ${f?.file}, not ${planned.file}`);
        return f;
      });
      const target = {
        fileName: planned.file,
        fileUid: "0",
        fileGid: "0",
        fileMode: parseInt(planned.permissions, 8),
      };
      const data = file.apply((f) => Buffer.from(f.content, "utf8").toString("base64"));
      const objectLabels = [...labels, { label: "video-server.file", value: planned.file }];
      const objectNameOf = file.apply((f) => objectName(spec, role, f));
      const key = `${name}-${planned.file.replace(/^\//, "").replace(/[^A-Za-z0-9._-]/g, "-")}`;
      if (inSecret.has(planned.file)) {
        const secret = new docker.Secret(
          key,
          { name: pulumi.secret(objectNameOf), data: pulumi.secret(data), labels: objectLabels },
          { parent: this },
        );
        secrets.push({ ...target, secretId: secret.id, secretName: secret.name });
      } else {
        // No secret reaches this file (the stand-ins above): in clear, so previews show its diff.
        const config = new docker.ServiceConfig(
          key,
          { name: pulumi.unsecret(objectNameOf), data: pulumi.unsecret(data), labels: objectLabels },
          { parent: this },
        );
        configs.push({ ...target, configId: config.id, configName: config.name });
      }
    });

    const mounts = task.volumes.map((v) => ({
      type: "volume",
      source: v.volumeName,
      target: v.containerPath,
      readOnly: v.readOnly === true,
      // On whichever node the task runs, the media volume binds media.hostPath there.
      ...(v.containerPath === CONTAINER_MEDIA_ROOT
        ? {
            volumeOptions: {
              driverName: "local",
              driverOptions: { type: "none", o: "bind", device: spec.media.hostPath },
            },
          }
        : {}),
    }));
    const mode = args.mode ?? { replicated: { replicas: 1 } };
    this.service = new docker.Service(
      `${name}-service`,
      {
        name: settings.name,
        labels,
        taskSpec: {
          containerSpec: {
            image: task.image,
            init: true,
            labels,
            stopSignal: settings.stopSignal,
            stopGracePeriod: settings.stopGracePeriod,
            capDrops: settings.capDrops,
            capAdds: settings.capAdds,
            healthcheck: task.healthcheck,
            mounts,
            configs,
            secrets,
          },
          resources: {
            limits: {
              ...(settings.memoryBytes === undefined ? {} : { memoryBytes: settings.memoryBytes }),
              ...(task.cpus === undefined ? {} : { nanoCpus: Math.round(Number(task.cpus) * 1e9) }),
            },
          },
          restartPolicy: { condition: "any", delay: "5s" },
          placement: {
            constraints: [...args.constraints],
            platforms: [{ os: "linux", architecture: spec.target.platform.split("/")[1] }],
            // Host-mode ports: two tasks of one service cannot share a node.
            maxReplicas: 1,
          },
          networksAdvanceds: [{ id: args.networkId }],
          logDriver: { name: settings.logDriver, options: settings.logOpts },
        },
        mode,
        endpointSpec: {
          // No VIP: DNS names the tasks' own addresses (the edges resolve the origin so).
          mode: "dnsrr",
          ports: (task.ports ?? []).map((p) => ({
            targetPort: p.internal,
            publishedPort: p.external,
            publishMode: "host",
            protocol: "tcp",
          })),
        },
        // Host-mode ports: the old task must let go of them before the new one starts.
        updateConfig: { parallelism: 1, order: "stop-first", failureAction: "pause" },
        // `pulumi up` waits until the tasks run (healthy: Swarm holds a task at starting until
        // its healthcheck passes). The provider can only count replicas: none for a global service.
        ...("global" in mode ? {} : { convergeConfig: { delay: "5s", timeout: "3m" } }),
        ...(args.auth === undefined ? {} : { auth: args.auth }),
      },
      { parent: this },
    );

    this.registerOutputs({ service: this.service });
  }
}

/** Where the origin runs: the node that holds media.hostPath. */
export const MEDIA_NODE = "node.labels.video-server.media==true";
/** Where the edges run. */
export const EDGE_NODE = "node.labels.video-server.edge==true";

/**
 * Runs a server: a container on one host (the same inputs as ever), or a one-task Swarm service
 * on the media node.
 */
export function runServer(
  parent: pulumi.ComponentResource,
  name: string,
  spec: Spec,
  task: ServerTask,
  swarm: SwarmPlacement | undefined,
): docker.Container | docker.Service {
  if (swarm !== undefined) {
    return new SwarmService(
      name,
      { spec, task, networkId: swarm.networkId, constraints: [MEDIA_NODE], auth: swarm.auth },
      { parent },
    ).service;
  }
  const ip = task.bindAddress ?? "0.0.0.0";
  return new docker.Container(
    `${name}-container`,
    {
      ...runSettings(spec, task.role),
      image: task.image,
      ...(task.cpus === undefined ? {} : { cpus: task.cpus }),
      ...(task.ports === undefined
        ? {}
        : {
            ports: task.ports.map((p) => ({
              internal: p.internal,
              external: p.external,
              ip,
              protocol: "tcp",
            })),
          }),
      volumes: task.volumes,
      uploads: task.files,
      healthcheck: task.healthcheck,
    },
    containerOptions(parent),
  );
}
