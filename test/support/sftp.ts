/**
 * The services tier's SFTP server: the host's sshd and the log relay with the files the SFTP
 * container gets (sftpContainerFiles), under the substitutions of layout.ts; and the clients the
 * tests log in with, OpenSSH's (keys) and ssh2 (passwords and keys). Only 127.0.0.1.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Client, type ConnectConfig, type SFTPWrapper } from "ssh2";
import { containerSecrets, sftpContainerFiles } from "../../containerFiles";
import { MEDIA_OWNER, type ParsedConfig, type SftpLayout } from "../../spec";
import { writeServerFiles } from "./files";
import { HOST } from "./ports";
import { findBinary } from "./prerequisites";
import { startServer, waitForPorts, type Server } from "./processes";
import { PROJECT_DIR } from "./project";
import { waitFor } from "./wait";

export const LOG_RELAY = path.join(PROJECT_DIR, "sftp", "log-relay.pl");
/** Where the run dirs of SFTP stacks go: root's and not writable by others, unlike /tmp. */
export const SFTP_RUN_BASE = "/run";
const TIMEOUT_MS = 30_000;

/** An Ed25519 pair in OpenSSH's formats, made by ssh-keygen (OpenSSH 9.2 reads no PKCS#8 key). */
export interface OpenSshKeyPair {
  /** `ssh-ed25519 AAAA… comment`. */
  readonly publicKey: string;
  readonly privateKey: string;
  /** The private key's file (0600), for `ssh -i`. */
  readonly privateKeyFile: string;
}

export function openSshKeyPair(dir: string, name: string): OpenSshKeyPair {
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file], { stdio: "pipe" });
  return {
    publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim(),
    privateKey: fs.readFileSync(file, "utf8"),
    privateKeyFile: file,
  };
}

/** A running sshd and log relay. */
export interface RunningSftp {
  readonly port: number;
  readonly layout: SftpLayout;
  /** The host key's public line (`ssh-ed25519 AAAA…`), and a known_hosts file holding it. */
  readonly hostPublicKey: string;
  readonly knownHostsFile: string;
  readonly servers: readonly Server[];
}

function getent(key: string): string[] | undefined {
  try {
    return execFileSync("getent", ["passwd", key], { encoding: "utf8", stdio: "pipe" }).trim().split(":");
  } catch {
    return undefined;
  }
}

/** A media-owner account whose home was in a run dir of this tier that is gone: a killed run's. */
function isStaleAccount(entry: readonly string[], runPrefix: string): boolean {
  const [, , uid, , , home] = entry;
  return uid === String(MEDIA_OWNER.uid) && home.startsWith(runPrefix) && !fs.existsSync(home);
}

function addAccounts(accountsFile: string, runPrefix: string, cleanup: (() => void | Promise<void>)[]): void {
  const lines = fs.readFileSync(accountsFile, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const [name, , uid, gid, , home, shell] = line.split(":");
    const existing = getent(name);
    if (existing && isStaleAccount(existing, runPrefix))
      execFileSync("userdel", ["-f", name], { stdio: "pipe" });
    else if (existing) {
      throw new Error(
        `the host already has an account '${name}' (${existing.join(":")}); SFTP test users need names of their own`,
      );
    }
    execFileSync("useradd", ["-o", "-u", uid, "-g", gid, "-M", "-d", home, "-s", shell, name], {
      stdio: "pipe",
    });
    cleanup.push(() => {
      execFileSync("userdel", ["-f", name], { stdio: "pipe" });
    });
  }
}

/** `[127.0.0.1]:<port> <type> <key>`, the line OpenSSH looks for. */
export function knownHostsLine(port: number, publicKey: string): string {
  return `[${HOST}]:${port} ${publicKey.split(" ").slice(0, 2).join(" ")}\n`;
}

/**
 * Writes the SFTP container's files for `parsed`, adds the accounts and starts the relay and
 * sshd. Every step that needs undoing pushes its undo onto `cleanup` before it returns.
 */
export async function startSftp(
  parsed: ParsedConfig,
  layout: SftpLayout,
  passwords: Readonly<Record<string, string>>,
  options: { readonly runDir: string; readonly runPrefix: string },
  cleanup: (() => void | Promise<void>)[],
): Promise<RunningSftp> {
  const { spec, secrets } = parsed;
  const sshd = findBinary("sshd");
  if (!sshd || !findBinary("sftp") || !findBinary("ssh-keygen")) {
    throw new Error(
      "SFTP stacks need the sshd, sftp and ssh-keygen binaries: apt-get install openssh-server openssh-client",
    );
  }
  const dir = path.dirname(layout.configFile);
  const hostKey =
    secrets.sftpHostKey ?? openSshKeyPair(path.join(options.runDir, "keys"), "host-key").privateKey;
  const { ftp } = containerSecrets(spec, { ...secrets, ftpPasswords: passwords });
  const files = sftpContainerFiles(spec, layout, { ftpHashes: ftp.ftpHashes, hostKey });
  cleanup.push(() => fs.rmSync(layout.pamServiceFile, { force: true }));
  writeServerFiles(files, { dirs: [options.runDir], files: [layout.pamServiceFile] });
  fs.mkdirSync(layout.authorizedKeysDir, { recursive: true, mode: 0o755 });
  addAccounts(layout.accountsFile, options.runPrefix, cleanup);
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const hostPublicKey = execFileSync("ssh-keygen", ["-y", "-f", layout.hostKeyFile], {
    encoding: "utf8",
  }).trim();
  const knownHostsFile = path.join(dir, "known_hosts");
  fs.writeFileSync(knownHostsFile, knownHostsLine(layout.listenPort, hostPublicKey));

  const relay = startServer("sftp-log-relay", "perl", [LOG_RELAY, layout.logSocketsFile, layout.logFile], []);
  cleanup.push(() => relay.stop());
  const sockets = fs
    .readFileSync(layout.logSocketsFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" ")[1]);
  await waitFor("the log relay's sockets", () => !relay.running() || sockets.every((s) => fs.existsSync(s)));
  if (!relay.running()) throw new Error(`the log relay exited\n${relay.describe()}`);

  // OpenSSH 9.2 names its PAM service after its program (layout.ts).
  const program = path.join(dir, layout.pamService);
  fs.symlinkSync(sshd, program);
  const server = startServer("sshd", program, ["-D", "-e", "-f", layout.configFile], [layout.logFile]);
  cleanup.push(() => server.stop());
  await waitForPorts(server, [layout.listenPort]);
  return { port: layout.listenPort, layout, hostPublicKey, knownHostsFile, servers: [relay, server] };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A free port in 20000–29999 outside `taken` (the run's block of findFreePorts). */
export async function freePortOutside(taken: { min: number; max: number }): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if ((port < taken.min || port > taken.max) && (await isFree(port))) return port;
  }
  throw new Error(`no free port on ${HOST} found for sshd`);
}

