/**
 * What the containers share: how their image is obtained and how they run
 * (restart policy, init, health, labels, log rotation, how they stop and are replaced).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  FTP_LOG_DIR,
  type ContainerFile,
  type ImageSpec,
  type Platform,
  type RegistrySpec,
  type Spec,
} from "../spec";

/** Where swarm mode pushes what it builds; the password is a secret. */
export interface ImageRegistry {
  readonly spec: RegistrySpec;
  readonly password?: pulumi.Input<string>;
}

/** How the program reaches a swarm: the overlay network and the registry the nodes pull from. */
export interface SwarmPlacement {
  readonly networkId: pulumi.Input<string>;
  /** The registry the nodes pull from, and what they log in with (images.registry). */
  readonly registry?: ImageRegistry;
  readonly auth?: docker.types.input.ServiceAuth;
}

/**
 * Builds the project's image (classic builder: Debian's docker.io has no buildx) or pulls the
 * configured reference. Returns the image id, so a rebuild replaces the container. In swarm
 * mode a built image is pushed to the registry and the reference is its digest there, which
 * every node can pull (a prebuilt reference is the nodes' to pull, as configured).
 */
export function serverImage(
  name: string,
  image: ImageSpec,
  platform: Platform,
  buildArgs: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
  swarm?: SwarmPlacement,
): pulumi.Output<string> {
  const registry = swarm?.registry;
  if (image.kind === "ref") {
    // Each node pulls the reference itself.
    if (swarm !== undefined) return pulumi.output(image.ref);
    return new docker.RemoteImage(name, { name: image.ref, keepLocally: true, platform }, opts).imageId;
  }
  // Without a platform the provider builds for the machine running pulumi, not the server.
  const build: docker.types.input.DockerBuild = {
    context: `./${image.context}`,
    builderVersion: "BuilderV1",
    args: buildArgs,
    platform,
  };
  if (swarm === undefined || registry === undefined) {
    return new docker.Image(name, { imageName: image.name, skipPush: true, build }, opts).repoDigest;
  }
  const { server, username } = registry.spec;
  return new docker.Image(
    name,
    {
      imageName: image.name,
      skipPush: false,
      build,
      registry: {
        server,
        ...(username === undefined ? {} : { username, password: registry.password }),
      },
    },
    opts,
  ).repoDigest;
}

/** A healthcheck that runs a bash snippet (bash's /dev/tcp: the slim images have no curl). */
export function bashHealthcheck(script: string): docker.types.input.ContainerHealthcheck {
  return {
    tests: ["CMD", "bash", "-c", script],
    interval: "10s",
    timeout: "5s",
    startPeriod: "5s",
    retries: 3,
  };
}

/** Healthy while the server on a loopback port greets with `greeting` (vsftpd's 220, sshd's SSH-2.0-). */
export function bannerHealthcheck(port: number, greeting: string): docker.types.input.ContainerHealthcheck {
  return bashHealthcheck(
    `exec 3<>/dev/tcp/127.0.0.1/${port} && IFS= read -r -t 5 line <&3 && [[ "$line" == ${greeting}* ]]`,
  );
}

