/**
 * What the program declares so that the real `pulumi up` does what the realizer does: the
 * provider rules of docs/deploy.md, asserted on the declared resources of the committed stacks.
 */
import { parseSpec } from "../../spec";
import {
  PROJECT,
  runProgram,
  type DeclaredResource,
  type ProgramRun,
  type StackConfig,
} from "../support/program";
import { durationProblem, planContainerChange, uploadProblems } from "../support/providerRules";
import { ed25519KeyPair } from "../support/sshKeys";
import { stackFileConfig, withValue } from "../support/stacks";

const HOST_KEY = ed25519KeyPair("media.example.com").publicKey;
const PROD_SECRETS = {
  "ftp.users.0.password": "editor-password-1",
  "ftp.users.1.password": "archive-password-2",
  "ftp.tlsCertificate": "-----BEGIN CERTIFICATE-----\nY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
  "ftp.tlsKey": "-----BEGIN PRIVATE KEY-----\ncHJpdmF0ZS1rZXk=\n-----END PRIVATE KEY-----\n",
};

function prod(extra: Record<string, unknown> = {}): StackConfig {
  let config = stackFileConfig("prod");
  for (const [path, value] of Object.entries({ ...PROD_SECRETS, ...extra }))
    config = withValue(config, path, value);
  return config;
}

const ofType = (run: ProgramRun, type: string): DeclaredResource[] =>
  run.resources.filter((r) => r.type === type);
const containers = (run: ProgramRun) => ofType(run, "docker:index/container:Container");
const byRole = (run: ProgramRun, role: string): DeclaredResource => {
  const found = containers(run).find((c) => String(c.inputs.name).endsWith(`-${role}`));
  if (!found) throw new Error(`no ${role} container`);
  return found;
};

describe.each([
  ["dev", "linux/amd64", () => stackFileConfig("dev")],
  ["prod", "linux/arm64", () => prod({ "target.sshHostKey": HOST_KEY, "target.platform": "linux/arm64" })],
])("the %s stack (%s) as the providers take it", (stack, platform, config) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(config(), { stack });
  });

  it("builds every image for target.platform, not for the machine running pulumi", () => {
    const images = ofType(run, "docker:index/image:Image");
    expect(images.map((i) => (i.inputs.build as { platform: string }).platform)).toEqual([
      platform,
      platform,
      platform,
    ]);
  });

  it("writes healthcheck durations in the form the provider writes back", () => {
    for (const c of containers(run)) {
      const health = c.inputs.healthcheck as Record<string, string>;
      for (const field of ["interval", "timeout", "startPeriod"]) {
        expect(durationProblem(`healthcheck.${field}`, health[field])).toBeUndefined();
      }
    }
  });

  it("uploads only files the provider accepts", () => {
    for (const c of containers(run)) {
      expect(uploadProblems(c.inputs.uploads as { file: string; content: string }[])).toEqual([]);
    }
  });

  it("keeps a previous hash out of each hash command's environment", () => {
    const hashes = ofType(run, "command:local:Command").filter((c) =>
      String(c.inputs.create).startsWith("node scripts/bcrypt.js"),
    );
    expect(hashes.length).toBeGreaterThan(0);
    for (const h of hashes) expect(h.inputs.addPreviousOutputInEnv).toBe(false);
  });

  it("replaces the web container when its healthcheck changes, which an in-place update would ignore", () => {
    const web = byRole(run, "web");
    const health = web.inputs.healthcheck as Record<string, unknown>;
    const changed = { ...web.inputs, healthcheck: { ...health, interval: "20s" } };
    expect(planContainerChange(web.inputs, changed, web.options.replaceOnChanges).action).toBe("replace");
    expect(planContainerChange(web.inputs, changed, []).ignored).toEqual(["healthcheck"]);
  });
});

describe("validation of the deploy target", () => {
  const problems = (config: StackConfig): string => {
    try {
      parseSpec(config, { project: PROJECT, stack: "prod", projectDir: "/p" });
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  const [type, blob] = HOST_KEY.split(" ");

  test.each([
    ["target.platform", "linux/386", "target.platform"],
    ["target.sshHostKey", "AAAAC3NzaC1lZDI1NTE5", "target.sshHostKey: must be a public host key"],
    ["target.sshHostKey", `ssh-rsa ${blob}`, "target.sshHostKey: must be a public host key"],
    ["target.sshHostKey", `${type} ${blob} two words`, "target.sshHostKey: must be a public host key"],
  ])("refuses %s %p, naming the path", (path, value, message) => {
    expect(problems(prod({ [path]: value }))).toContain(message);
  });

  it("accepts the key line ssh-keyscan prints, with or without its comment", () => {
    expect(problems(prod({ "target.sshHostKey": HOST_KEY }))).toBe("");
    expect(problems(prod({ "target.sshHostKey": `${type} ${blob}` }))).toBe("");
  });

  it("refuses a host key for a local engine, where nothing would check it", () => {
    expect(problems(withValue(stackFileConfig("dev"), "target.sshHostKey", HOST_KEY))).toContain(
      "target.sshHostKey: only used with an ssh:// target.dockerHost; remove it",
    );
  });
});
