/**
 * The two targets' graphs, under mocks: a remote Docker host reached over ssh (Pulumi.prod.yaml
 * with the secrets its comments say to set) and the local socket (Pulumi.dev.yaml).
 */
import { runProgram, type DeclaredResource, type ProgramRun, type StackConfig } from "../support/program";
import { stackFileConfig, withValue } from "../support/stacks";

const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc3NoLWtleS1mb3ItdGVzdHM=\n-----END OPENSSH PRIVATE KEY-----\n";
const TLS_CERT = "-----BEGIN CERTIFICATE-----\nY2VydGlmaWNhdGUtZm9yLXRlc3Rz\n-----END CERTIFICATE-----\n";
const TLS_KEY = "-----BEGIN PRIVATE KEY-----\ncHJpdmF0ZS1rZXktZm9yLXRlc3Rz\n-----END PRIVATE KEY-----\n";
const PASSWORDS = ["editor-password-1", "archive-password-2"];
const PROVIDER_URN = /\$pulumi:providers:docker::video-server-docker::/;

/** Pulumi.prod.yaml plus the secrets its comments list (`pulumi config set --secret …`). */
function prodWithSecrets(): StackConfig {
  const prod = stackFileConfig("prod");
  const ftp = structuredClone(prod.ftp) as { users: Record<string, unknown>[] } & Record<string, unknown>;
  ftp.users.forEach((user, i) => (user.password = PASSWORDS[i]));
  return { ...prod, ftp: { ...ftp, tlsCertificate: TLS_CERT, tlsKey: TLS_KEY }, sshPrivateKey: SSH_KEY };
}
const PROD_SECRET_KEYS = ["ftp", "sshPrivateKey"];