/** A volume a server mounts: by name, at a path, read-only or not. */
export interface MountedVolume {
  readonly volumeName: pulumi.Input<string>;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

/** The media volume read-write at `mediaRoot`, and the FTP log volume where there is one. */
export function uploadVolumes(
  volumeName: pulumi.Input<string>,
  mediaRoot: string,
  logVolumeName: pulumi.Input<string> | undefined,
): MountedVolume[] {
  return [
    { volumeName, containerPath: mediaRoot },
    ...(logVolumeName === undefined ? [] : [{ volumeName: logVolumeName, containerPath: FTP_LOG_DIR }]),
  ];
}

/** Healthy while `GET /healthz` on a loopback port answers 204 (nginx's status server, the worker). */
export function healthzCheck(port: number): docker.types.input.ContainerHealthcheck {
  return bashHealthcheck(
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 ` +
      `&& IFS= read -r -t 5 line <&3 && [[ "$line" == "HTTP/1.1 204"* ]]`,
  );
}

export type Role = "ftp" | "web" | "worker" | "sftp" | "edge";

/**
 * How each server stops: the signal that makes it finish what it is doing, and how long it may
 * take before it is killed. Without destroyGraceSeconds the provider removes a container with a
 * zero timeout, cutting every transfer on each replacement. nginx finishes its responses on
 * SIGQUIT; vsftpd's entrypoint stops listening on SIGTERM and waits for the sessions.
 */
const STOPPING: Record<Role, { readonly signal: string; readonly graceSeconds: number }> = {
  ftp: { signal: "SIGTERM", graceSeconds: 30 },
  web: { signal: "SIGQUIT", graceSeconds: 10 },
  // The worker finishes its running job (or leaves it queued) and saves its state on SIGTERM.
  worker: { signal: "SIGTERM", graceSeconds: 30 },
  // sshd stops listening on SIGTERM; the sessions in progress get the grace to finish.
  sftp: { signal: "SIGTERM", graceSeconds: 30 },
  edge: { signal: "SIGQUIT", graceSeconds: 10 },
};

/**
 * The only capabilities each server keeps, found by dropping one at a time (without any one of
 * them the server does not start or refuses every login). vsftpd's entrypoint gives the writable folders to the media owner (CHOWN, FOWNER);
 * vsftpd chroots each session and switches to that owner (SYS_CHROOT, SETUID, SETGID). nginx
 * hands its temp folders to its workers and switches to them (CHOWN, SETUID, SETGID). Neither
 * needs NET_BIND_SERVICE: Docker 20.10+ lets a container bind ports below 1024 without it.
 */
const CAPABILITIES: Record<Role, readonly string[]> = {
  ftp: ["CHOWN", "FOWNER", "SETGID", "SETUID", "SYS_CHROOT"],
  web: ["CHOWN", "SETGID", "SETUID"],
  // The worker (root) moves uploads out of the FTP user's folders (DAC_OVERRIDE), and gives
  // published files to root and rejected ones back to the uploader (CHOWN, FOWNER).
  worker: ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
  // sshd chroots each session and switches to the media owner (SYS_CHROOT, SETUID, SETGID);
  // its privilege-separated child chroots to /run/sshd; PAM writes the login's audit record.
  sftp: ["AUDIT_WRITE", "CHOWN", "SETGID", "SETUID", "SYS_CHROOT"],
  // The edge is the same nginx image: it hands its cache and temp folders to its workers.
  edge: ["CHOWN", "SETGID", "SETUID"],
};

/**
 * The provider's `memory` is in MiB; none at all for no limit. `memorySwap: -1` (swap not
 * limited): left unset, the engine stores twice `memory`, or -1 on a host without swap
 * accounting, and the provider reads that back into the unset field, a diff that would replace
 * the container on every `up`; -1 comes back as -1 everywhere.
 */
const memory = (mib: number): { memory?: number; memorySwap?: number } =>
  mib > 0 ? { memory: mib, memorySwap: -1 } : {};

function memoryLimit(spec: Spec, role: Role): number {
  if (role === "ftp") return spec.ftp.memoryLimit;
  if (role === "web") return spec.http.memoryLimit;
  if (role === "sftp") return spec.sftp?.memoryLimit ?? 0;
  if (role === "edge") return spec.edge?.memoryLimit ?? 0;
  return spec.processing?.memoryLimit ?? 0;
}

const labelsOf = (spec: Spec, role: Role) => [
  { label: "video-server.project", value: spec.project },
  { label: "video-server.stack", value: spec.stack },
  { label: "video-server.role", value: role },
];
const LOG_OPTIONS = { "max-size": "10m", "max-file": "5" };

/** Container settings common to every container of the server. */
export function runSettings(spec: Spec, role: Role) {
  const stopping = STOPPING[role];
  return {
    name: `${spec.name}-${role}`,
    // vsftpd as PID 1 crashes after sessions end; under docker-init it runs clean.
    init: true,
    restart: "unless-stopped",
    // `pulumi up` waits for the healthcheck, so a server that cannot start fails the update.
    wait: true,
    waitTimeout: 120,
    logDriver: "json-file",
    logOpts: LOG_OPTIONS,
    stopSignal: stopping.signal,
    // The same grace when the engine stops the container (docker stop, a dockerd restart).
    stopTimeout: stopping.graceSeconds,
    destroyGraceSeconds: stopping.graceSeconds,
    capabilities: { drops: ["ALL"], adds: [...CAPABILITIES[role]] },
    ...memory(memoryLimit(spec, role)),
    // No process in either container can gain privileges through setuid binaries or file caps.
    securityOpts: ["no-new-privileges"],
    labels: labelsOf(spec, role),
  };
}

/**
 * The same settings for a Swarm service's tasks, in the provider's service fields. Swarm's
 * API (1.41, Docker 20.10) has no no-new-privileges and no restart-unless-stopped: a task that
 * stops is replaced, whatever made it stop.
 */
export function serviceSettings(spec: Spec, role: Role) {
  const stopping = STOPPING[role];
  const mib = memoryLimit(spec, role);
  return {
    name: `${spec.name}-${role}`,
    labels: labelsOf(spec, role),
    stopSignal: stopping.signal,
    // Read back as Go prints durations (shortDur): whole seconds below a minute stay "30s".
    stopGracePeriod: `${stopping.graceSeconds}s`,
    capDrops: ["ALL"],
    capAdds: [...CAPABILITIES[role]],
    memoryBytes: mib > 0 ? mib * 1024 * 1024 : undefined,
    logDriver: "json-file",
    logOpts: LOG_OPTIONS,
  };
}

/** A published port: the container's own and the host's. */
export interface PublishedPort {
  readonly internal: number;
  readonly external: number;
}

/** What one of the server's programs needs to run, on one host or on a swarm. */
export interface ServerTask {
  readonly role: Role;
  readonly image: pulumi.Input<string>;
  /** Published on `bindAddress` in host mode, on every address of its node on a swarm. */
  readonly ports?: readonly PublishedPort[];
  readonly bindAddress?: string;
  readonly volumes: MountedVolume[];
  readonly files: pulumi.Output<ContainerFile[]>;
  /**
   * The same files rendered with a stand-in for every secret: which files there are, and
   * (rendered with two stand-ins) which of them a secret reaches. Swarm objects are declared
   * from it, so a preview shows them before any secret is known.
   */
  readonly manifest: (standIn: string) => ContainerFile[];
  readonly healthcheck: docker.types.input.ContainerHealthcheck;
  /** The provider's read-back form, such as "1.0" (spec/schema.ts readBackCpus). */
  readonly cpus?: string;
  /** Files the server rewrites as it runs (ban lists); on a swarm its entrypoint makes them. */
  readonly rewritten?: readonly string[];
}

/**
 * Resource options of every container.
 * - deleteBeforeReplace: fixed container name and host ports; the old one must go first.
 * - replaceOnChanges "*": any change replaces the container. The provider records a container
 *   whose health wait timed out as created-with-errors, and an unchanged next `up` would accept
 *   it; terraform-provider-docker 4.x also updated healthcheck and init in place as no-ops
 *   (kreuzwerker/terraform-provider-docker#988).
 */
export function containerOptions(parent: pulumi.Resource): pulumi.CustomResourceOptions {
  return { parent, deleteBeforeReplace: true, replaceOnChanges: ["*"] };
}
