/**
 * The FTP servers bench/ftpPeers.ts compares, each a host process on 127.0.0.1 with one virtual
 * user (the bench stack's uploader and password) writing into a folder of its own, passive mode
 * on 20 ports, no TLS, no rate limits, and each in a cpuacct cgroup of its own: the forked
 * session processes join their master's cgroup, so its counter holds their CPU after they exit.
 * - vsftpd: the program's rendered file, via the services tier's startStack;
 * - pure-ftpd and proftpd: Debian's binaries unpacked into PEERS_ROOT (both packages conflict
 *   with vsftpd's, so they cannot be installed beside it; see bench/README.md).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { childrenOf, pinToCore, SERVER_CORE, type CpuGroup } from "./cpu";
import { BENCH_STACK, FTP_USER } from "./env";
import { passwordHashOf, type ServerName } from "./ftpPeersReport";
import type { FtpTarget } from "./transfers";
import { MEDIA_OWNER } from "../spec/layout";
import { findFreePorts, HOST, type FreePorts } from "../test/support/ports";
import { processesMentioning, startServer, waitForPorts, type Server } from "../test/support/processes";
import { startStack } from "../test/support/servers";

export const PEERS_ROOT = process.env.FTP_PEERS_ROOT ?? "/var/cache/video-server/ftp-peers/root";
const PURE_FTPD = path.join(PEERS_ROOT, "usr/sbin/pure-ftpd");
const PURE_PW = path.join(PEERS_ROOT, "usr/bin/pure-pw");
const PROFTPD = path.join(PEERS_ROOT, "usr/sbin/proftpd");
const PROFTPD_CONF = path.join(__dirname, "peers", "proftpd.conf");
/** As many passive ports as the program's default range (bench/env.ts says why 20). */
export const PASSIVE_PORTS = 20;

export interface FtpServer {
  readonly name: ServerName;
  readonly target: FtpTarget;
  /** The folder the user's uploads land in, and the FTP path that names it. */
  readonly uploadDir: string;
  readonly remoteDir: string;
  /** The listener: sessions are its children (vsftpd's and pure-ftpd's have one more each). */
  readonly master: number;
  readonly ports: FreePorts;
  readonly cpu: CpuGroup;
  /** The user's bcrypt hash as vsftpd has it, which the peers are given too. */
  readonly passwordHash: string;
  running(): boolean;
  describe(): string;
  stop(): Promise<void>;
}

export function missingPeers(): string[] {
  return [PURE_FTPD, PURE_PW, PROFTPD].filter((f) => !fs.existsSync(f));
}

/** Versions of the unpacked peers, from the .deb files beside PEERS_ROOT. */
export function peerVersions(): Record<string, string> {
  const dir = path.dirname(PEERS_ROOT);
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".deb"))
      .map((f) => /^([^_]+)_([^_]+)_/.exec(f))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

/** A folder the guest user owns, as vsftpd's uploads are: the peers write as the same uid. */
function uploadFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chownSync(dir, MEDIA_OWNER.uid, MEDIA_OWNER.gid);
  return dir;
}

function asFtpServer(
  name: ServerName,
  server: Server,
  ports: FreePorts,
  login: { readonly password: string; readonly hash: string },
  uploadDir: string,
  remoteDir: string,
  cpu: CpuGroup,
): FtpServer {
  cpu.add(server.pid);
  return {
    name,
    target: { port: ports.ftp, user: FTP_USER, password: login.password },
    uploadDir,
    remoteDir,
    master: server.pid,
    ports,
    cpu,
    passwordHash: login.hash,
    running: server.running,
    describe: server.describe,
    stop: server.stop,
  };
}

