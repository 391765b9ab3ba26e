/**
 * What both server containers share: how their image is obtained and how they run
 * (restart policy, init, health, labels, log rotation).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ImageSpec, Spec } from "../spec";

/**
 * Builds the project's image (classic builder: Debian's docker.io has no buildx) or pulls the
 * configured reference. Returns the image id, so a rebuild replaces the container.
 */
export function serverImage(
  name: string,
  image: ImageSpec,
  buildArgs: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  if (image.kind === "ref") {
    return new docker.RemoteImage(name, { name: image.ref, keepLocally: true }, opts).imageId;
  }
  return new docker.Image(
    name,
    {
      imageName: image.name,
      skipPush: true,
      build: { context: `./${image.context}`, builderVersion: "BuilderV1", args: buildArgs },
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

export type Role = "ftp" | "web";

/** Container settings common to both servers. */
export function runSettings(spec: Spec, role: Role) {
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
    labels: [
      { label: "video-server.project", value: spec.project },
      { label: "video-server.stack", value: spec.stack },
      { label: "video-server.role", value: role },
    ],
  };
}
