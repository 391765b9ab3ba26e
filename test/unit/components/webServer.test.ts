/** WebServer on its own, under mocks: its image, its basic-auth hashes and its container. */
import { hashBucket, hashPassword, saltFor, webContainerFiles } from "../../../containerFiles";
import {
  WEB_CONTAINER_HTTPS_PORT,
  WEB_CONTAINER_LAYOUT,
  WEB_CONTAINER_PORT,
  WEB_STATUS_PORT,
  type Spec,
} from "../../../spec";
import { portProblems } from "../../support/providerRules";
import { PEM_CERTIFICATE, PEM_KEY } from "../everyField";
import { resourceNamed, runMocked, type ProgramRun } from "../../support/program";
import { parseConfig, threeUserConfig, withValue } from "../../support/stacks";

const SECRET = "a-secure-link-secret-0123";
const VIEWER_PASSWORD = "viewer-http-password";
const VOLUME = "media-volume";

/** threeUserConfig with a basic-auth user and /images/ behind basic auth and signed links. */
function guardedSpec(): Spec {
  let config = withValue(threeUserConfig(), "http.secureLinkSecret", SECRET);
  config = withValue(config, "http.users", [{ name: "viewer", password: VIEWER_PASSWORD }]);
  config = withValue(config, "http.locations.1", {
    path: "/images/",
    directory: "images",
    basicAuth: true,
    secureLink: true,
  });
  return parseConfig(config, "prod").spec;
}

function declare(
  spec: Spec,
  passwords: Record<string, string>,
  secureLinkSecret?: string,
  tls: { tlsCertificate?: string; tlsKey?: string } = {},
) {
  return runMocked(async () => {
    const { WebServer } = await import("../../../components/webServer");
    const pulumi = await import("@pulumi/pulumi");
    const server = new WebServer("web", {
      spec,
      volumeName: VOLUME,
      passwords,
      secureLinkSecret,
      // Secrets, as readConfig hands them over.
      tlsCertificate: tls.tlsCertificate && pulumi.secret(tls.tlsCertificate),
      tlsKey: tls.tlsKey && pulumi.secret(tls.tlsKey),
    });
    return { imageId: server.imageId };
  });
}

describe("WebServer with basic auth and signed links", () => {
  const spec = guardedSpec();
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec, { viewer: VIEWER_PASSWORD }, SECRET);
  });
  const container = () => resourceNamed(run, "web-container");

  it("declares an image, a hash command per bucket of HTTP users under its PasswordHashes, and one container", () => {
    const parentOf = (name: string) => resourceNamed(run, name).options.parent.split("::").pop();
    expect(run.resources.map((r) => `${r.type} ${r.name} < ${parentOf(r.name)}`).sort()).toEqual([
      `command:local:Command web-hashes-bucket-${hashBucket("viewer")} < web-hashes`,
      "docker:index/container:Container web-container < web",
      "docker:index/image:Image web-image < web",
      "video-server:index:PasswordHashes web-hashes < web",
      "video-server:index:WebServer web < ",
    ]);
  });

  it("publishes nginx's port on the HTTP bind address, and not its status server", () => {
    expect(container().inputs.ports).toEqual([
      { internal: WEB_CONTAINER_PORT, external: 80, ip: "0.0.0.0", protocol: "tcp" },
    ]);
  });

  it("mounts the media volume read-only at the media root", () => {
    expect(container().inputs.volumes).toEqual([
      { volumeName: VOLUME, containerPath: WEB_CONTAINER_LAYOUT.mediaRoot, readOnly: true },
    ]);
  });

  it("uploads, as one secret, exactly the files webContainerFiles renders with the hash and the secure-link secret", () => {
    const httpHashes = { viewer: hashPassword(VIEWER_PASSWORD, saltFor(spec, "http", "viewer")) };
    expect(container().secretPaths).toEqual(["uploads"]);
    expect(container().inputs.uploads).toEqual(
      webContainerFiles(spec, WEB_CONTAINER_LAYOUT, { httpHashes, secureLinkSecret: SECRET }),
    );
  });

  it("builds the nginx image and runs the container on it", () => {
    expect(resourceNamed(run, "web-image").inputs).toMatchObject({
      imageName: "video-server-nginx:prod",
      skipPush: true,
      build: { context: "./nginx", builderVersion: "BuilderV1" },
    });
    expect(run.outputs.imageId).toBe(container().inputs.image);
  });

  it("runs under docker-init, restarts unless stopped, waits until its status server answers 204", () => {
    const inputs = container().inputs;
    expect(inputs).toMatchObject({
      name: `${spec.name}-web`,
      init: true,
      restart: "unless-stopped",
      wait: true,
    });
    const tests = (inputs.healthcheck as { tests: string[] }).tests;
    expect(tests.slice(0, 3)).toEqual(["CMD", "bash", "-c"]);
    expect(tests[3]).toContain(`/dev/tcp/127.0.0.1/${WEB_STATUS_PORT}`);
    expect(tests[3]).toContain("GET /healthz");
    expect(tests[3]).toContain('[[ "$line" == "HTTP/1.1 204"* ]]');
  });

  it("replaces its container on any change, delete-first: the name and the host port are fixed", () => {
    expect(container().options).toMatchObject({ deleteBeforeReplace: true, replaceOnChanges: ["*"] });
  });

  it("stops with SIGQUIT and 10 s of grace, so nginx finishes the responses in progress", () => {
    expect(container().inputs).toMatchObject({
      stopSignal: "SIGQUIT",
      stopTimeout: 10,
      destroyGraceSeconds: 10,
    });
  });

  it("keeps only the capabilities nginx needs, and no process may gain more", () => {
    expect(container().inputs).toMatchObject({
      capabilities: { drops: ["ALL"], adds: ["CHOWN", "SETGID", "SETUID"] },
      securityOpts: ["no-new-privileges"],
    });
  });

  it("sets no memory limit by default: the page cache nginx serves from would count against it", () => {
    expect(container().inputs.memory).toBeUndefined();
    expect(container().inputs.memorySwap).toBeUndefined();
  });

  it("builds its image for the target's platform", () => {
    expect(resourceNamed(run, "web-image").inputs.build).toMatchObject({ platform: "linux/amd64" });
  });
});

