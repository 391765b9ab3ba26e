/**
 * The Engine API of an ssh:// host, reached as the docker provider reaches it: for every
 * connection the local `ssh` binary runs `docker system dial-stdio` on the server, and the API
 * travels over that process's stdin and stdout. The realizer points dockerode at a unix socket
 * here that does this per connection, so nothing takes a shortcut to the local engine.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface SshTarget {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

export interface DialedEngine {
  /** A local unix socket; each connection to it is one `ssh … docker system dial-stdio`. */
  readonly socketPath: string;
  /** What the ssh processes wrote to stderr, last lines first to read on a failure. */
  readonly stderr: () => string;
  /** How many ssh processes were started: one per API connection. */
  readonly dials: () => number;
  readonly close: () => Promise<void>;
}

/** The ssh command line the docker CLI's connection helper builds, with the provider's sshOpts first. */
export function dialStdioArgs(target: SshTarget, sshOpts: readonly string[]): string[] {
  return [
    ...sshOpts,
    "-l",
    target.user,
    "-p",
    String(target.port),
    "--",
    target.host,
    "docker",
    "system",
    "dial-stdio",
  ];
}

export async function dialStdio(target: SshTarget, sshOpts: readonly string[]): Promise<DialedEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-dial-"));
  const socketPath = path.join(dir, "docker.sock");
  const args = dialStdioArgs(target, sshOpts);
  let stderr = "";
  let dials = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((connection) => {
    dials += 1;
    open.add(connection);
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    child.stderr.on("data", (d: Buffer) => (stderr = `${stderr}${d.toString()}`.slice(-4000)));
    connection.pipe(child.stdin);
    child.stdout.pipe(connection);
    child.on("error", (e) => {
      stderr += `\nssh: ${e.message}`;
      connection.destroy();
    });
    child.on("exit", () => connection.end());
    connection.on("error", () => child.kill());
    connection.on("close", () => {
      open.delete(connection);
      child.kill();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    stderr: () => stderr,
    dials: () => dials,
    close: async () => {
      for (const c of open) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
