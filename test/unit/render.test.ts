/** `npm run render`: a stack file → the exact files its containers receive, secrets as placeholders. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { FTP_CONTAINER_LAYOUT, WEB_CONTAINER_LAYOUT, WORKER_CONTAINER_LAYOUT } from "../../spec";
import { parseSpec, type Spec } from "../../spec";
import { ftpContainerFiles, webContainerFiles, workerContainerFiles } from "../../containerFiles";
import { renderNginxConf } from "../../nginx/conf";
import { renderVsftpdConf } from "../../vsftpd/conf";
import { CONFIG_PLACEHOLDERS, SECRET_PLACEHOLDER, scrubSecrets } from "../../scripts/placeholders";
import { main, USAGE, type Io } from "../../scripts/render";
import { renderStack } from "../../scripts/renderStack";
import { PROJECT, PROJECT_DIR } from "../support/project";

const CERT =
  "-----BEGIN CERTIFICATE-----\nTUlJQmtUQ0NBVGVnQXdJQkFnSVVSZWFsQ2VydA==\n-----END CERTIFICATE-----\n";
const KEY =
  "-----BEGIN PRIVATE KEY-----\nTUlJRXZnSUJBREFOQmdrcWhraUc5dzBCUmVhbEtleQ==\n-----END PRIVATE KEY-----\n";
/** Secrets a careless stack file holds in clear: none may reach a rendered file. */
const CLEAR_SECRETS = {
  ftpPassword: "clear-ftp-password-1",
  httpPassword: "clear-http-password-2",
  secureLinkSecret: "clearSecureLinkSecret0123",
  sshKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nY2xlYXJTc2hLZXk=\n-----END OPENSSH PRIVATE KEY-----\n",
};
/** Ciphertexts as the Pulumi CLI writes them. */
const CIPHER = {
  password: "v1:cipherPassword0001",
  cert: "v1:cipherCert0002",
  key: "v1:cipherKey0003",
  ssh: "v1:cipherSsh0004",
};

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-test-"));
  tempDirs.push(dir);
  return dir;
}

/** A project folder with the real Pulumi.yaml and the given stack files. */
function project(stacks: Record<string, unknown>): string {
  const dir = tempDir();
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [stack, doc] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), typeof doc === "string" ? doc : stringify(doc));
  }
  return dir;
}

type Config = Record<string, Record<string, unknown>>;
function committedStack(stack: string): { config: Config } {
  return parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as { config: Config };
}

