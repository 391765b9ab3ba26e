/**
 * target.mode swarm under mocks: the services, their placement and ports, the overlay, the
 * images pushed to the registry, and every file a Swarm config or (where a secret reaches it) a
 * Swarm secret; what the realizer maps and the provider's rules it enforces, on these inputs.
 */
import { resourceNamed, runProgram, type DeclaredResource, type ProgramRun } from "../support/program";
import { serviceDurationProblem, swarmObjectProblems } from "../support/providerRules";
import type { StackConfig } from "../support/project";
import { parseConfig, threeUserConfig, withValue } from "../support/stacks";
import { serviceSpec } from "../docker/swarmKinds";
import { PEM_CERTIFICATE, PEM_KEY } from "./everyField";

const REGISTRY_PASSWORD = "registry-password-0123";
const SECURE_LINK_SECRET = "a-secure-link-secret-0123";
const HTTP_PASSWORD = "viewer-http-password";
const WEBHOOK_SECRET = "webhook-secret-0123456789";

/** threeUserConfig on a swarm: basic auth, signed links, HTTPS, a webhook, SFTP, a registry. */
function swarmConfig(): StackConfig {
  let c = withValue(threeUserConfig(), "target.mode", "swarm");
  c = withValue(c, "images.registry", {
    server: "registry.example.com:5000",
    username: "deployer",
    password: REGISTRY_PASSWORD,
  });
  c = withValue(c, "http.secureLinkSecret", SECURE_LINK_SECRET);
  c = withValue(c, "http.users", [{ name: "viewer", password: HTTP_PASSWORD }]);
  c = withValue(c, "http.locations.1", {
    path: "/images/",
    directory: "images",
    basicAuth: true,
    secureLink: true,
  });
  c = withValue(c, "http.tls", "enabled");
  c = withValue(c, "http.tlsCertificate", PEM_CERTIFICATE);
  c = withValue(c, "http.tlsKey", PEM_KEY);
  c = withValue(c, "processing.webhooks", [
    { url: "https://hooks.example.com/video", secret: WEBHOOK_SECRET },
  ]);
  c = withValue(c, "sftp.enabled", true);
  return c;
}

const SECRET_KEYS = ["ftp", "http", "processing", "images"];
const ofType = (run: ProgramRun, type: string): DeclaredResource[] =>
  run.resources.filter((r) => r.type === `docker:index/${type}`);
type Fields = Record<string, unknown>;
const taskOf = (r: DeclaredResource) => r.inputs.taskSpec as Fields;
const containerOf = (r: DeclaredResource) => taskOf(r).containerSpec as Fields;
const serviceNamed = (run: ProgramRun, name: string): DeclaredResource => {
  const found = ofType(run, "service:Service").find((s) => s.inputs.name === name);
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};
const decoded = (r: DeclaredResource) => Buffer.from(String(r.inputs.data), "base64").toString("utf8");

