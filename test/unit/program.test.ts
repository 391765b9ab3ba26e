/**
 * The whole program under mocks, for three stacks and HTTPS: what VideoServer wires together (the graph,
 * the one docker provider of the target, the generated passwords, the stack outputs). What each
 * component declares is test/unit/components/.
 */
import { HASH_COMMAND, hashBucket, hashInput, saltFor } from "../../containerFiles";
import {
  PROJECT,
  PROJECT_DIR,
  resourceNamed,
  runProgram,
  type DeclaredResource,
  type ProgramRun,
  type StackConfig,
} from "../support/program";
import { stackFileConfig, threeUserConfig, withValue } from "../support/stacks";
import { PEM_CERTIFICATE, PEM_KEY } from "./everyField";

const PROVIDER_URN = /\$pulumi:providers:docker::video-server-docker::/;
const dockerResources = (run: ProgramRun): DeclaredResource[] =>
  run.resources.filter((r) => r.type.startsWith("docker:"));
const ofType = (run: ProgramRun, type: string): DeclaredResource[] =>
  run.resources.filter((r) => r.type === type);

/** Pulumi.prod.yaml plus the secrets its comments list (`pulumi config set --secret …`). */
function prodWithSecrets(): StackConfig {
  const prod = stackFileConfig("prod");
  const ftp = structuredClone(prod.ftp) as { users: Record<string, unknown>[] } & Record<string, unknown>;
  ftp.users.forEach((user, i) => (user.password = `configured-password-${i}`));
  return {
    ...prod,
    ftp: {
      ...ftp,
      tlsCertificate: "-----BEGIN CERTIFICATE-----\nY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
      tlsKey: "-----BEGIN PRIVATE KEY-----\ncHJpdmF0ZS1rZXk=\n-----END PRIVATE KEY-----\n",
    },
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nc3NoLWtleQ==\n-----END OPENSSH PRIVATE KEY-----\n",
  };
}

describe("the dev stack on the local Docker socket", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(stackFileConfig("dev"), { stack: "dev" });
  });

  it("declares the server, its docker provider, media store, password hashes, two servers and the media worker", () => {
    expect(run.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      `command:local:Command video-server-ftp-hashes-bucket-${hashBucket("uploader")}`,
      "command:local:Command video-server-store-dir",
      "docker:index/container:Container video-server-ftp-container",
      "docker:index/container:Container video-server-web-container",
      "docker:index/container:Container video-server-worker-container",
      "docker:index/image:Image video-server-ftp-image",
      "docker:index/image:Image video-server-web-image",
      "docker:index/image:Image video-server-worker-image",
      "docker:index/volume:Volume video-server-store-derived",
      "docker:index/volume:Volume video-server-store-ftp-log",
      "docker:index/volume:Volume video-server-store-media",
      "pulumi:providers:docker video-server-docker",
      "random:index/randomPassword:RandomPassword video-server-password-uploader",
      "video-server:index:FtpServer video-server-ftp",
      "video-server:index:MediaStore video-server-store",
      "video-server:index:MediaWorker video-server-worker",
      "video-server:index:PasswordHashes video-server-ftp-hashes",
      "video-server:index:PasswordHashes video-server-web-hashes",
      "video-server:index:VideoServer video-server",
      "video-server:index:WebServer video-server-web",
    ]);
  });

  it("parents the components, the provider and the generated password under the server", () => {
    const parentOf = (name: string) => resourceNamed(run, name).options.parent.split("::").pop();
    for (const child of [
      "video-server-store",
      "video-server-ftp",
      "video-server-web",
      "video-server-worker",
      "video-server-docker",
      "video-server-password-uploader",
    ]) {
      expect({ child, parent: parentOf(child) }).toEqual({ child, parent: "video-server" });
    }
    expect(resourceNamed(run, "video-server").options.parent).toBe("");
  });

  it("points the one docker provider at the local socket, without ssh options", () => {
    expect(ofType(run, "pulumi:providers:docker").map((p) => p.inputs)).toEqual([
      { host: "unix:///var/run/docker.sock", sshOpts: "[]" },
    ]);
  });

  it("mounts the media read-only in nginx only, and the worker's volumes where each belongs", () => {
    const name = (suffix: string) => resourceNamed(run, `video-server-store-${suffix}`).inputs.name;
    const mounts = (container: string) =>
      (
        resourceNamed(run, container).inputs.volumes as {
          volumeName: string;
          containerPath: string;
          readOnly?: boolean;
        }[]
      ).map((v) => `${v.volumeName} ${v.containerPath}${v.readOnly ? " ro" : ""}`);
    expect(mounts("video-server-ftp-container")).toEqual([
      `${name("media")} /srv/media`,
      `${name("ftp-log")} /var/log/vsftpd`,
    ]);
    expect(mounts("video-server-web-container")).toEqual([
      `${name("media")} /srv/media ro`,
      `${name("derived")} /srv/derived ro`,
    ]);
    expect(mounts("video-server-worker-container")).toEqual([
      `${name("media")} /srv/media`,
      `${name("derived")} /srv/derived`,
      `${name("ftp-log")} /var/log/vsftpd ro`,
    ]);
  });

  it("keeps the derived and log volumes on destroy, as the media", () => {
    for (const suffix of ["media", "derived", "ftp-log"]) {
      expect({
        suffix,
        retained: resourceNamed(run, `video-server-store-${suffix}`).options.retainOnDelete,
      }).toEqual({
        suffix,
        retained: true,
      });
    }
  });

  it("generates the password of the user without one, hashes it, and exports it as the one secret output", () => {
    const generated = resourceNamed(run, "video-server-password-uploader");
    expect(generated.inputs).toEqual({ length: 24, special: false });
    const password = (run.outputs.ftpPasswords as Record<string, string>).uploader;
    expect(resourceNamed(run, `video-server-ftp-hashes-bucket-${hashBucket("uploader")}`).inputs.stdin).toBe(
      hashInput([saltFor({ project: PROJECT, stack: "dev" }, "ftp", "uploader")], [password]),
    );
    expect(run.secretOutputs).toEqual(["ftpPasswords"]);
  });

  it("exports the URLs, the FTP endpoint and users, and the media folder", () => {
    expect(run.outputs).toMatchObject({
      httpUrl: "http://localhost:8080/",
      locationUrls: {
        "/images/": "http://localhost:8080/images/",
        "/videos/": "http://localhost:8080/videos/",
      },
      ftpEndpoint: {
        host: "127.0.0.1",
        port: 2121,
        passivePorts: "30000-30019",
        url: "ftp://127.0.0.1:2121/",
      },
      ftpUsers: ["uploader"],
      // Pulumi.dev.yaml's relative media path, resolved against the project folder.
      mediaHostPath: `${PROJECT_DIR}/media`,
    });
  });
});

