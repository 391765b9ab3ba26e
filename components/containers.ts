/**
 * What the containers share: how their image is obtained and how they run
 * (restart policy, init, health, labels, log rotation, how they stop and are replaced).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FTP_LOG_DIR, type ImageSpec, type Platform, type Spec } from "../spec";

/**
 * Builds the project's image (classic builder: Debian's docker.io has no buildx) or pulls the
 * configured reference. Returns the image id, so a rebuild replaces the container.
 */
export function serverImage(
  name: string,
  image: ImageSpec,
  platform: Platform,
  buildArgs: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  if (image.kind === "ref") {
    return new docker.RemoteImage(name, { name: image.ref, keepLocally: true, platform }, opts).imageId;
  }
  return new docker.Image(
    name,
    {
      imageName: image.name,
      skipPush: true,
      // Without a platform the provider builds for the machine running pulumi, not the server.
      build: { context: `./${image.context}`, builderVersion: "BuilderV1", args: buildArgs, platform },
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

/** The media volume read-write at `mediaRoot`, and the FTP log volume where there is one. */
export function uploadVolumes(
  volumeName: pulumi.Input<string>,
  mediaRoot: string,
  logVolumeName: pulumi.Input<string> | undefined,
): docker.types.input.ContainerVolume[] {
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

export type Role = "ftp" | "web" | "worker" | "sftp";

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
  return spec.processing?.memoryLimit ?? 0;
}

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
    logOpts: { "max-size": "10m", "max-file": "5" },
    stopSignal: stopping.signal,
    // The same grace when the engine stops the container (docker stop, a dockerd restart).
    stopTimeout: stopping.graceSeconds,
    destroyGraceSeconds: stopping.graceSeconds,
    capabilities: { drops: ["ALL"], adds: [...CAPABILITIES[role]] },
    ...memory(memoryLimit(spec, role)),
    // No process in either container can gain privileges through setuid binaries or file caps.
    securityOpts: ["no-new-privileges"],
    labels: [
      { label: "video-server.project", value: spec.project },
      { label: "video-server.stack", value: spec.stack },
      { label: "video-server.role", value: role },
    ],
  };
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
