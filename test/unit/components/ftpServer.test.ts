/** FtpServer on its own, under mocks: its image, its password hashes and its container. */
import {
  HASH_COMMAND,
  ftpContainerFiles,
  hashBuckets,
  hashInput,
  hashPassword,
  saltFor,
} from "../../../containerFiles";
import { FTP_CONTAINER_LAYOUT, type Spec } from "../../../spec";
import { resourceNamed, runMocked, type ProgramRun } from "../../support/program";
import { parseConfig, threeUserConfig, withValue } from "../../support/stacks";

// Pattern-valid stand-ins: the component copies PEM text, it does not parse it.
const CERT = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----";
const PASSWORDS = { editor: "editor-password-1", "team-a": "team-a-password-2", viewer: "viewer-password-3" };
const VOLUME = "media-volume";

type Port = { internal: number; external: number; ip: string; protocol: string };

/** threeUserConfig with FTPS offered: 0.0.0.0:21, passive 40000–40004, three users. */
const spec: Spec = parseConfig(
  withValue(
    withValue(withValue(threeUserConfig(), "ftp.tls", "enabled"), "ftp.tlsCertificate", CERT),
    "ftp.tlsKey",
    KEY,
  ),
  "prod",
).spec;

describe("FtpServer", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runMocked(async () => {
      const { FtpServer } = await import("../../../components/ftpServer");
      const server = new FtpServer("ftp", {
        spec,
        volumeName: VOLUME,
        passwords: PASSWORDS,
        tlsCertificate: CERT,
        tlsKey: KEY,
      });
      return { imageId: server.imageId };
    });
  });
  const container = () => resourceNamed(run, "ftp-container");

  const buckets = [...hashBuckets(Object.keys(PASSWORDS))];

  it("declares an image, a hash command per bucket of users under its PasswordHashes, and one container", () => {
    const parentOf = (name: string) => resourceNamed(run, name).options.parent.split("::").pop();
    // The three users fall in three buckets (hashBucket): one command each.
    expect(buckets).toHaveLength(3);
    expect(run.resources.map((r) => `${r.type} ${r.name} < ${parentOf(r.name)}`).sort()).toEqual([
      ...buckets.map(([bucket]) => `command:local:Command ftp-hashes-bucket-${bucket} < ftp-hashes`).sort(),
      "docker:index/container:Container ftp-container < ftp",
      "docker:index/image:Image ftp-image < ftp",
      "video-server:index:FtpServer ftp < ",
      "video-server:index:PasswordHashes ftp-hashes < ftp",
    ]);
  });

  it("publishes the control port and each passive port with the same number inside and out, on the bind address", () => {
    const passive = [40000, 40001, 40002, 40003, 40004];
    expect(container().inputs.ports as Port[]).toEqual([
      { internal: FTP_CONTAINER_LAYOUT.listenPort, external: 21, ip: "0.0.0.0", protocol: "tcp" },
      ...passive.map((p) => ({ internal: p, external: p, ip: "0.0.0.0", protocol: "tcp" })),
    ]);
  });

  it("mounts the media volume read-write at the media root", () => {
    expect(container().inputs.volumes).toEqual([
      { volumeName: VOLUME, containerPath: FTP_CONTAINER_LAYOUT.mediaRoot },
    ]);
  });

  it("uploads, as one secret, exactly the files ftpContainerFiles renders with its hash commands' hashes", () => {
    const ftpHashes = Object.fromEntries(
      Object.entries(PASSWORDS).map(([user, password]) => [
        user,
        hashPassword(password, saltFor(spec, "ftp", user)),
      ]),
    );
    expect(container().secretPaths).toEqual(["uploads"]);
    expect(container().inputs.uploads).toEqual(
      ftpContainerFiles(spec, FTP_CONTAINER_LAYOUT, { ftpHashes, tlsCertificate: CERT, tlsKey: KEY }),
    );
  });

  it("hashes each password once, in its bucket's local command fed salt and password as a secret on stdin", () => {
    for (const [bucket, users] of buckets) {
      const hash = resourceNamed(run, `ftp-hashes-bucket-${bucket}`);
      expect(hash.inputs).toMatchObject({
        create: HASH_COMMAND,
        stdin: hashInput(
          users.map((user) => saltFor(spec, "ftp", user)),
          users.map((user) => PASSWORDS[user as keyof typeof PASSWORDS]),
        ),
        logging: "none",
      });
      expect(hash.secretPaths).toEqual(["stdin"]);
    }
  });

  it("builds the vsftpd image with the media user's ids and runs the container on it", () => {
    const image = resourceNamed(run, "ftp-image");
    expect(image.inputs).toMatchObject({
      imageName: "video-server-vsftpd:prod",
      skipPush: true,
      build: {
        context: "./vsftpd",
        builderVersion: "BuilderV1",
        args: { MEDIA_UID: "2121", MEDIA_GID: "2121" },
      },
    });
    expect(container().inputs.image).toMatch(/^sha256:/);
    expect(run.outputs.imageId).toBe(container().inputs.image);
  });

  it("runs under docker-init, restarts unless stopped, waits until its 220 greeting answers", () => {
    const inputs = container().inputs;
    expect(inputs).toMatchObject({
      name: `${spec.name}-ftp`,
      init: true,
      restart: "unless-stopped",
      wait: true,
    });
    const tests = (inputs.healthcheck as { tests: string[] }).tests;
    expect(tests.slice(0, 3)).toEqual(["CMD", "bash", "-c"]);
    expect(tests[3]).toContain(`/dev/tcp/127.0.0.1/${FTP_CONTAINER_LAYOUT.listenPort}`);
    expect(tests[3]).toContain('[[ "$line" == 220* ]]');
  });

  it("replaces its container on any change, delete-first: the name and the host ports are fixed", () => {
    expect(container().options).toMatchObject({ deleteBeforeReplace: true, replaceOnChanges: ["*"] });
  });

  it("stops with SIGTERM and 30 s of grace, so the uploads in progress can finish", () => {
    expect(container().inputs).toMatchObject({
      stopSignal: "SIGTERM",
      stopTimeout: 30,
      destroyGraceSeconds: 30,
    });
  });

  it("keeps only the capabilities vsftpd needs, and no process may gain more", () => {
    expect(container().inputs).toMatchObject({
      capabilities: { drops: ["ALL"], adds: ["CHOWN", "FOWNER", "SETGID", "SETUID", "SYS_CHROOT"] },
      securityOpts: ["no-new-privileges"],
    });
  });

  it("limits its memory to 512 MiB by default, with a swap setting the provider reads back unchanged", () => {
    expect(container().inputs).toMatchObject({ memory: 512, memorySwap: -1 });
  });

  it("builds its image for the target's platform", () => {
    expect(resourceNamed(run, "ftp-image").inputs.build).toMatchObject({ platform: "linux/amd64" });
  });
});
