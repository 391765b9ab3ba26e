/**
 * Starts real vsftpd and nginx on 127.0.0.1 with the project's renderers' output for a stack
 * config, the way the containers run them, with only the substitutions of layout.ts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FtpLayout, WebLayout, WorkerLayout } from "../../spec";
import { parseSpec, type Spec } from "../../spec";
import { ftpPasswords, serverFiles, writeServerFiles } from "./files";
import { prepareFolders } from "./folders";
import type { Endpoint } from "./ftp";
import {
  hostDirs,
  hostFtpLayout,
  hostSftpLayout,
  hostWebLayout,
  hostWorkerLayout,
  withHostValues,
  type HostDirs,
  type HostPorts,
} from "./layout";
import { findFreePorts } from "./ports";
import { ensureGuestUser, findBinary, requirePrerequisites } from "./prerequisites";
import { startServer, waitForPorts, type Server } from "./processes";
import { PROJECT, PROJECT_DIR, type StackConfig } from "./project";
import { freePortOutside, SFTP_RUN_BASE, startSftp, type RunningSftp } from "./sftp";
import { startWorker } from "./worker";

/** Names of a run's temp dir and PAM service start with these and the jest worker's pid. */
export const TEMP_PREFIX = "video-server-services-";
export const PAM_PREFIX = "video-server-test-";

/** A running vsftpd + nginx pair; as an Endpoint it works with the clients of ftp.ts and http.ts. */
export interface RunningStack extends Endpoint {
  readonly spec: Spec;
  /** Every user's password: the configured one, or a fixed test one where the program would generate it. */
  readonly passwords: Readonly<Record<string, string>>;
  readonly ports: HostPorts;
  /** nginx's HTTPS port; it answers only when the stack turns http.tls on. */
  readonly httpsPort: number;
  readonly dirs: HostDirs;
  readonly ftpLayout: FtpLayout;
  readonly webLayout: WebLayout;
  readonly workerLayout: WorkerLayout;
  /** The media worker, when started with the `worker` option. */
  readonly worker?: Server;
  /** sshd and its log relay, when started with the `sftp` option. */
  readonly sftp?: RunningSftp;
  /** Starts the media worker again after it stopped (it resumes from its state). */
  restartWorker(): Promise<Server>;
  describe(): string;
  /** Stops both servers, removes the PAM service file and the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Size of the passive range (default 10): one port per concurrent transfer. */
  readonly passivePorts?: number;
  /** Run the media worker too (the stack's processing must be on). */
  readonly worker?: boolean;
  /** Run sshd too (the stack's sftp must be on); adds host accounts for its users (layout.ts). */
  readonly sftp?: boolean;
}