/** Pulumi.prod.yaml with its secrets set the way docs/deploy.md says: encrypted in the stack file. */
function prodWithEncryptedSecrets(): { config: Config } {
  const doc = committedStack("prod");
  const ftp = doc.config["video-server:ftp"] as { users: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;
  for (const user of ftp.users) user.password = { secure: CIPHER.password };
  ftp.tlsCertificate = { secure: CIPHER.cert };
  ftp.tlsKey = { secure: CIPHER.key };
  doc.config["video-server:sshPrivateKey"] = { secure: CIPHER.ssh } as unknown as Record<string, unknown>;
  return doc;
}

/** A stack using every secret, each in clear. */
function clearSecretsStack(): { config: Config } {
  return {
    config: {
      "video-server:media": { hostPath: "/srv/media" },
      "video-server:ftp": {
        passiveAddress: "203.0.113.10",
        tls: "enabled",
        tlsCertificate: CERT,
        tlsKey: KEY,
        users: [
          { name: "editor", password: CLEAR_SECRETS.ftpPassword },
          { name: "viewer", write: false },
        ],
      },
      "video-server:http": {
        serverName: "media.example.com",
        secureLinkSecret: CLEAR_SECRETS.secureLinkSecret,
        users: [{ name: "guest", password: CLEAR_SECRETS.httpPassword }],
        locations: [
          { path: "/videos/", directory: "videos", autoindex: true, secureLink: true },
          { path: "/private/", directory: "private", basicAuth: true },
        ],
      },
      "video-server:sshPrivateKey": CLEAR_SECRETS.sshKey as unknown as Record<string, unknown>,
    },
  };
}

/** Every file under `dir`, relative, sorted, with its mode and bytes. */
function snapshot(dir: string): { path: string; mode: string; content: string }[] {
  const out: { path: string; mode: string; content: string }[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else {
        const full = path.join(dir, child);
        out.push({
          path: child,
          mode: (fs.statSync(full).mode & 0o777).toString(8),
          content: fs.readFileSync(full, "utf8"),
        });
      }
    }
  };
  walk("");
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Runs the CLI in-process; returns its exit code and what it printed. */
function cli(argv: string[], projectDir = PROJECT_DIR): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = main(argv, io, projectDir);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The container files the renderers give for `spec`, as output paths: what must be on disk. */
function expectedPaths(spec: Spec, tls: boolean, secureLink: boolean): string[] {
  const ftp = ftpContainerFiles(spec, FTP_CONTAINER_LAYOUT, {
    ftpHashes: Object.fromEntries(spec.ftp.users.map((u) => [u.name, "x"])),
    tlsCertificate: tls ? "x" : undefined,
    tlsKey: tls ? "x" : undefined,
  });
  const httpHashes = Object.fromEntries(spec.http.users.map((u) => [u, "x"]));
  const web = webContainerFiles(spec, WEB_CONTAINER_LAYOUT, {
    httpHashes,
    secureLinkSecret: secureLink ? "x" : undefined,
  });
  const worker = workerContainerFiles(spec, WORKER_CONTAINER_LAYOUT, {
    webhookSecrets: (spec.processing?.webhooks ?? []).map(() => "x"),
  });
  return [
    ...ftp.map((f) => `ftp${f.file}`),
    ...web.map((f) => `web${f.file}`),
    ...worker.map((f) => `worker${f.file}`),
    "spec.json",
  ].sort();
}

describe("rendering the committed stacks", () => {
  test.each(["dev", "prod"])("writes every file the %s containers receive, and spec.json", (stack) => {
    const out = tempDir();
    const { code } = cli(["--stack", stack, "--out", out]);
    expect(code).toBe(0);
    const written = snapshot(out).map((f) => f.path);
    const spec = JSON.parse(fs.readFileSync(path.join(out, "spec.json"), "utf8")) as Spec;
    expect(written).toEqual(expectedPaths(spec, spec.ftp.tls !== "off", false));
    expect(written).toEqual(
      expect.arrayContaining([
        "ftp/etc/vsftpd.conf",
        "ftp/etc/pam.d/vsftpd-virtual",
        "ftp/etc/vsftpd/folders",
        "ftp/etc/vsftpd/passwd",
        "web/etc/nginx/nginx.conf",
        "worker/etc/video-server/worker.json",
        "spec.json",
      ]),
    );
  });

  it("writes one user file per FTP user of the dev stack", () => {
    const out = tempDir();
    cli(["--stack", "dev", "--out", out]);
    expect(
      snapshot(out)
        .filter((f) => f.path.startsWith("ftp/etc/vsftpd/users/"))
        .map((f) => f.path),
    ).toEqual(["ftp/etc/vsftpd/users/uploader"]);
  });

  it("writes the files with the permissions the containers give them", () => {
    const out = tempDir();
    cli(["--stack", "prod", "--out", out]);
    const modes = Object.fromEntries(snapshot(out).map((f) => [f.path, f.mode]));
    expect(modes["ftp/etc/vsftpd/passwd"]).toBe("600");
    expect(modes["ftp/etc/vsftpd.conf"]).toBe("644");
  });

  it("writes the renderers' text unchanged where no secret goes", () => {
    const { spec, files } = renderStack(PROJECT_DIR, "prod");
    const content = (file: string) => files.find((f) => f.path === file)?.content;
    expect(content("ftp/etc/vsftpd.conf")).toBe(renderVsftpdConf(spec.ftp, FTP_CONTAINER_LAYOUT));
    expect(content("web/etc/nginx/nginx.conf")).toBe(renderNginxConf(spec.http, WEB_CONTAINER_LAYOUT));
  });

  it("writes the derived Spec of the prod stack: the ssh target, sorted users and defaults", () => {
    const spec = renderStack(PROJECT_DIR, "prod").spec;
    expect(spec.target).toEqual({
      kind: "ssh",
      mode: "host",
      dockerHost: "ssh://deploy@media.example.com",
      sshOpts: ["-o", "StrictHostKeyChecking=accept-new"],
      platform: "linux/amd64",
      user: "deploy",
      host: "media.example.com",
      port: 22,
    });
    expect(spec.ftp.users.map((u) => u.name)).toEqual(["archive", "editor"]);
    expect(spec.ftp.tls).toBe("required");
    expect(spec.media.hostPath).toBe("/srv/video-server/media");
  });

  it("resolves the dev stack's relative media path against the repository", () => {
    expect(renderStack(PROJECT_DIR, "dev").spec.media.hostPath).toBe(`${PROJECT_DIR}/media`);
  });

  it("renders the committed prod stack, which has no TLS pair, with placeholders standing in for it", () => {
    const { source } = renderStack(PROJECT_DIR, "prod");
    expect(source.substitutions).toEqual([
      { path: "ftp.tlsCertificate", reason: "missing" },
      { path: "ftp.tlsKey", reason: "missing" },
    ]);
  });

  it("writes byte-identical files on two renders of the same stack", () => {
    for (const stack of ["dev", "prod"]) {
      const a = tempDir();
      const b = tempDir();
      cli(["--stack", stack, "--out", a]);
      cli(["--stack", stack, "--out", b]);
      expect(snapshot(b)).toEqual(snapshot(a));
    }
  });
});

describe("secrets in a render", () => {
  it("replaces the encrypted values of the prod stack and never writes a ciphertext", () => {
    const dir = project({ prod: prodWithEncryptedSecrets() });
    const rendered = renderStack(dir, "prod");
    expect(rendered.source.substitutions).toEqual([
      { path: "ftp.users[0].password", reason: "encrypted" },
      { path: "ftp.users[1].password", reason: "encrypted" },
      { path: "ftp.tlsCertificate", reason: "encrypted" },
      { path: "ftp.tlsKey", reason: "encrypted" },
    ]);
    expect(rendered.spec.ftp.users.every((u) => u.hasPassword)).toBe(true);
    const all = rendered.files.map((f) => f.content).join("\n");
    for (const cipher of Object.values(CIPHER)) expect(all).not.toContain(cipher);
  });

  it("writes a password file that names each user and holds no hash", () => {
    const dir = project({ prod: prodWithEncryptedSecrets() });
    const passwd = renderStack(dir, "prod").files.find((f) => f.path === "ftp/etc/vsftpd/passwd");
    expect(passwd?.content).toBe(`archive:${SECRET_PLACEHOLDER}\neditor:${SECRET_PLACEHOLDER}\n`);
  });

  it("writes no secret kept in clear in the stack file into any file, spec.json included", () => {
    const out = tempDir();
    const dir = project({ careless: clearSecretsStack() });
    expect(cli(["--stack", "careless", "--out", out], dir).code).toBe(0);
    const written = snapshot(out);
    const everything = written.map((f) => f.content).join("\n");
    for (const secret of [
      ...Object.values(CLEAR_SECRETS),
      CERT,
      KEY,
      CERT.split("\n")[1],
      KEY.split("\n")[1],
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain("$2b$");
    // Nothing had to be scrubbed: the renderers were never handed a secret.
    expect(renderStack(dir, "careless").scrubbed).toEqual([]);
    expect(written.find((f) => f.path === "ftp/etc/vsftpd/passwd")?.content).toBe(
      `editor:${SECRET_PLACEHOLDER}\nviewer:${SECRET_PLACEHOLDER}\n`,
    );
  });

  it("passes a placeholder wherever the program would pass a secret, so secret-dependent files still appear", () => {
    const dir = project({ careless: clearSecretsStack() });
    const rendered = renderStack(dir, "careless");
    expect(rendered.files.map((f) => f.path).sort()).toEqual(expectedPaths(rendered.spec, true, true));
  });

  it("fills in the secrets that validation requires and the stack file lacks", () => {
    const doc = clearSecretsStack();
    const ftp = doc.config["video-server:ftp"];
    delete ftp.tlsCertificate;
    delete ftp.tlsKey;
    delete (ftp.users as Record<string, unknown>[])[0].password;
    const http = doc.config["video-server:http"];
    delete http.secureLinkSecret;
    delete (http.users as Record<string, unknown>[])[0].password;
    const rendered = renderStack(project({ bare: doc }), "bare");
    expect(rendered.source.substitutions).toEqual([
      { path: "ftp.tlsCertificate", reason: "missing" },
      { path: "ftp.tlsKey", reason: "missing" },
      { path: "http.secureLinkSecret", reason: "missing" },
      { path: "http.users[0].password", reason: "missing" },
    ]);
    // An unset FTP password is not required: the program generates one.
    expect(rendered.spec.ftp.users.find((u) => u.name === "editor")?.hasPassword).toBe(false);
  });

  test.each(Object.entries(CONFIG_PLACEHOLDERS).filter(([k]) => k !== "other"))(
    "uses a %s placeholder that passes validation",
    (kind, value) => {
      const raw = {
        media: { hostPath: "/srv/media" },
        ftp: {
          passiveAddress: "203.0.113.10",
          tls: "required",
          tlsCertificate: kind === "tlsCertificate" ? value : CERT,
          tlsKey: kind === "tlsKey" ? value : KEY,
          users: [{ name: "editor", password: kind === "password" ? value : "a-password" }],
        },
        http: {
          secureLinkSecret: kind === "secureLinkSecret" ? value : CLEAR_SECRETS.secureLinkSecret,
          locations: [{ path: "/videos/", directory: "videos", autoindex: true, secureLink: true }],
        },
      };
      expect(() => parseSpec(raw, { project: PROJECT, stack: "t", projectDir: "/srv" })).not.toThrow();
    },
  );

  it("replaces every occurrence of a secret, the longer of two overlapping secrets first", () => {
    expect(scrubSecrets("a=hunter2hunter; b=hunter2hunter; c=hunter2", ["hunter2", "hunter2hunter"])).toBe(
      "a=[secret]; b=[secret]; c=[secret]",
    );
    expect(scrubSecrets("nothing here", ["hunter2"])).toBe("nothing here");
  });
});

describe("the render command line", () => {
  it("prints the usage and exits 2 on an unknown option or a missing argument", () => {
    for (const argv of [["--bogus"], ["--stack", "dev"], ["--out", "/tmp/x"], ["dev"]]) {
      const { code, err } = cli(argv);
      expect(code).toBe(2);
      expect(err).toContain(USAGE);
    }
  });

  it("names the stacks there are when the stack file does not exist, and exits 1", () => {
    const { code, err } = cli(["--stack", "staging", "--out", tempDir()]);
    expect(code).toBe(1);
    expect(err).toMatch(/no stack file .*Pulumi\.staging\.yaml; stacks here: .*dev.*prod/);
  });

  it("refuses a stack name that is not a plain file name", () => {
    const { code, err } = cli(["--stack", "../etc/passwd", "--out", tempDir()]);
    expect(code).toBe(1);
    expect(err).toContain("is not a stack name");
  });

  it("prints the config errors with their paths and exits 1, writing nothing", () => {
    const doc = committedStack("dev");
    (doc.config["video-server:ftp"] as Record<string, unknown>).port = 70000;
    (doc.config["video-server:http"] as Record<string, unknown>).port = 2121;
    const out = path.join(tempDir(), "out");
    const { code, err } = cli(["--stack", "broken", "--out", out], project({ broken: doc }));
    expect(code).toBe(1);
    expect(err).toContain("Invalid stack config for video-server (stack broken):");
    expect(err).toContain("  - ftp.port: must be 1–65535");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("reports a stack file that is not YAML", () => {
    const { code, err } = cli(
      ["--stack", "garbled", "--out", tempDir()],
      project({ garbled: "config: [unclosed\n" }),
    );
    expect(code).toBe(1);
    expect(err).toContain("not valid YAML");
  });

  it("asks for the secret fields when a whole config object is encrypted", () => {
    const doc = committedStack("dev");
    doc.config["video-server:ftp"] = { secure: "v1:wholeObject" };
    const { code, err } = cli(["--stack", "sealed", "--out", tempDir()], project({ sealed: doc }));
    expect(code).toBe(1);
    expect(err).toContain("video-server:ftp is encrypted as a whole");
  });

  it("replaces a previous render in the same folder, dropping files the stack no longer has", () => {
    const out = tempDir();
    cli(["--stack", "prod", "--out", out]);
    fs.writeFileSync(path.join(out, "ftp/etc/vsftpd/users/gone"), "stale\n");
    expect(cli(["--stack", "prod", "--out", out]).code).toBe(0);
    expect(fs.existsSync(path.join(out, "ftp/etc/vsftpd/users/gone"))).toBe(false);
  });

  it("refuses an output folder that holds anything but a render, and leaves it alone", () => {
    const out = tempDir();
    fs.writeFileSync(path.join(out, "notes.txt"), "mine\n");
    const { code, err } = cli(["--stack", "dev", "--out", out]);
    expect(code).toBe(1);
    expect(err).toContain("holds other files (notes.txt)");
    expect(fs.readdirSync(out)).toEqual(["notes.txt"]);
  });

  it("runs as the npm script does (ts-node --transpile-only scripts/render.ts)", async () => {
    const out = tempDir();
    const bin = path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node");
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        bin,
        ["--transpile-only", "scripts/render.ts", "--stack", "dev", "--out", out],
        { cwd: PROJECT_DIR, timeout: 4_500 },
        (error, so, se) => (error ? reject(new Error(`${error.message}\n${se}`)) : resolve(so)),
      );
    });
    expect(stdout).toContain(`Rendered stack dev`);
    expect(fs.existsSync(path.join(out, "web/etc/nginx/nginx.conf"))).toBe(true);
  });
});
