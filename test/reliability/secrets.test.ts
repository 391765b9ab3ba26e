/**
 * Secrets audit. Under mocks: no plaintext secret (FTP and HTTP passwords, the generated one,
 * the secure-link secret, the TLS and SSH keys) nor anything derived from one (bcrypt hashes)
 * in any input the state keeps in clear, any public stack output, any container env, label or
 * command. On the real servers: none in vsftpd's or nginx's logs after good and bad logins.
 */
import * as fs from "node:fs";
import { signUrl } from "../../nginx/secureLink";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { request } from "../support/http";
import { runProgram, type ProgramRun, type StackConfig } from "../support/program";
import { startStack, type RunningStack } from "../support/servers";
import { withValue } from "../support/stacks";
import { testCertificate } from "../support/tls";
import { everyFieldConfig, PEM_KEY } from "./everyField";
import { BCRYPT } from "./renderedFiles";

const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc3NoLWtleS1yZWxpYWJpbGl0eS10ZXN0\n-----END OPENSSH PRIVATE KEY-----\n";

/** The base sets every secret; one FTP user has none, so the program generates it. */
function configWithSecrets(): StackConfig {
  return withValue(everyFieldConfig(), "ftp.users.2.password", undefined);
}

/** The PEM body lines: a key leaks as much through any one of them as through the whole. */
const pemLines = (pem: string): string[] => pem.split("\n").filter((l) => l && !l.startsWith("-----"));

function plainSecrets(config: StackConfig, run: ProgramRun): string[] {
  const ftp = config.ftp as { users: { password?: string }[]; tlsKey: string };
  const http = config.http as { users: { password: string }[]; secureLinkSecret: string };
  return [
    ...ftp.users.flatMap((u) => (u.password === undefined ? [] : [u.password])),
    ...Object.values(run.outputs.ftpPasswords as Record<string, string>),
    ...http.users.map((u) => u.password),
    http.secureLinkSecret,
    ...pemLines(ftp.tlsKey),
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
    run = await runProgram(config, { stack: "reliability", secretKeys: ["ftp", "http"] });
    secrets = plainSecrets(config, run);
  });

  it("audits real values: three FTP passwords (one generated), an HTTP one, the secure-link secret, the TLS key", () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(run.outputs.ftpPasswords as object)).toEqual(["reader"]);
    // Each secret did reach some resource (as itself or hashed), so its absence below means something.
    expect(hashesIn(run).length).toBeGreaterThanOrEqual(4);
    const stored = [
      (configWithSecrets().http as { secureLinkSecret: string }).secureLinkSecret,
      ...pemLines(PEM_KEY),
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
    expect(containers).toHaveLength(2);
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

  it("marks the SSH key of a remote target secret wherever it goes", async () => {
    let remote = withValue(configWithSecrets(), "target.dockerHost", "ssh://deploy@media.example.com");
    remote = { ...remote, sshPrivateKey: SSH_KEY };
    const remoteRun = await runProgram(remote, {
      stack: "reliability",
      secretKeys: ["ftp", "http", "sshPrivateKey"],
    });
    const everywhere = found(
      remoteRun.resources.map((r) => r.inputs),
      pemLines(SSH_KEY),
    );
    expect(everywhere).toEqual(pemLines(SSH_KEY));
    expect(
      found(
        remoteRun.resources.map((r) => r.publicInputs),
        pemLines(SSH_KEY),
      ),
    ).toEqual([]);
  });
});

describe("secrets in the real servers' logs", () => {
  const ftpPasswords = { uploader: "uploader-Pa55-word-q7", editor: "editor-Pa55-word-k3" };
  const httpPassword = "viewer-Pa55-word-m9";
  const secureLinkSecret = "reliability-Secure-Link-Secret-x4";
  const tls = testCertificate();
  let stack: RunningStack;
  let logs = "";

  beforeAll(async () => {
    stack = await startStack("reliability-secret-logs", {
      ftp: {
        bindAddress: "127.0.0.1",
        // Bad logins are the point: answer them at once.
        delayFailedLogin: 0,
        tls: "enabled",
        tlsCertificate: tls.certificate,
        tlsKey: tls.key,
        users: Object.entries(ftpPasswords).map(([name, password]) => ({ name, password })),
      },
      http: {
        bindAddress: "127.0.0.1",
        users: [{ name: "viewer", password: httpPassword }],
        secureLinkSecret,
        gallery: { enabled: false },
        locations: [
          { path: "/videos/", directory: "videos" },
          { path: "/members/", directory: "members", basicAuth: true },
          { path: "/signed/", directory: "signed", secureLink: true },
        ],
      },
    });
    const all = [...Object.values(ftpPasswords), httpPassword, secureLinkSecret];
    // Good logins, over TLS and in the clear, with an upload each.
    await withFtp(stack, "uploader", (c) => upload(c, fixture("sample.png"), "/members/a.png"));
    const plain = await ControlConnection.login(stack.ftpPort, "editor", ftpPasswords.editor);
    plain.close();
    await withFtp(stack, "uploader", (c) => upload(c, fixture("sample.png"), "/signed/a.png"));
    // Bad logins: every secret tried as the password of a real and of an unknown user.
    const wrong = [
      ...all.map((p) => ["uploader", p === ftpPasswords.uploader ? httpPassword : p]),
      ...all.map((p) => ["mallory", p]),
    ];
    for (const [user, password] of wrong) {
      const session = await ControlConnection.open(stack.ftpPort);
      await session.send(`USER ${user}`);
      expect((await session.send(`PASS ${password}`)).code).toBe(530);
      session.close();
    }
    // HTTP: the right and wrong basic-auth passwords, a good and a forged signed link.
    expect((await request(stack, "/members/a.png", { auth: `viewer:${httpPassword}` })).status).toBe(200);
    for (const p of all.filter((x) => x !== httpPassword))
      expect((await request(stack, "/members/a.png", { auth: `viewer:${p}` })).status).toBe(401);
    expect((await request(stack, "/members/a.png", { auth: `mallory:${httpPassword}` })).status).toBe(401);
    const expires = Math.floor(Date.now() / 1000) + 600;
    expect((await request(stack, signUrl("/signed/a.png", secureLinkSecret, expires))).status).toBe(200);
    expect(
      (await request(stack, signUrl("/signed/a.png", `${secureLinkSecret}-wrong`, expires))).status,
    ).toBe(403);
    const files = [stack.ftpLayout.logFile, stack.webLayout.accessLog, stack.webLayout.errorLog];
    logs = [stack.describe(), ...files.map((f) => `--- ${f}\n${fs.readFileSync(f, "utf8")}`)].join("\n");
  }, 60_000);
  afterAll(() => stack?.stop());

  it("logged the sessions and requests it audits", () => {
    expect(logs).toMatch(/OK LOGIN: Client "127\.0\.0\.1"/);
    expect(logs).toMatch(/FAIL LOGIN: Client "127\.0\.0\.1"/);
    expect(logs).toContain('GET /members/a.png HTTP/1.1" 401');
    expect(logs).toContain("viewer");
  });

  it("writes no password, secret or key line to vsftpd's or nginx's logs or output", () => {
    const secrets = [...Object.values(ftpPasswords), httpPassword, secureLinkSecret, ...pemLines(tls.key)];
    expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
  });
});
