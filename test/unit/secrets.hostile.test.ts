/**
 * Secrets audit under mocks: no plaintext secret (FTP and HTTP passwords, the generated one, the
 * secure-link secret, the webhook secrets, the FTPS, HTTPS, SFTP host and SSH keys) nor anything derived from one (bcrypt hashes) in any
 * input the state keeps in clear, any public stack output, any container env, label or command.
 * The services and docker tiers audit the servers' and containers' logs.
 */
import { FTP_CONTAINER_LAYOUT, WEB_CONTAINER_LAYOUT } from "../../spec";
import { runProgram, type ProgramRun, type StackConfig } from "../support/program";
import { withValue } from "../support/stacks";
import { pemBodyLines } from "../support/tls";
import { everyFieldConfig, PEM_HTTPS_KEY, PEM_KEY, PEM_SSH_HOST_KEY } from "./everyField";
import { BCRYPT } from "./renderedFiles";

const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc3NoLWtleS1yZWxpYWJpbGl0eS10ZXN0\n-----END OPENSSH PRIVATE KEY-----\n";

/** The base sets every secret; one FTP user has none, so the program generates it. */
/** On one host: swarm mode's Swarm secrets are test/unit/swarm.test.ts. */
function configWithSecrets(): StackConfig {
  let config = withValue(everyFieldConfig(), "ftp.users.2.password", undefined);
  config = withValue(config, "target.mode", "host");
  config = withValue(config, "edge", undefined);
  return withValue(config, "images.registry", undefined);
}

function plainSecrets(config: StackConfig, run: ProgramRun): string[] {
  const ftp = config.ftp as { users: { password?: string }[]; tlsKey: string };
  const http = config.http as { users: { password: string }[]; secureLinkSecret: string; tlsKey: string };
  const processing = config.processing as { webhooks: { secret: string }[] };
  return [
    ...processing.webhooks.map((w) => w.secret),
    ...ftp.users.flatMap((u) => (u.password === undefined ? [] : [u.password])),
    ...Object.values(run.outputs.ftpPasswords as Record<string, string>),
    ...http.users.map((u) => u.password),
    http.secureLinkSecret,
    ...pemBodyLines(ftp.tlsKey),
    ...pemBodyLines(http.tlsKey),
    ...pemBodyLines((config.sftp as { hostKey: string }).hostKey),
  ];
}

/** Every bcrypt hash the program put anywhere: derived from a password, so as secret as it. */
const hashesIn = (run: ProgramRun): string[] =>
  [...JSON.stringify(run.resources.map((r) => r.inputs)).matchAll(BCRYPT)].map((m) => m[0]);

const found = (haystack: unknown, needles: readonly string[]): string[] => {
  const text = JSON.stringify(haystack);
  return needles.filter((n) => text.includes(JSON.stringify(n).slice(1, -1)));
};

describe("secrets under Pulumi mocks", () => {
  let run: ProgramRun;
  let secrets: string[];
  beforeAll(async () => {
    const config = configWithSecrets();
    run = await runProgram(config, { stack: "hostile", secretKeys: ["ftp", "http", "sftp", "processing"] });
    secrets = plainSecrets(config, run);
  });

  it("audits real values: three FTP passwords (one generated), an HTTP one, the secure-link and webhook secrets, both TLS keys", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(run.outputs.ftpPasswords as object)).toEqual(["reader"]);
    // Each secret did reach some resource (as itself or hashed), so its absence below means something.
    expect(hashesIn(run).length).toBeGreaterThanOrEqual(4);
    const stored = [
      (configWithSecrets().http as { secureLinkSecret: string }).secureLinkSecret,
      (configWithSecrets().processing as { webhooks: { secret: string }[] }).webhooks[0].secret,
      ...pemBodyLines(PEM_KEY),
      ...pemBodyLines(PEM_HTTPS_KEY),
      ...pemBodyLines(PEM_SSH_HOST_KEY),
    ];
    expect(
      found(
        run.resources.map((r) => r.inputs),
        stored,
      ),
    ).toEqual(stored);
  });

  it("keeps every secret and every password hash out of the inputs state shows in clear", () => {
    expect(
      found(
        run.resources.map((r) => ({ name: r.name, inputs: r.publicInputs })),
        [...secrets, ...hashesIn(run)],
      ),
    ).toEqual([]);
  });

  it("exports no secret in a public stack output; the generated passwords only as a secret one", () => {
    const publicOutputs = Object.fromEntries(
      Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k)),
    );
    expect(found(publicOutputs, secrets)).toEqual([]);
    expect(run.secretOutputs).toContain("ftpPasswords");
  });

  it("puts no secret in any container's env, labels or command, even as a secret", () => {
    const containers = run.resources.filter((r) => r.type === "docker:index/container:Container");
    expect(containers.map((c) => c.name).sort()).toEqual([
      "video-server-ftp-container",
      "video-server-sftp-container",
      "video-server-web-container",
      "video-server-worker-container",
    ]);
    for (const c of containers) {
      const exposed = {
        envs: c.inputs.envs,
        labels: c.inputs.labels,
        command: c.inputs.command,
        entrypoints: c.inputs.entrypoints,
      };
      expect({ name: c.name, found: found(exposed, [...secrets, ...hashesIn(run)]) }).toEqual({
        name: c.name,
        found: [],
      });
    }
  });

  it("hands the containers bcrypt hashes of the passwords, never a password, even in their secret uploads", () => {
    const config = configWithSecrets();
    const passwords = [
      ...(config.ftp as { users: { password?: string }[] }).users.flatMap((u) => u.password ?? []),
      ...Object.values(run.outputs.ftpPasswords as Record<string, string>),
      ...(config.http as { users: { password: string }[] }).users.map((u) => u.password),
    ];
    const containers = run.resources.filter((r) => r.type === "docker:index/container:Container");
    expect(
      found(
        containers.map((c) => c.inputs),
        passwords,
      ),
    ).toEqual([]);
    const file = (name: string) =>
      containers
        .flatMap((c) => c.inputs.uploads as { file: string; content: string }[])
        .find((u) => u.file === name)?.content;
    expect(file(FTP_CONTAINER_LAYOUT.passwordFile)).toMatch(
      /^editor:\$2b\$10\$[./A-Za-z0-9]{53}\nreader:\$2b\$10\$[./A-Za-z0-9]{53}\nteam-a:\$2b\$10\$[./A-Za-z0-9]{53}\n$/,
    );
    expect(file(WEB_CONTAINER_LAYOUT.htpasswdFile)).toMatch(/^viewer:\$2b\$05\$[./A-Za-z0-9]{53}\n$/);
    // The secure-link secret must reach nginx.conf itself: only inside the containers' secret uploads.
    for (const c of containers)
      expect({ name: c.name, secret: c.secretPaths }).toEqual({ name: c.name, secret: ["uploads"] });
  });

  it("marks the SSH key of a remote target secret wherever it goes", async () => {
    let remote = withValue(configWithSecrets(), "target.dockerHost", "ssh://deploy@media.example.com");
    remote = { ...remote, sshPrivateKey: SSH_KEY };
    const remoteRun = await runProgram(remote, {
      stack: "hostile",
      secretKeys: ["ftp", "http", "sshPrivateKey"],
    });
    const everywhere = found(
      remoteRun.resources.map((r) => r.inputs),
      pemBodyLines(SSH_KEY),
    );
    expect(everywhere).toEqual(pemBodyLines(SSH_KEY));
    expect(
      found(
        remoteRun.resources.map((r) => r.publicInputs),
        pemBodyLines(SSH_KEY),
      ),
    ).toEqual([]);
  });
});
