/** MediaStore on its own, under mocks: the host folder, made locally or over ssh, and its volume. */
import { createHash } from "node:crypto";
import type { Spec } from "../../../spec";
import { resourceNamed, runMocked, type ProgramRun } from "../../support/program";
import { ed25519KeyPair } from "../../support/sshKeys";
import { parseConfig, threeUserConfig, withValue } from "../../support/stacks";

const SSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc3NoLWtleS1mb3ItdGVzdHM=\n-----END OPENSSH PRIVATE KEY-----\n";

/** threeUserConfig keeps its media in /srv/video-server. */
const specFor = (dockerHost: string): Spec =>
  parseConfig(withValue(threeUserConfig(), "target.dockerHost", dockerHost), "prod").spec;

function declare(spec: Spec, sshPrivateKey?: string): Promise<ProgramRun> {
  return runMocked(async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { MediaStore } = await import("../../../components/mediaStore");
    const key = sshPrivateKey === undefined ? undefined : pulumi.secret(sshPrivateKey);
    const store = new MediaStore("store", { spec, sshPrivateKey: key });
    return { volumeName: store.volumeName };
  });
}

describe("MediaStore on the local Docker socket", () => {
  const spec = specFor("unix:///var/run/docker.sock");
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec);
  });

  it("makes the folder with a local mkdir of the one quoted path", () => {
    const dir = resourceNamed(run, "store-dir");
    expect(dir.type).toBe("command:local:Command");
    expect(dir.inputs).toEqual({ create: "mkdir -p -- '/srv/video-server'" });
    expect(dir.options.parent).toMatch(/::store$/);
  });

  it("binds a local volume to the folder, named after the folder, once the folder is made", () => {
    const volume = resourceNamed(run, "store-media");
    const pathHash = createHash("sha256").update("/srv/video-server").digest("hex").slice(0, 8);
    expect(volume.inputs).toEqual({
      name: `${spec.name}-media-${pathHash}`,
      driver: "local",
      driverOpts: { type: "none", o: "bind", device: "/srv/video-server" },
      labels: [
        { label: "video-server.stack", value: "prod" },
        { label: "video-server.host-path", value: "/srv/video-server" },
      ],
    });
    expect(volume.options.dependsOn).toEqual([expect.stringMatching(/\$command:local:Command::store-dir$/)]);
    expect(run.outputs.volumeName).toBe(volume.inputs.name);
  });

  it("keeps the folder and the volume when the stack is destroyed", () => {
    expect(resourceNamed(run, "store-dir").options.retainOnDelete).toBe(true);
    expect(resourceNamed(run, "store-media").options.retainOnDelete).toBe(true);
  });
});

describe("MediaStore on an ssh:// Docker host", () => {
  it("makes the folder with a remote command over ssh, with the URL's user, host and port and the key as a secret", async () => {
    const run = await declare(specFor("ssh://ops@203.0.113.20:2222"), SSH_KEY);
    const dir = resourceNamed(run, "store-dir");
    expect(dir.type).toBe("command:remote:Command");
    // The command provider adds its dial defaults (retries, timeout) to the connection.
    expect(dir.inputs).toMatchObject({
      connection: { host: "203.0.113.20", user: "ops", port: 2222, privateKey: SSH_KEY },
      create: "mkdir -p -- '/srv/video-server'",
    });
    expect(dir.secretPaths).toEqual(["connection"]);
    expect(resourceNamed(run, "store-dir").options.retainOnDelete).toBe(true);
    expect(resourceNamed(run, "store-media").options.dependsOn).toEqual([
      expect.stringMatching(/\$command:remote:Command::store-dir$/),
    ]);
  });

  it("leaves the key unset without sshPrivateKey, so the ssh agent is used, on port 22 by default", async () => {
    const run = await declare(specFor("ssh://deploy@media.example.com"));
    const connection = resourceNamed(run, "store-dir").inputs.connection;
    expect(connection).toMatchObject({ host: "media.example.com", user: "deploy", port: 22 });
    expect(connection).not.toHaveProperty("privateKey");
    // Without target.sshHostKey the command provider accepts any host key.
    expect(connection).not.toHaveProperty("hostKey");
  });

  it("checks the server's host key when target.sshHostKey is set", async () => {
    const { publicKey } = ed25519KeyPair("media.example.com");
    const spec = parseConfig(
      withValue(
        withValue(threeUserConfig(), "target.dockerHost", "ssh://deploy@media.example.com"),
        "target.sshHostKey",
        publicKey,
      ),
      "prod",
    ).spec;
    const connection = resourceNamed(await declare(spec), "store-dir").inputs.connection;
    expect(connection).toMatchObject({ hostKey: publicKey });
  });
});
