/**
 * `npm run render`: the exact files a stack's containers receive, from Pulumi.<stack>.yaml alone
 * (no Pulumi CLI, no passphrase), with every secret replaced by a placeholder.
 *
 * The stack file is read as the program reads its config (stackFile.ts) and validated by
 * parseSpec; the files come from the same ftpContainerFiles / webContainerFiles / workerContainerFiles calls as the
 * program's, with the containers' layouts. Only the secret inputs differ: placeholders (see
 * placeholders.ts) instead of hashes, keys and secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  EDGE_CONTAINER_LAYOUT,
  FTP_CONTAINER_LAYOUT,
  SFTP_CONTAINER_LAYOUT,
  WEB_CONTAINER_LAYOUT,
  WORKER_CONTAINER_LAYOUT,
  type ContainerFile,
} from "../spec";
import {
  edgeContainerFiles,
  ftpContainerFiles,
  sftpContainerFiles,
  webContainerFiles,
  workerContainerFiles,
} from "../containerFiles";
import { parseSpec, type ConfiguredSecrets, type Spec } from "../spec";
import { SECRET_PLACEHOLDER, scrubSecrets } from "./placeholders";
import { RenderError, readStack, type StackSource } from "./stackFile";

export { RenderError } from "./stackFile";

export interface RenderedFile {
  /** Relative to the output folder: `ftp/etc/vsftpd.conf`, `web/etc/nginx/nginx.conf`, `spec.json`. */
  readonly path: string;
  readonly content: string;
  /** Octal mode the container gets (0644 for spec.json). */
  readonly permissions: string;
}

export interface Rendered {
  readonly source: StackSource;
  readonly spec: Spec;
  /** ftp/… then web/… in the renderers' order, then spec.json. */
  readonly files: readonly RenderedFile[];
  /** Files in which a configured secret value turned up and was replaced. */
  readonly scrubbed: readonly string[];
}

/** Every secret value the parsed config holds: placeholders, or secrets kept in clear. */
function secretValues(secrets: ConfiguredSecrets, extra: readonly string[]): string[] {
  return [
    ...Object.values(secrets.ftpPasswords),
    ...Object.values(secrets.httpPasswords),
    secrets.secureLinkSecret,
    secrets.ftpTlsCertificate,
    secrets.ftpTlsKey,
    secrets.httpTlsCertificate,
    secrets.httpTlsKey,
    ...secrets.webhookSecrets,
    secrets.sftpHostKey,
    secrets.registryPassword,
    ...extra,
  ].filter((s): s is string => s !== undefined);
}

/** A placeholder hash per user: the password file shows which users it holds, not their hashes. */
const placeholderHashes = (users: readonly string[]): Record<string, string> =>
  Object.fromEntries(users.map((name) => [name, SECRET_PLACEHOLDER]));

/** A secret file's whole content: says which secret it is. */
const placeholderFile = (configPath: string) => `${SECRET_PLACEHOLDER} ${configPath}\n`;

/** Container path → path under the output folder; refuses anything that could leave it. */
type Role = "ftp" | "web" | "worker" | "sftp" | "edge";

function outputPath(role: Role, file: string): string {
  if (!path.posix.isAbsolute(file) || path.posix.normalize(file) !== file || file.endsWith("/")) {
    throw new RenderError(`refusing to write ${role} file '${file}': not a plain absolute path`);
  }
  return `${role}${file}`;
}

