/** The resource graph the program declares, under mocks. */
import { PROJECT_DIR, runProgram, type DeclaredResource, type ProgramRun } from "../support/program";
import { stackFileConfig, threeUserConfig, withValue } from "../support/stacks";

const byName = (run: ProgramRun, name: string): DeclaredResource => {
  const found = run.resources.find((r) => r.name === name);
  if (!found)
    throw new Error(`no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
  return found;
};
type Port = { internal: number; external: number; ip: string; protocol: string };
type Volume = { volumeName: string; containerPath: string; readOnly?: boolean };
type Upload = { file: string; content: string; permissions: string };

describe("the dev stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(stackFileConfig("dev"), { stack: "dev" });
  });

  it("declares the server, its host, media store, password hashes and two containers", () => {
    expect(run.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "command:local:Command video-server-ftp-hashes-uploader",
      "command:local:Command video-server-store-dir",
      "docker:index/container:Container video-server-ftp-container",
      "docker:index/container:Container video-server-web-container",
      "docker:index/image:Image video-server-ftp-image",
      "docker:index/image:Image video-server-web-image",
      "docker:index/volume:Volume video-server-store-media",
      "pulumi:providers:docker video-server-docker",
      "random:index/randomPassword:RandomPassword video-server-password-uploader",
      "video-server:index:FtpServer video-server-ftp",
      "video-server:index:MediaStore video-server-store",
      "video-server:index:PasswordHashes video-server-ftp-hashes",
      "video-server:index:PasswordHashes video-server-web-hashes",
      "video-server:index:VideoServer video-server",
      "video-server:index:WebServer video-server-web",
    ]);
  });

  it("parents every child under its component", () => {
    const parentOf = (name: string) => byName(run, name).options.parent.split("::").pop();
    expect(parentOf("video-server-store-dir")).toBe("video-server-store");
    expect(parentOf("video-server-store-media")).toBe("video-server-store");
    expect(parentOf("video-server-ftp-container")).toBe("video-server-ftp");
    expect(parentOf("video-server-ftp-image")).toBe("video-server-ftp");
    expect(parentOf("video-server-web-container")).toBe("video-server-web");
    for (const component of [
      "video-server-store",
      "video-server-ftp",
      "video-server-web",
      "video-server-docker",
    ]) {
      expect(parentOf(component)).toBe("video-server");
    }
  });

  it("sends every docker resource to the one docker provider of the target host", () => {
    const provider = byName(run, "video-server-docker");
    expect(provider.inputs.host).toBe("unix:///var/run/docker.sock");
    const dockerResources = run.resources.filter((r) => r.type.startsWith("docker:"));
    expect(dockerResources).toHaveLength(5);
    for (const r of dockerResources)
      expect(r.provider).toMatch(/\$pulumi:providers:docker::video-server-docker::/);
  });

  it("makes the media folder on the host and binds a volume to it", () => {
    const hostPath = `${PROJECT_DIR}/media`;
    expect(byName(run, "video-server-store-dir").inputs.create).toBe(`mkdir -p -- '${hostPath}'`);
    const volume = byName(run, "video-server-store-media");
    expect(volume.inputs).toMatchObject({
      driver: "local",
      driverOpts: { type: "none", o: "bind", device: hostPath },
    });
    expect(volume.inputs.name).toMatch(/^video-server-dev-media-[0-9a-f]{8}$/);
    expect(volume.options.dependsOn).toEqual([
      expect.stringMatching(/\$command:local:Command::video-server-store-dir$/),
    ]);
  });

  it("retains the media folder and volume when the stack is destroyed", () => {
    expect(byName(run, "video-server-store-dir").options.retainOnDelete).toBe(true);
    expect(byName(run, "video-server-store-media").options.retainOnDelete).toBe(true);
    expect(byName(run, "video-server-ftp-container").options.retainOnDelete).toBe(false);
  });

  it("replaces containers delete-first, since their names and ports are fixed", () => {
    for (const name of ["video-server-ftp-container", "video-server-web-container"]) {
      expect(byName(run, name).options.deleteBeforeReplace).toBe(true);
    }
  });

  it("publishes the FTP control port and each passive port on the bind address", () => {
    const ftp = byName(run, "video-server-ftp-container");
    const passive = Array.from({ length: 10 }, (_, i) => 30000 + i);
    expect(ftp.inputs.ports).toEqual([
      { internal: 21, external: 2121, ip: "127.0.0.1", protocol: "tcp" },
      ...passive.map((p) => ({ internal: p, external: p, ip: "127.0.0.1", protocol: "tcp" })),
    ]);
    expect(ftp.inputs.name).toBe("video-server-dev-ftp");
  });

  it("publishes nginx's port on the HTTP bind address", () => {
    expect(byName(run, "video-server-web-container").inputs.ports).toEqual([
      { internal: 80, external: 8080, ip: "127.0.0.1", protocol: "tcp" },
    ]);
  });

  it("mounts the media volume read-write in vsftpd and read-only in nginx", () => {
    const volumeName = byName(run, "video-server-store-media").inputs.name;
    expect(byName(run, "video-server-ftp-container").inputs.volumes).toEqual([
      { volumeName, containerPath: "/srv/media" },
    ]);
    expect(byName(run, "video-server-web-container").inputs.volumes).toEqual([
      { volumeName, containerPath: "/srv/media", readOnly: true },
    ]);
  });

  it("runs both containers under init with a restart policy, a healthcheck and waits for health", () => {
    for (const name of ["video-server-ftp-container", "video-server-web-container"]) {
      const inputs = byName(run, name).inputs;
      expect(inputs).toMatchObject({ init: true, restart: "unless-stopped", wait: true });
      expect((inputs.healthcheck as { tests: string[] }).tests.slice(0, 3)).toEqual(["CMD", "bash", "-c"]);
    }
  });

  it("runs each container on the image built for it", () => {
    expect(byName(run, "video-server-ftp-image").inputs).toMatchObject({
      imageName: "video-server-vsftpd:dev",
      skipPush: true,
      build: {
        context: "./vsftpd",
        builderVersion: "BuilderV1",
        args: { MEDIA_UID: "2121", MEDIA_GID: "2121" },
      },
    });
    expect(byName(run, "video-server-web-image").inputs).toMatchObject({
      imageName: "video-server-nginx:dev",
      build: { context: "./nginx", builderVersion: "BuilderV1" },
    });
    expect(byName(run, "video-server-ftp-container").inputs.image).toMatch(/^sha256:/);
  });

  it("hashes each FTP password once, in a local command fed the password as a secret on stdin", () => {
    const hash = byName(run, "video-server-ftp-hashes-uploader");
    expect(hash.inputs).toMatchObject({ logging: "none" });
    expect(hash.inputs.create).toMatch(/^node scripts\/bcrypt\.js '\$2b\$10\$[./A-Za-z0-9]{22}'$/);
    expect(hash.secretPaths).toEqual(["stdin"]);
    expect(hash.inputs.stdin).toBe(
      run.outputs.ftpPasswords && (run.outputs.ftpPasswords as Record<string, string>).uploader,
    );
    expect(hash.options.parent).toMatch(/::video-server-ftp-hashes$/);
  });

  it("uploads the rendered vsftpd files, the password file secret and root-only", () => {
    const ftp = byName(run, "video-server-ftp-container");
    expect(ftp.secretPaths).toContain("uploads");
    const uploads = ftp.inputs.uploads as Upload[];
    expect(uploads.map((u) => `${u.file} ${u.permissions}`)).toEqual([
      "/etc/vsftpd.conf 0644",
      "/etc/pam.d/vsftpd-virtual 0644",
      "/etc/vsftpd/folders 0644",
      "/etc/vsftpd/users/uploader 0644",
      "/etc/vsftpd/passwd 0600",
    ]);
    expect(uploads[4].content).toMatch(/^uploader:\$2b\$10\$[./A-Za-z0-9]{53}\n$/);
  });

  it("uploads nginx.conf with a location per configured path, and the gallery page", () => {
    const web = byName(run, "video-server-web-container");
    expect(web.secretPaths).toEqual([]);
    const uploads = web.inputs.uploads as Upload[];
    expect(uploads.map((u) => `${u.file} ${u.permissions}`)).toEqual([
      "/etc/nginx/nginx.conf 0644",
      "/etc/nginx/video-server/gallery.html 0644",
    ]);
    expect(uploads[1].content).toContain('"listing":"/-/listing/videos/"');
    const [conf] = uploads;
    expect(conf.file).toBe("/etc/nginx/nginx.conf");
    expect(conf.content).toContain(
      "location /videos/ {\n            alias /srv/media/videos/;\n            autoindex on;",
    );
    expect(conf.content).toContain(
      "location /images/ {\n            alias /srv/media/images/;\n            autoindex on;",
    );
  });

  it("exports the URLs, the FTP endpoint and users, and the generated password as a secret", () => {
    expect(run.outputs).toMatchObject({
      httpUrl: "http://localhost:8080/",
      locationUrls: {
        "/images/": "http://localhost:8080/images/",
        "/videos/": "http://localhost:8080/videos/",
      },
      ftpEndpoint: {
        host: "127.0.0.1",
        port: 2121,
        passivePorts: "30000-30009",
        url: "ftp://127.0.0.1:2121/",
      },
      ftpUsers: ["uploader"],
      ftpPasswords: { uploader: "generated-video-server-password-uploader-0123456789" },
    });
    expect(run.secretOutputs).toEqual(["ftpPasswords"]);
  });
});

describe("a three-user stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(threeUserConfig(), { stack: "prod", secretKeys: ["ftp"] });
  });

  it("generates a password only for the user without one", () => {
    const generated = run.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(generated.map((r) => r.name)).toEqual(["video-server-password-viewer"]);
    expect(generated[0].inputs).toEqual({ length: 24, special: false });
    expect(Object.keys(run.outputs.ftpPasswords as object)).toEqual(["viewer"]);
  });

  it("uploads a config file per user and one password line each", () => {
    const uploads = byName(run, "video-server-ftp-container").inputs.uploads as Upload[];
    expect(uploads.filter((u) => u.file.startsWith("/etc/vsftpd/users/")).map((u) => u.file)).toEqual([
      "/etc/vsftpd/users/editor",
      "/etc/vsftpd/users/team-a",
      "/etc/vsftpd/users/viewer",
    ]);
    const passwd = uploads.find((u) => u.file === "/etc/vsftpd/passwd");
    expect(passwd?.content.split("\n").map((l) => l.split(":")[0])).toEqual([
      "editor",
      "team-a",
      "viewer",
      "",
    ]);
  });

  it("publishes on every address and names the public passive address", () => {
    const ports = byName(run, "video-server-ftp-container").inputs.ports as Port[];
    expect(ports.map((p) => `${p.ip}:${p.external}->${p.internal}`)).toEqual([
      "0.0.0.0:21->21",
      "0.0.0.0:40000->40000",
      "0.0.0.0:40001->40001",
      "0.0.0.0:40002->40002",
      "0.0.0.0:40003->40003",
      "0.0.0.0:40004->40004",
    ]);
    expect(run.outputs.httpUrl).toBe("http://media.example.com/");
    expect(run.outputs.ftpEndpoint).toMatchObject({ host: "ftp.example.com", url: "ftp://ftp.example.com/" });
  });
});

describe("targets and images", () => {
  it("makes the media folder over ssh and points the provider at the ssh:// host for a remote target", async () => {
    let config = withValue(threeUserConfig(), "target.dockerHost", "ssh://deploy@media.example.com:2222");
    config = withValue(config, "target.sshOpts", ["-o", "StrictHostKeyChecking=accept-new"]);
    const run = await runProgram(
      { ...config, sshPrivateKey: "-----BEGIN KEY-----\nabc\n" },
      { secretKeys: ["sshPrivateKey"] },
    );
    const dir = byName(run, "video-server-store-dir");
    expect(dir.type).toBe("command:remote:Command");
    expect(dir.inputs).toMatchObject({
      connection: {
        host: "media.example.com",
        user: "deploy",
        port: 2222,
        privateKey: "-----BEGIN KEY-----\nabc\n",
      },
      create: "mkdir -p -- '/srv/video-server'",
    });
    expect(dir.secretPaths).toContain("connection");
    expect(byName(run, "video-server-docker").inputs).toMatchObject({
      host: "ssh://deploy@media.example.com:2222",
      sshOpts: JSON.stringify(["-o", "StrictHostKeyChecking=accept-new"]),
    });
  });

  it("pulls a configured image reference instead of building", async () => {
    const run = await runProgram(
      withValue(threeUserConfig(), "images.web", "registry.example.com/media/nginx:1.27"),
    );
    expect(
      run.resources.some((r) => r.name === "video-server-web-image" && r.type === "docker:index/image:Image"),
    ).toBe(false);
    expect(byName(run, "video-server-web-image")).toMatchObject({
      type: "docker:index/remoteImage:RemoteImage",
      inputs: { name: "registry.example.com/media/nginx:1.27", keepLocally: true },
    });
    const volumes = byName(run, "video-server-web-container").inputs.volumes as Volume[];
    expect(volumes[0].readOnly).toBe(true);
  });
});