describe("the prod stack on a remote Docker host over ssh", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(prodWithSecrets(), { stack: "prod", secretKeys: ["ftp", "sshPrivateKey"] });
  });

  it("points the one docker provider at the ssh:// host with the stack's ssh options", () => {
    expect(ofType(run, "pulumi:providers:docker").map((p) => p.inputs)).toEqual([
      {
        host: "ssh://deploy@media.example.com",
        sshOpts: JSON.stringify(["-o", "StrictHostKeyChecking=accept-new"]),
      },
    ]);
  });

  it("sends every docker resource through that provider, and the ssh command through the command provider", () => {
    expect(
      dockerResources(run)
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "docker:index/container:Container",
      "docker:index/container:Container",
      "docker:index/container:Container",
      "docker:index/image:Image",
      "docker:index/image:Image",
      "docker:index/image:Image",
      "docker:index/volume:Volume",
      "docker:index/volume:Volume",
      "docker:index/volume:Volume",
    ]);
    for (const r of dockerResources(run))
      expect({ name: r.name, provider: r.provider }).toEqual({
        name: r.name,
        provider: expect.stringMatching(PROVIDER_URN),
      });
    const dir = resourceNamed(run, "video-server-store-dir");
    expect(dir.type).toBe("command:remote:Command");
    expect(dir.provider ?? "").not.toMatch(PROVIDER_URN);
  });

  it("runs local commands only to hash passwords on the deploying machine, never on the host's disk", () => {
    const local = ofType(run, "command:local:Command");
    expect(local.length).toBeGreaterThan(0);
    for (const c of local) expect(c.inputs.create).toBe(HASH_COMMAND);
  });

  it("generates no password when every user has one configured", () => {
    expect(ofType(run, "random:index/randomPassword:RandomPassword")).toEqual([]);
    expect(run.outputs.ftpPasswords).toEqual({});
  });

  it("exports the host name's URL and the public FTP address with the 20 passive ports", () => {
    expect(run.outputs.httpUrl).toBe("http://media.example.com/");
    expect(run.outputs.ftpEndpoint).toMatchObject({
      host: "203.0.113.10",
      passivePorts: "30000-30019",
      url: "ftp://203.0.113.10/",
    });
  });
});

describe("a three-user stack bound to every address", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(threeUserConfig(), { stack: "prod", secretKeys: ["ftp"] });
  });

  it("generates a password only for the user without one", () => {
    expect(ofType(run, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toEqual([
      "video-server-password-viewer",
    ]);
    expect(Object.keys(run.outputs.ftpPasswords as object)).toEqual(["viewer"]);
  });

  it("hands clients the public passive address and the server name, not the bind address", () => {
    expect(run.outputs.httpUrl).toBe("http://media.example.com/");
    expect(run.outputs.ftpEndpoint).toMatchObject({ host: "ftp.example.com", url: "ftp://ftp.example.com/" });
  });
});

describe("a stack with HTTPS", () => {
  it.each([
    ["enabled", 443, "https://media.example.com/"],
    ["required", 8443, "https://media.example.com:8443/"],
  ])("with http.tls %s on port %d exports https URLs", async (mode, httpsPort, url) => {
    let config = withValue(threeUserConfig(), "http.tls", mode);
    config = withValue(config, "http.httpsPort", httpsPort);
    config = withValue(config, "http.tlsCertificate", PEM_CERTIFICATE);
    config = withValue(config, "http.tlsKey", PEM_KEY);
    const run = await runProgram(config, { stack: "prod", secretKeys: ["ftp", "http"] });
    expect(run.outputs.httpUrl).toBe(url);
    expect(run.outputs.locationUrls).toMatchObject({ "/videos/": `${url}videos/` });
  });

  it("replaces only the web container when the certificate is renewed", async () => {
    const withCertificate = (certificate: string) => {
      let config = withValue(threeUserConfig(), "http.tls", "required");
      config = withValue(config, "http.tlsCertificate", certificate);
      return withValue(config, "http.tlsKey", PEM_KEY);
    };
    const renewed = PEM_CERTIFICATE.replace("TUlJ", "UkVO");
    const before = await runProgram(withCertificate(PEM_CERTIFICATE), {
      stack: "prod",
      secretKeys: ["http"],
    });
    // One at a time: the mocks are the process's own.
    const after = await runProgram(withCertificate(renewed), { stack: "prod", secretKeys: ["http"] });
    const changed = before.resources
      .filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(resourceNamed(after, r.name).inputs))
      .map((r) => r.name);
    expect(changed).toEqual(["video-server-web-container"]);
  });
});