// ---- Clients ----------------------------------------------------------------------------------

export interface SftpEndpoint {
  readonly sftp?: RunningSftp;
}

function sftpOf(stack: SftpEndpoint): RunningSftp {
  if (stack.sftp === undefined) throw new Error("the stack was started without the sftp option");
  return stack.sftp;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client with `input` on stdin, killed after timeoutMs. */
export function run(
  command: string,
  args: readonly string[],
  input = "",
  timeoutMs = TIMEOUT_MS,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** OpenSSH client options: only this key, only this known_hosts, no config, agent or prompt. */
export function openSshOptions(stack: SftpEndpoint, keyFile: string, knownHostsFile?: string): string[] {
  const sftp = sftpOf(stack);
  const options = {
    BatchMode: "yes",
    StrictHostKeyChecking: "yes",
    UserKnownHostsFile: knownHostsFile ?? sftp.knownHostsFile,
    GlobalKnownHostsFile: "/dev/null",
    IdentitiesOnly: "yes",
    IdentityAgent: "none",
    ConnectTimeout: "10",
  };
  return [
    "-F",
    "/dev/null",
    "-i",
    keyFile,
    ...Object.entries(options).flatMap(([k, v]) => ["-o", `${k}=${v}`]),
  ];
}

/** `sftp -b -` with these batch commands as `user`, logged in with its key. */
export function sftpBatch(
  stack: SftpEndpoint,
  user: string,
  keyFile: string,
  commands: readonly string[],
  knownHostsFile?: string,
): Promise<CommandResult> {
  const args = [...openSshOptions(stack, keyFile, knownHostsFile), "-P", String(sftpOf(stack).port)];
  return run("sftp", [...args, "-b", "-", `${user}@${HOST}`], `${commands.join("\n")}\n`);
}

/** `ssh` as `user` with its key and extra arguments (a command, -N -L …). */
export function sshArgs(
  stack: SftpEndpoint,
  user: string,
  keyFile: string,
  extra: readonly string[],
): string[] {
  return [...openSshOptions(stack, keyFile), "-p", String(sftpOf(stack).port), ...extra, `${user}@${HOST}`];
}

export type SshAuth = { readonly password: string } | { readonly privateKey: string };

/** An ssh2 connection as `user`; `hostKeys` collects the host key blobs the server offers. */
export function sshConnect(
  stack: SftpEndpoint,
  user: string,
  auth: SshAuth,
  hostKeys: Buffer[] = [],
): Promise<Client> {
  return sshConnectTo(sftpOf(stack).port, user, auth, hostKeys);
}

/** An ssh2 connection to 127.0.0.1:`port` (a published port of the docker tier, say). */
export function sshConnectTo(
  port: number,
  user: string,
  auth: SshAuth,
  hostKeys: Buffer[] = [],
): Promise<Client> {
  const config: ConnectConfig = {
    host: HOST,
    port,
    username: user,
    ...auth,
    tryKeyboard: false,
    readyTimeout: TIMEOUT_MS,
    hostVerifier: (key: Buffer) => {
      hostKeys.push(key);
      return true;
    },
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect(config);
  });
}

/** Runs `fn` on an SFTP session of `user`, and closes the connection whatever happens. */
export async function withSftp<T>(
  stack: SftpEndpoint | number,
  user: string,
  auth: SshAuth,
  fn: (sftp: SFTPWrapper) => Promise<T>,
): Promise<T> {
  const client =
    typeof stack === "number" ? await sshConnectTo(stack, user, auth) : await sshConnect(stack, user, auth);
  try {
    const session = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) => (err ? reject(err) : resolve(s))),
    );
    return await fn(session);
  } finally {
    client.end();
  }
}

/** An SFTP request as a promise: `call((err, value) => …)`. */
export function sftpCall<T = void>(call: (cb: (err?: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** The SFTP status of a refused request (3: permission denied, 2: no such file), or "ok". */
export async function sftpStatus(operation: Promise<unknown>): Promise<number | "ok"> {
  try {
    await operation;
    return "ok";
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "number") return code;
    throw e;
  }
}

/** The lines the relay wrote, without their time stamp: `<root> internal-sftp[<pid>]: <message>`. */
export function sftpLogLines(stack: SftpEndpoint): string[] {
  const file = sftpOf(stack).layout.logFile;
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, ""));
}