/** The files of a stack, secrets as placeholders. Pure but for reading the stack file. */
export function renderStack(projectDir: string, stackName: string): Rendered {
  const source = readStack(projectDir, stackName);
  const { spec, secrets } = parseSpec(source.config, {
    project: source.project,
    stack: source.stack,
    projectDir,
  });
  // The same calls as FtpServer and WebServer make, with placeholders where they pass secrets:
  // present exactly when the program would pass the real one.
  const ftp = ftpContainerFiles(spec, FTP_CONTAINER_LAYOUT, {
    ftpHashes: placeholderHashes(spec.ftp.users.map((u) => u.name)),
    tlsCertificate: secrets.ftpTlsCertificate && placeholderFile("ftp.tlsCertificate"),
    tlsKey: secrets.ftpTlsKey && placeholderFile("ftp.tlsKey"),
  });
  const web = webContainerFiles(spec, WEB_CONTAINER_LAYOUT, {
    httpHashes: placeholderHashes(spec.http.users),
    secureLinkSecret: secrets.secureLinkSecret === undefined ? undefined : SECRET_PLACEHOLDER,
    tlsCertificate: secrets.httpTlsCertificate && placeholderFile("http.tlsCertificate"),
    tlsKey: secrets.httpTlsKey && placeholderFile("http.tlsKey"),
  });
  const worker = workerContainerFiles(spec, WORKER_CONTAINER_LAYOUT, {
    webhookSecrets: secrets.webhookSecrets.map(() => SECRET_PLACEHOLDER),
  });
  const sftp =
    spec.sftp === undefined
      ? []
      : sftpContainerFiles(spec, SFTP_CONTAINER_LAYOUT, {
          ftpHashes: placeholderHashes(spec.ftp.users.map((u) => u.name)),
          hostKey: placeholderFile(
            secrets.sftpHostKey === undefined ? "sftp host key (generated)" : "sftp.hostKey",
          ),
        });
  // Swarm mode: the edge caches' files, with the same placeholders as the web server's.
  const edge =
    spec.edge === undefined
      ? []
      : edgeContainerFiles(spec, spec.edge, EDGE_CONTAINER_LAYOUT, {
          httpHashes: placeholderHashes(spec.http.users),
          secureLinkSecret: secrets.secureLinkSecret === undefined ? undefined : SECRET_PLACEHOLDER,
          tlsCertificate: secrets.httpTlsCertificate && placeholderFile("http.tlsCertificate"),
          tlsKey: secrets.httpTlsKey && placeholderFile("http.tlsKey"),
        });
  const under = (role: Role) => (f: ContainerFile) => ({
    path: outputPath(role, f.file),
    content: f.content,
    permissions: f.permissions,
  });
  const all: RenderedFile[] = [
    ...ftp.map(under("ftp")),
    ...web.map(under("web")),
    ...worker.map(under("worker")),
    ...sftp.map(under("sftp")),
    ...edge.map(under("edge")),
    { path: "spec.json", content: `${JSON.stringify(spec, null, 2)}\n`, permissions: "0644" },
  ];
  // A belt to the braces above: a configured secret that turns up anyway (a renderer that embeds
  // a value it was not handed as a secret, or a password equal to some config text) is replaced.
  const known = secretValues(secrets, source.clearSecrets);
  const scrubbed: string[] = [];
  const files = all.map((f) => {
    const content = scrubSecrets(f.content, known);
    if (content !== f.content) scrubbed.push(f.path);
    return { ...f, content };
  });
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new RenderError(`two files would be written to ${f.path}`);
    seen.add(f.path);
  }
  return { source, spec, files, scrubbed };
}

/** Entries of the output folder a render owns; anything else there stops it. */
const OWNED = ["ftp", "sftp", "spec.json", "web", "worker"];

/**
 * Writes the files under `outDir`, replacing a previous render there. A folder holding anything
 * else is refused, so a mistyped --out never deletes someone's files.
 */
export function writeRendered(outDir: string, rendered: Rendered): void {
  if (fs.existsSync(outDir)) {
    if (!fs.statSync(outDir).isDirectory()) throw new RenderError(`--out: ${outDir} is not a folder`);
    const foreign = fs.readdirSync(outDir).filter((e) => !OWNED.includes(e));
    if (foreign.length > 0) {
      throw new RenderError(
        `--out: ${outDir} holds other files (${foreign.sort().join(", ")}); use an empty or new folder`,
      );
    }
    for (const entry of OWNED) fs.rmSync(path.join(outDir, entry), { recursive: true, force: true });
  }
  for (const file of rendered.files) {
    const target = path.join(outDir, ...file.path.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    fs.chmodSync(target, parseInt(file.permissions, 8));
  }
}