const byName = (run: ProgramRun, name: string): DeclaredResource => {
  const found = run.resources.find((r) => r.name === name);
  if (!found)
    throw new Error(`no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
  return found;
};
const dockerResources = (run: ProgramRun) => run.resources.filter((r) => r.type.startsWith("docker:"));

describe("the prod stack on a remote Docker host over ssh", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(prodWithSecrets(), { stack: "prod", secretKeys: PROD_SECRET_KEYS });
  });

  it("makes the media folder with a remote command over ssh, not a local one", () => {
    const dir = byName(run, "video-server-store-dir");
    expect(dir.type).toBe("command:remote:Command");
    // Local commands only hash passwords on the deploying machine; none touches the host's disk.
    const local = run.resources.filter((r) => r.type === "command:local:Command");
    for (const c of local) expect(c.inputs.create).toMatch(/^node scripts\/bcrypt\.js '/);
    expect(dir.inputs.create).toBe("mkdir -p -- '/srv/video-server/media'");
  });

  it("gives the remote command the ssh connection from the stack: host, user, port and private key", () => {
    expect(byName(run, "video-server-store-dir").inputs.connection).toMatchObject({
      host: "media.example.com",
      user: "deploy",
      port: 22,
      privateKey: SSH_KEY,
    });
  });

  it("keeps the ssh private key of the remote connection secret", () => {
    const dir = byName(run, "video-server-store-dir");
    expect(dir.secretPaths).toContain("connection");
    expect(JSON.stringify(dir.publicInputs)).not.toContain("c3NoLWtleS1mb3ItdGVzdHM=");
  });

  it("declares one docker provider, pointed at the ssh:// host with the stack's ssh options", () => {
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:docker");
    expect(providers.map((p) => p.name)).toEqual(["video-server-docker"]);
    expect(providers[0].inputs).toMatchObject({
      host: "ssh://deploy@media.example.com",
      sshOpts: JSON.stringify(["-o", "StrictHostKeyChecking=accept-new"]),
    });
  });

  it("sends every docker resource of the remote stack through the ssh provider", () => {
    const types = dockerResources(run)
      .map((r) => r.type)
      .sort();
    expect(types).toEqual([
      "docker:index/container:Container",
      "docker:index/container:Container",
      "docker:index/image:Image",
      "docker:index/image:Image",
      "docker:index/volume:Volume",
    ]);
    for (const r of dockerResources(run)) expect(r.provider).toMatch(PROVIDER_URN);
  });

  it("runs the ssh command with the command provider, not the docker one", () => {
    expect(byName(run, "video-server-store-dir").provider ?? "").not.toMatch(PROVIDER_URN);
  });

  it("binds the volume to the absolute folder on the remote host, after the ssh command made it", () => {
    const volume = byName(run, "video-server-store-media");
    expect(volume.inputs).toMatchObject({
      driverOpts: { type: "none", o: "bind", device: "/srv/video-server/media" },
    });
    expect(volume.inputs.name).toMatch(/^video-server-prod-media-[0-9a-f]{8}$/);
    expect(volume.options.dependsOn).toEqual([
      expect.stringMatching(/\$command:remote:Command::video-server-store-dir$/),
    ]);
  });

  it("retains the remote media folder and its volume when the stack is destroyed", () => {
    expect(byName(run, "video-server-store-dir").options.retainOnDelete).toBe(true);
    expect(byName(run, "video-server-store-media").options.retainOnDelete).toBe(true);
  });

  it("publishes FTP and each of the 20 passive ports on every address of the remote host", () => {
    const ports = byName(run, "video-server-ftp-container").inputs.ports as {
      internal: number;
      external: number;
      ip: string;
    }[];
    expect(ports).toHaveLength(21);
    expect(ports[0]).toMatchObject({ internal: 21, external: 21, ip: "0.0.0.0" });
    expect(ports.slice(1).map((p) => p.external)).toEqual(Array.from({ length: 20 }, (_, i) => 30000 + i));
    expect(run.outputs.ftpEndpoint).toMatchObject({
      host: "203.0.113.10",
      passivePorts: "30000-30019",
      url: "ftp://203.0.113.10/",
    });
    expect(run.outputs.httpUrl).toBe("http://media.example.com/");
  });

  it("generates no password when every prod user has one configured", () => {
    expect(run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")).toEqual([]);
  });

  it("keeps the ssh key, the TLS key and the FTP passwords out of every non-secret input and output", () => {
    const clear = JSON.stringify(run.resources.map((r) => r.publicInputs));
    const publicOutputs = JSON.stringify(
      Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k))),
    );
    for (const secret of ["c3NoLWtleS1mb3ItdGVzdHM=", "cHJpdmF0ZS1rZXktZm9yLXRlc3Rz", ...PASSWORDS]) {
      expect(clear).not.toContain(secret);
      expect(publicOutputs).not.toContain(secret);
    }
  });
});

describe("remote targets without a configured key or on another ssh port", () => {
  it("leaves the remote connection's private key unset without sshPrivateKey, so the ssh agent is used", async () => {
    const { sshPrivateKey: _unused, ...config } = prodWithSecrets();
    const run = await runProgram(config, { stack: "prod", secretKeys: ["ftp"] });
    const connection = byName(run, "video-server-store-dir").inputs.connection as Record<string, unknown>;
    expect(connection).toMatchObject({ host: "media.example.com", user: "deploy", port: 22 });
    expect(connection).not.toHaveProperty("privateKey");
  });

  it("uses the port of the ssh:// URL for the remote connection and the docker host alike", async () => {
    const config = withValue(prodWithSecrets(), "target.dockerHost", "ssh://ops@203.0.113.20:2222");
    const run = await runProgram(config, { stack: "prod", secretKeys: PROD_SECRET_KEYS });
    expect(byName(run, "video-server-store-dir").inputs.connection).toMatchObject({
      host: "203.0.113.20",
      user: "ops",
      port: 2222,
    });
    expect(byName(run, "video-server-docker").inputs.host).toBe("ssh://ops@203.0.113.20:2222");
  });
});

describe("the dev stack on the local Docker socket", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(stackFileConfig("dev"), { stack: "dev" });
  });

  it("makes the media folder with a local command and no ssh connection", () => {
    const dir = byName(run, "video-server-store-dir");
    expect(dir.type).toBe("command:local:Command");
    expect(dir.inputs.connection).toBeUndefined();
    expect(run.resources.some((r) => r.type === "command:remote:Command")).toBe(false);
  });

  it("points the one docker provider at the local socket without ssh options", () => {
    const provider = byName(run, "video-server-docker");
    expect(provider.inputs.host).toBe("unix:///var/run/docker.sock");
    expect(provider.inputs.sshOpts).toBe("[]");
    for (const r of dockerResources(run)) expect(r.provider).toMatch(PROVIDER_URN);
  });
});