export async function startStack(
  stackName: string,
  stack: StackConfig,
  options: StartOptions = {},
): Promise<RunningStack> {
  requirePrerequisites();
  ensureGuestUser();
  // sshd chroots only below directories that are root's and not writable by others (layout.ts).
  const runPrefix = path.join(options.sftp ? SFTP_RUN_BASE : os.tmpdir(), TEMP_PREFIX);
  const root = fs.mkdtempSync(`${runPrefix}${process.pid}-`);
  const cleanup: (() => void | Promise<void>)[] = [() => fs.rmSync(root, { recursive: true, force: true })];
  const servers: Server[] = [];
  const stop = stopOnce(stackName, cleanup);
  const describe = () => servers.map((s) => s.describe()).join("\n\n");

  try {
    // mkdtemp makes 0700; nginx's workers (nobody) and vsftpd's guest user must pass through.
    fs.chmodSync(root, 0o755);
    const dirs = hostDirs(root);
    for (const d of [dirs.media, dirs.vsftpd, dirs.nginx, dirs.derived, dirs.worker, dirs.sftp])
      fs.mkdirSync(d, { mode: 0o755 });
    const ports = await findFreePorts(options.passivePorts);
    const sftpPort = options.sftp
      ? await freePortOutside({ min: ports.ftp, max: ports.passiveMax })
      : undefined;
    const pamService = `${PAM_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`;
    const ftpLayout = hostFtpLayout(dirs, ports, pamService);
    const webLayout = hostWebLayout(dirs, ports);
    const workerLayout = hostWorkerLayout(dirs, ports, ftpLayout);
    // layout.ts fills in the ports and the media path.
    const ctx = { project: PROJECT, stack: stackName, projectDir: PROJECT_DIR };
    const parsed = parseSpec(withHostValues(stack, ports, dirs, sftpPort), ctx);
    const { spec, secrets: configured } = parsed;
    const passwords = ftpPasswords(parsed);
    const files = serverFiles(parsed, ftpLayout, webLayout, workerLayout);

    cleanup.push(() => fs.rmSync(ftpLayout.pamServiceFile, { force: true }));
    writeServerFiles([...files.ftp, ...files.web, ...files.worker], {
      dirs: [root],
      files: [ftpLayout.pamServiceFile],
    });
    // Folders the images make (vsftpd/Dockerfile; nginx makes the ones inside its temp prefix).
    for (const d of [ftpLayout.secureChrootDir, webLayout.tempPrefix])
      fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    prepareFolders(ftpLayout);
    let sftp: RunningSftp | undefined;
    if (sftpPort !== undefined) {
      if (spec.sftp === undefined) throw new Error(`${stackName}: the sftp option needs sftp.enabled`);
      const sftpLayout = hostSftpLayout(dirs, sftpPort, `${pamService}-sftp`);
      sftp = await startSftp(parsed, sftpLayout, passwords, { runDir: root, runPrefix }, cleanup);
      servers.push(...sftp.servers);
    }

    const vsftpd = startServer(
      "vsftpd",
      findBinary("vsftpd") ?? "vsftpd",
      [ftpLayout.configFile],
      [ftpLayout.logFile],
    );
    servers.push(vsftpd);
    cleanup.push(() => vsftpd.stop());
    const nginxArgs = ["-c", webLayout.configFile, "-g", "daemon off;"];
    const nginx = startServer("nginx", findBinary("nginx") ?? "nginx", nginxArgs, [webLayout.errorLog]);
    servers.push(nginx);
    cleanup.push(() => nginx.stop());
    await waitForPorts(vsftpd, [ports.ftp]);
    await waitForPorts(nginx, [
      ports.http,
      ports.status,
      ...(spec.http.tls.mode === "off" ? [] : [ports.https]),
    ]);

    let worker: Server | undefined;
    const restartWorker = async () => {
      if (worker?.running()) throw new Error("the media worker still runs");
      const started = startWorker(workerLayout.settingsFile);
      servers.push(started);
      cleanup.push(() => started.stop());
      await waitForPorts(started, [ports.metrics]);
      worker = started;
      return started;
    };
    if (options.worker) {
      if (spec.processing === undefined) throw new Error(`${stackName}: the worker needs processing on`);
      await restartWorker();
    }

    // Clients log in over TLS when the stack offers it, trusting the configured certificate.
    const ftpsCertificate = spec.ftp.tls === "off" ? undefined : configured.ftpTlsCertificate;
    return {
      ftpPort: ports.ftp,
      httpPort: ports.http,
      httpsPort: ports.https,
      ftpsCertificate,
      spec,
      passwords,
      ports,
      dirs,
      ftpLayout,
      webLayout,
      workerLayout,
      get worker() {
        return worker;
      },
      sftp,
      restartWorker,
      describe,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/**
 * `nginx -t` on a config file: whether nginx accepts it, and what it said. Output goes to a file,
 * not a pipe: the container config logs to /dev/stderr, which nginx cannot open when fd 2 is
 * the socket pair Node gives child processes (ENXIO), but can when it is a file, as under Docker.
 */
export async function nginxTest(configFile: string): Promise<{ ok: boolean; output: string }> {
  const outFile = `${configFile}.nginx-t.out`;
  const fd = fs.openSync(outFile, "w", 0o644);
  try {
    const args = ["-t", "-c", configFile, "-e", "stderr"];
    const child = spawn(findBinary("nginx") ?? "nginx", args, { stdio: ["ignore", fd, fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("error", reject);
      child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { ok: code === 0, output: fs.readFileSync(outFile, "utf8") };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(outFile, { force: true });
  }
}

/**
 * Runs the cleanup steps newest first, once however often it is called, every step even when
 * one fails; then fails naming each error.
 */
export function stopOnce(stackName: string, cleanup: (() => void | Promise<void>)[]): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= (async () => {
      const errors: unknown[] = [];
      for (const step of cleanup.reverse())
        await Promise.resolve()
          .then(step)
          .catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new Error(`stopping ${stackName}: ${errors.map(String).join("; ")}`);
    })());
}
