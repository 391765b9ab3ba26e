/**
 * A real OpenSSH server on 127.0.0.1 standing in for a remote Docker host: Debian's sshd with a
 * host key and a client key made here, root logging in by key only. Its shell runs the `docker`
 * CLI of this machine, so `ssh … docker system dial-stdio` reaches the local engine as it would
 * reach a server's.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFreePorts } from "../support/ports";

export interface SshServer {
  readonly port: number;
  /** `ssh-ed25519 AAAA…`: what target.sshHostKey is set to. */
  readonly hostKey: string;
  /** The client's private key file and its text (what sshPrivateKey holds). */
  readonly clientKeyFile: string;
  readonly clientKey: string;
  /** ssh arguments that trust only this server's key and use only the client key. */
  readonly sshOpts: string[];
  /** Public-key logins sshd accepted so far. */
  readonly acceptedLogins: () => number;
  readonly stop: () => Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

function keygen(file: string): string {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "video-server-test", "-f", file]);
  return fs.readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

export async function startSshServer(): Promise<SshServer> {
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install openssh-server`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-sshd-"));
  const { ftp: port } = await findFreePorts(0);
  const hostKey = keygen(path.join(dir, "host_ed25519"));
  const clientKeyFile = path.join(dir, "client_ed25519");
  const clientPublic = keygen(clientKeyFile);
  fs.writeFileSync(path.join(dir, "authorized_keys"), `${clientPublic}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
  const log = path.join(dir, "sshd.log");
  fs.writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The key files live in a temp folder, not in root's home.
      "StrictModes no",
      "AllowTcpForwarding no",
      "X11Forwarding no",
      "PermitTTY no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config"), "-E", log], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const readLog = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "");
  const deadline = Date.now() + 10_000;
  while (!/Server listening on 127\.0\.0\.1/.test(readLog())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`sshd did not start (exit ${child.exitCode}):\n${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    hostKey,
    clientKeyFile,
    clientKey: fs.readFileSync(clientKeyFile, "utf8"),
    sshOpts: [
      "-i",
      clientKeyFile,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${dir}/known_hosts`,
    ],
    acceptedLogins: () => (readLog().match(/Accepted publickey for root/g) ?? []).length,
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
