/** MediaWorker on its own, under mocks: its image and its container. */
import { workerContainerFiles } from "../../../containerFiles";
import { WORKER_CONTAINER_LAYOUT, type Spec } from "../../../spec";
import type { WorkerSettings } from "../../../worker/src/settings";
import { resourceNamed, runMocked, type ProgramRun } from "../../support/program";
import { parseConfig, threeUserConfig, withValue } from "../../support/stacks";

const WEBHOOK_SECRET = "worker-webhook-secret-0123";

function workerSpec(): Spec {
  let config = withValue(threeUserConfig(), "processing", {
    cpus: 1.5,
    memoryLimit: 768,
    webhooks: [
      { url: "https://hooks.example.com/media", secret: WEBHOOK_SECRET, events: ["file.published"] },
    ],
  });
  config = withValue(config, "http.locations.0.publish", "verified");
  return parseConfig(config, "prod").spec;
}

function declare(spec: Spec) {
  return runMocked(async () => {
    const { MediaWorker } = await import("../../../components/mediaWorker");
    const pulumi = await import("@pulumi/pulumi");
    if (spec.processing === undefined) throw new Error("the spec has processing off");
    const worker = new MediaWorker("worker", {
      spec,
      processing: spec.processing,
      volumeName: "media-volume",
      derivedVolumeName: "derived-volume",
      ftpLogVolumeName: "log-volume",
      webhookSecrets: [pulumi.secret(WEBHOOK_SECRET)],
    });
    return { imageId: worker.imageId };
  });
}

describe("MediaWorker", () => {
  const spec = workerSpec();
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec);
  });
  const container = () => resourceNamed(run, "worker-container");

  it("builds its image from worker/ for the target's platform", () => {
    expect(resourceNamed(run, "worker-image").inputs).toMatchObject({
      imageName: "video-server-worker:prod",
      skipPush: true,
      build: { context: "./worker", builderVersion: "BuilderV1", platform: "linux/amd64" },
    });
    expect(run.outputs.imageId).toBe(container().inputs.image);
  });

  it("publishes no port: its metrics are for the Docker network only", () => {
    expect(container().inputs.ports).toBeUndefined();
  });

  it("mounts the media and its derived volume read-write, and vsftpd's log read-only", () => {
    expect(container().inputs.volumes).toEqual([
      { volumeName: "media-volume", containerPath: "/srv/media" },
      { volumeName: "derived-volume", containerPath: "/srv/derived" },
      { volumeName: "log-volume", containerPath: "/var/log/vsftpd", readOnly: true },
    ]);
  });

  it("runs under the configured CPU and memory limits, spelled as the provider reads them back", () => {
    expect(container().inputs).toMatchObject({ cpus: "1.5", memory: 768, memorySwap: -1 });
  });

  it("keeps only the capabilities to move and hand over uploads, without new privileges", () => {
    expect(container().inputs.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
    });
    expect(container().inputs.securityOpts).toEqual(["no-new-privileges"]);
  });

  it("is healthy while its metrics server answers /healthz", () => {
    const health = container().inputs.healthcheck as { tests: string[] };
    expect(health.tests.join(" ")).toContain("/dev/tcp/127.0.0.1/9464");
    expect(health.tests.join(" ")).toContain("GET /healthz");
  });

  it("uploads its settings, webhook secret included, root's only and as a secret", () => {
    expect(container().inputs.uploads).toEqual(
      workerContainerFiles(spec, WORKER_CONTAINER_LAYOUT, { webhookSecrets: [WEBHOOK_SECRET] }),
    );
    expect(container().secretPaths).toEqual(["uploads"]);
    expect(JSON.stringify(container().publicInputs)).not.toContain(WEBHOOK_SECRET);
    const [settings] = container().inputs.uploads as { file: string; content: string; permissions: string }[];
    expect(settings.permissions).toBe("0600");
    const parsed = JSON.parse(settings.content) as WorkerSettings;
    expect(parsed.webhooks).toEqual([
      { url: "https://hooks.example.com/media", secret: WEBHOOK_SECRET, events: ["file.published"] },
    ]);
  });
});