describe("WebServer without HTTP users or signed links, on a configured image for arm64", () => {
  const image = "registry.example.com/media/nginx:1.27";
  const spec = parseConfig(
    withValue(withValue(threeUserConfig(), "images.web", image), "target.platform", "linux/arm64"),
    "prod",
  ).spec;
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec, {});
  });

  it("uploads nginx.conf in clear, so a preview shows its diff", () => {
    const container = resourceNamed(run, "web-container");
    expect(container.secretPaths).toEqual([]);
    expect(container.inputs.uploads).toEqual(
      webContainerFiles(spec, WEB_CONTAINER_LAYOUT, { httpHashes: {}, secureLinkSecret: undefined }),
    );
    expect(run.resources.filter((r) => r.type === "command:local:Command")).toEqual([]);
  });

  it("pulls the configured image for the target's platform instead of building one, and keeps it on the host", () => {
    expect(run.resources.filter((r) => r.type === "docker:index/image:Image")).toEqual([]);
    expect(resourceNamed(run, "web-image")).toMatchObject({
      type: "docker:index/remoteImage:RemoteImage",
      inputs: { name: image, keepLocally: true, platform: "linux/arm64" },
    });
    expect(resourceNamed(run, "web-container").inputs.image).toBe(run.outputs.imageId);
  });
});

describe("WebServer with http.tls required on port 8443", () => {
  let config = withValue(threeUserConfig(), "http.tls", "required");
  config = withValue(config, "http.httpsPort", 8443);
  config = withValue(config, "http.tlsCertificate", PEM_CERTIFICATE);
  config = withValue(config, "http.tlsKey", PEM_KEY);
  const spec = parseConfig(config, "prod").spec;
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec, {}, undefined, { tlsCertificate: PEM_CERTIFICATE, tlsKey: PEM_KEY });
  });
  const container = () => resourceNamed(run, "web-container");

  it("publishes the HTTPS port beside the HTTP one, which redirects, in the order the provider reads back", () => {
    expect(portProblems(container().inputs.ports as { internal: number }[])).toEqual([]);
    expect(container().inputs.ports).toEqual([
      { internal: WEB_CONTAINER_PORT, external: 80, ip: "0.0.0.0", protocol: "tcp" },
      { internal: WEB_CONTAINER_HTTPS_PORT, external: 8443, ip: "0.0.0.0", protocol: "tcp" },
    ]);
  });

  it("uploads the certificate and the key (mode 0600) only inside the secret uploads", () => {
    expect(container().secretPaths).toEqual(["uploads"]);
    const uploads = container().inputs.uploads as { file: string; permissions: string }[];
    expect(uploads.filter((u) => u.file.includes("tls-")).map((u) => `${u.permissions} ${u.file}`)).toEqual([
      `0644 ${WEB_CONTAINER_LAYOUT.tlsCertificateFile}`,
      `0600 ${WEB_CONTAINER_LAYOUT.tlsKeyFile}`,
    ]);
    const { uploads: _secret, ...clear } = container().inputs;
    expect(JSON.stringify(clear)).not.toContain("PRIVATE KEY");
  });
});