/** The program's rendered vsftpd (and its nginx, idle here), as `npm run bench` runs it. */
export async function startOurs(cpu: CpuGroup): Promise<FtpServer> {
  const stack = await startStack("bench-ftp-peers", BENCH_STACK, { passivePorts: PASSIVE_PORTS });
  try {
    const [master] = processesMentioning(stack.ftpLayout.configFile);
    const nginx = processesMentioning(stack.webLayout.configFile);
    if (master === undefined) throw new Error(`vsftpd is not running\n${stack.describe()}`);
    // startStack ran them from this process, on the client core.
    for (const pid of [master, ...nginx]) pinToCore([pid, ...childrenOf(pid)], SERVER_CORE);
    const server: Server = {
      name: "vsftpd",
      pid: master,
      running: () => fs.existsSync(`/proc/${master}`),
      describe: stack.describe,
      stop: stack.stop,
    };
    const uploadDir = path.join(stack.dirs.media, "videos");
    if (!fs.existsSync(uploadDir)) throw new Error(`${uploadDir} is missing: the stack makes it`);
    const hash = passwordHashOf(fs.readFileSync(stack.ftpLayout.passwordFile, "utf8"), FTP_USER);
    const login = { password: stack.passwords[FTP_USER], hash };
    return asFtpServer("vsftpd", server, stack.ports, login, uploadDir, "/videos/", cpu);
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/**
 * pure-ftpd 1.0.50 with a PureDB of one virtual user, vsftpd's bcrypt hash (crypt(3) checks it;
 * pure-pw's own default, argon2id, cost ~3.5 s of CPU per login here): -A chroot
 * everyone, -E no anonymous, -H no DNS, -f none no syslog, -U 133:022 the uploads 0644, -u 1
 * uid 2121 allowed, -Y 0 no TLS, -c/-C 50 clients in all and per address.
 */
export async function startPureFtpd(
  dir: string,
  login: { readonly password: string; readonly hash: string },
  cpu: CpuGroup,
): Promise<FtpServer> {
  const ports = await findFreePorts(PASSIVE_PORTS);
  const uploadDir = uploadFolder(path.join(dir, "uploads"));
  const pdb = path.join(dir, "pureftpd.pdb");
  const passwd = path.join(dir, "pureftpd.passwd");
  // pure-pw's line format (user:hash:uid:gid:gecos:home/./ and 12 empty limits), then its PureDB.
  const { uid, gid } = MEDIA_OWNER;
  const line = [FTP_USER, login.hash, uid, gid, "", `${uploadDir}/./`, ...Array<string>(12).fill("")];
  fs.writeFileSync(passwd, `${line.join(":")}\n`, { mode: 0o600 });
  execFileSync(PURE_PW, ["mkdb", pdb, "-f", passwd], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 30_000,
  });
  const args = [
    ...["-S", `${HOST},${ports.ftp}`, "-p", `${ports.passiveMin}:${ports.passiveMax}`],
    ...["-l", `puredb:${pdb}`, "-E", "-A", "-H", "-f", "none", "-U", "133:022", "-u", "1", "-Y", "0"],
    ...["-c", "50", "-C", "50"],
  ];
  const server = startServer("pure-ftpd", PURE_FTPD, args, []);
  return listening(server, () => asFtpServer("pure_ftpd", server, ports, login, uploadDir, "/", cpu), ports);
}

/** proftpd 1.3.8 with bench/peers/proftpd.conf and an AuthUserFile holding vsftpd's bcrypt hash. */
export async function startProftpd(
  dir: string,
  login: { readonly password: string; readonly hash: string },
  cpu: CpuGroup,
): Promise<FtpServer> {
  const ports = await findFreePorts(PASSIVE_PORTS);
  const uploadDir = uploadFolder(path.join(dir, "uploads"));
  const passwdFile = path.join(dir, "ftpd.passwd");
  const { uid, gid } = MEDIA_OWNER;
  fs.writeFileSync(passwdFile, `${FTP_USER}:${login.hash}:${uid}:${gid}::${uploadDir}:/usr/sbin/nologin\n`, {
    mode: 0o600,
  });
  const values: Record<string, string> = {
    PORT: String(ports.ftp),
    PASSIVE_MIN: String(ports.passiveMin),
    PASSIVE_MAX: String(ports.passiveMax),
    PASSWD_FILE: passwdFile,
    DIR: dir,
  };
  const conf = path.join(dir, "proftpd.conf");
  const text = fs.readFileSync(PROFTPD_CONF, "utf8").replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`${PROFTPD_CONF}: no value for {{${k}}}`);
    return values[k];
  });
  fs.writeFileSync(conf, text, { mode: 0o644 });
  const server = startServer("proftpd", PROFTPD, ["-n", "-q", "-c", conf], [path.join(dir, "proftpd.log")]);
  return listening(server, () => asFtpServer("proftpd", server, ports, login, uploadDir, "/", cpu), ports);
}

/** Once a peer answers on its control port: pinned to the servers' core, or stopped on failure. */
async function listening(
  server: Server,
  ready: () => FtpServer | Promise<FtpServer>,
  ports: FreePorts,
): Promise<FtpServer> {
  try {
    await waitForPorts(server, [ports.ftp]);
    pinToCore([server.pid], SERVER_CORE);
    return await ready();
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Whether two servers' port blocks (control … last passive port) share a port. */
export function portsOverlap(a: FreePorts, b: FreePorts): boolean {
  return a.ftp <= b.passiveMax && b.ftp <= a.passiveMax;
}