describe("target.mode swarm", () => {
  const config = swarmConfig();
  const { spec } = parseConfig(config, "prod");
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(config, { stack: "prod", secretKeys: SECRET_KEYS });
  });

  it("declares services, not containers: the origin's four and the edge", () => {
    expect(ofType(run, "container:Container")).toEqual([]);
    expect(
      ofType(run, "service:Service")
        .map((s) => s.inputs.name)
        .sort(),
    ).toEqual(["edge", "ftp", "sftp", "web", "worker"].map((r) => `${spec.name}-${r}`));
  });

  it("places the origin on the media node and the edges on the edge nodes, one task per node", () => {
    for (const role of ["ftp", "web", "worker", "sftp"]) {
      const s = serviceNamed(run, `${spec.name}-${role}`);
      expect(s.inputs.mode).toEqual({ replicated: { replicas: 1 } });
      expect((taskOf(s).placement as Fields).constraints).toEqual(["node.labels.video-server.media==true"]);
    }
    const edge = serviceNamed(run, `${spec.name}-edge`);
    expect(edge.inputs.mode).toEqual({ global: true });
    expect(taskOf(edge).placement).toMatchObject({
      constraints: ["node.labels.video-server.edge==true"],
      maxReplicas: 1,
      platforms: [{ os: "linux", architecture: "amd64" }],
    });
  });

  it("publishes in host mode only: FTP and SFTP on the media node, HTTP(S) on the edges, the origin nothing", () => {
    const published = (role: string) =>
      ((serviceNamed(run, `${spec.name}-${role}`).inputs.endpointSpec as Fields).ports as Fields[]).map(
        (p) => [p.publishMode, p.targetPort, p.publishedPort],
      );
    expect(published("web")).toEqual([]);
    expect(published("edge")).toEqual([
      ["host", 80, 80],
      ["host", 443, 443],
    ]);
    expect(published("ftp")).toEqual([
      ["host", 21, 21],
      ...[40000, 40001, 40002, 40003, 40004].map((p) => ["host", p, p]),
    ]);
    expect(published("sftp")).toEqual([["host", 22, 2222]]);
    for (const s of ofType(run, "service:Service"))
      expect((s.inputs.endpointSpec as Fields).mode).toBe("dnsrr");
  });

  it("joins every service to one overlay whose IPAM config reads back as declared", () => {
    const [network] = ofType(run, "network:Network");
    expect(network.inputs).toMatchObject({
      name: `${spec.name}-overlay`,
      driver: "overlay",
      ipamConfigs: [{ subnet: "10.249.0.0/24", gateway: "10.249.0.1" }],
    });
    expect(network.inputs.options).toBeUndefined();
    expect(network.options.ignoreChanges).toEqual(["options"]);
    for (const s of ofType(run, "service:Service")) {
      expect(taskOf(s).networksAdvanceds).toEqual([{ id: network.id }]);
    }
  });

  it("pushes each built image to the registry, with the password as a secret, and the nodes pull by digest", () => {
    const images = ofType(run, "image:Image");
    expect(images.map((i) => i.inputs.imageName).sort()).toEqual(
      ["nginx", "sftp", "vsftpd", "worker"].map((c) => `registry.example.com:5000/video-server-${c}:prod`),
    );
    for (const image of images) {
      expect(image.inputs.skipPush).toBe(false);
      expect(image.inputs.registry).toEqual({
        server: "registry.example.com:5000",
        username: "deployer",
        password: REGISTRY_PASSWORD,
      });
      // The password, or the registry block holding it, arrives as a secret.
      expect(image.secretPaths.some((p) => "registry.password".startsWith(p))).toBe(true);
    }
    for (const s of ofType(run, "service:Service")) {
      expect(s.inputs.auth).toEqual({
        serverAddress: "registry.example.com:5000",
        username: "deployer",
        password: REGISTRY_PASSWORD,
      });
      expect(s.secretPaths.some((p) => "auth.password".startsWith(p))).toBe(true);
    }
    // The edge runs the origin's nginx image.
    expect(containerOf(serviceNamed(run, `${spec.name}-edge`)).image).toBe(
      containerOf(serviceNamed(run, `${spec.name}-web`)).image,
    );
  });

  it("keeps every secret out of Swarm configs and in Swarm secrets held as Pulumi secrets", () => {
    const secretValues = [REGISTRY_PASSWORD, SECURE_LINK_SECRET, HTTP_PASSWORD, WEBHOOK_SECRET, "$2b$"];
    const configs = ofType(run, "serviceConfig:ServiceConfig");
    const secrets = ofType(run, "secret:Secret");
    expect(configs.length).toBeGreaterThan(0);
    for (const c of configs) {
      for (const value of secretValues) expect(decoded(c)).not.toContain(value);
      expect(decoded(c)).not.toContain("PRIVATE KEY");
    }
    for (const s of secrets) expect(s.secretPaths).toEqual(expect.arrayContaining(["data"]));
    // What no secret reaches stays in clear, so a preview shows its diff.
    for (const c of configs) expect(c.secretPaths).toEqual([]);
    const secretFiles = secrets.map(
      (s) => (s.inputs.labels as Fields[]).find((l) => l.label === "video-server.file")?.value,
    );
    // The password files, the keys, nginx.conf with the signed-link secret, the worker's settings.
    expect(secretFiles).toEqual(
      expect.arrayContaining([
        "/etc/vsftpd/passwd",
        "/etc/ssh/video-server/passwd",
        "/etc/ssh/video-server/host-key",
        "/etc/nginx/video-server/htpasswd",
        "/etc/nginx/video-server/tls-key.pem",
        "/etc/nginx/nginx.conf",
        "/etc/video-server/worker.json",
      ]),
    );
    const all = [...configs, ...secrets].map((r) => decoded(r)).join("\n");
    expect(all).toContain(SECURE_LINK_SECRET);
    expect(all).toContain(WEBHOOK_SECRET);
  });

  it("mounts each config and secret where the container would have had it uploaded", () => {
    for (const s of ofType(run, "service:Service")) {
      const c = containerOf(s);
      const files = [...(c.configs as Fields[]), ...(c.secrets as Fields[])];
      for (const f of files) {
        expect(String(f.fileName)).toMatch(/^\//);
        expect([0o644, 0o600, 0o755]).toContain(f.fileMode);
      }
      const names = files.map((f) => f.fileName);
      expect(new Set(names).size).toBe(names.length);
    }
    // Ban lists are rewritten as the servers run: their entrypoints make them.
    const edgeFiles = (containerOf(serviceNamed(run, `${spec.name}-edge`)).configs as Fields[]).map(
      (f) => f.fileName,
    );
    expect(edgeFiles).not.toContain("/etc/nginx/video-server/bans.conf");
  });

  it("binds the media volume to media.hostPath on whichever node runs the origin", () => {
    for (const role of ["ftp", "web", "worker", "sftp"]) {
      const mounts = containerOf(serviceNamed(run, `${spec.name}-${role}`)).mounts as Fields[];
      const media = mounts.find((m) => m.target === "/srv/media");
      expect(media).toMatchObject({
        type: "volume",
        volumeOptions: {
          driverName: "local",
          driverOptions: { type: "none", o: "bind", device: "/srv/video-server" },
        },
      });
      expect(media?.readOnly).toBe(role === "web");
    }
  });

  it("declares only what the realizer maps and the provider reads back as written", () => {
    for (const s of ofType(run, "service:Service")) {
      expect(() => serviceSpec(s.inputs)).not.toThrow();
      const c = containerOf(s);
      const health = c.healthcheck as Fields;
      const durations = [c.stopGracePeriod, health.interval, health.timeout, health.startPeriod];
      for (const d of durations) expect(serviceDurationProblem("duration", String(d))).toBeUndefined();
    }
    for (const r of [...ofType(run, "serviceConfig:ServiceConfig"), ...ofType(run, "secret:Secret")]) {
      expect(swarmObjectProblems("object", String(r.inputs.name), String(r.inputs.data))).toEqual([]);
    }
    // A global service cannot converge in the provider (no replica count); the others wait.
    expect(serviceNamed(run, `${spec.name}-edge`).inputs.convergeConfig).toBeUndefined();
    expect(serviceNamed(run, `${spec.name}-web`).inputs.convergeConfig).toEqual({
      delay: "5s",
      timeout: "3m",
    });
  });

  it("gives a changed file a new Swarm name (configs are immutable) and the same name to the same file", async () => {
    const again = await runProgram(config, { stack: "prod", secretKeys: SECRET_KEYS });
    const names = (r: ProgramRun) => ofType(r, "serviceConfig:ServiceConfig").map((c) => c.inputs.name);
    expect(names(again)).toEqual(names(run));
    const changed = await runProgram(withValue(config, "edge", { cacheSeconds: 120 }), {
      stack: "prod",
      secretKeys: SECRET_KEYS,
    });
    const edgeConf = (r: ProgramRun) =>
      ofType(r, "serviceConfig:ServiceConfig").find(
        (c) =>
          (c.inputs.labels as Fields[]).some((l) => l.value === "edge") &&
          (c.inputs.labels as Fields[]).some((l) => l.value === "/etc/nginx/nginx.conf"),
      )?.inputs.name ??
      ofType(r, "secret:Secret").find(
        (c) =>
          (c.inputs.labels as Fields[]).some((l) => l.value === "edge") &&
          (c.inputs.labels as Fields[]).some((l) => l.value === "/etc/nginx/nginx.conf"),
      )?.inputs.name;
    expect(edgeConf(run)).toBeDefined();
    expect(edgeConf(changed)).not.toEqual(edgeConf(run));
  });

  it("runs a replicated edge and a replicated edge converges", async () => {
    const replicated = await runProgram(withValue(config, "edge", { replicas: 3 }), {
      stack: "prod",
      secretKeys: SECRET_KEYS,
    });
    const edge = serviceNamed(replicated, `${spec.name}-edge`);
    expect(edge.inputs.mode).toEqual({ replicated: { replicas: 3 } });
    expect(edge.inputs.convergeConfig).toEqual({ delay: "5s", timeout: "3m" });
  });

  it("names an encrypted overlay apart, so turning encryption on replaces the network", async () => {
    const encrypted = await runProgram(withValue(config, "edge", { encrypted: true }), {
      stack: "prod",
      secretKeys: SECRET_KEYS,
    });
    const [network] = ofType(encrypted, "network:Network");
    expect(network.inputs).toMatchObject({
      name: `${spec.name}-overlay-encrypted`,
      options: { encrypted: "true" },
    });
    expect(resourceNamed(encrypted, network.name).options.ignoreChanges).toEqual(["options"]);
  });

  it("uses prebuilt references as they are, with no registry and no build", async () => {
    let refs = withValue(threeUserConfig(), "target.mode", "swarm");
    refs = withValue(refs, "processing.enabled", false);
    refs = withValue(refs, "images", {
      ftp: "registry.example.com/vsftpd:1.0",
      web: "registry.example.com/nginx:1.0",
    });
    const prebuilt = await runProgram(refs, { stack: "prod", secretKeys: ["ftp"] });
    expect(ofType(prebuilt, "image:Image")).toEqual([]);
    expect(ofType(prebuilt, "remoteImage:RemoteImage")).toEqual([]);
    const image = (role: string) =>
      containerOf(
        ofType(prebuilt, "service:Service").find((s) =>
          String(s.inputs.name).endsWith(`-${role}`),
        ) as DeclaredResource,
      ).image;
    expect(image("ftp")).toBe("registry.example.com/vsftpd:1.0");
    expect(image("edge")).toBe("registry.example.com/nginx:1.0");
    expect(ofType(prebuilt, "service:Service").every((s) => s.inputs.auth === undefined)).toBe(true);
  });
});
