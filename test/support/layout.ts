/**
 * THE one place where the services tier differs from production.
 *
 * The containers get `renderX(spec, FTP_CONTAINER_LAYOUT / WEB_CONTAINER_LAYOUT)`; this tier runs
 * `renderX(spec, hostFtpLayout(...) / hostWebLayout(...))` on the host. Every difference is listed
 * here and nowhere else:
 *
 * Layout (spec/layout.ts)
 * - vsftpd listens on 127.0.0.1:<free port> instead of every address of the container on :21.
 * - nginx listens on 127.0.0.1:<free port>; its status server on 127.0.0.1:<another free port>,
 *   HTTPS (when on) on a third. HTTP/2 is the `listen … http2` parameter instead of the `http2`
 *   directive: the host's Debian 12 nginx (1.22) knows only the parameter. The HTTPS certificate
 *   and key live in `<temp>/nginx/`.
 * - The media root is `<temp>/media` instead of the volume's mount point /srv/media.
 * - vsftpd.conf, user_config_dir, the password file, the folder list, the log,
 *   secure_chroot_dir and the FTPS certificate and key live in `<temp>/vsftpd/` instead of
 *   /etc/vsftpd and /var/run/vsftpd.
 * - The PAM service has a unique name per run; its file must be in /etc/pam.d (PAM reads no other
 *   place). servers.ts writes it and removes it in stop().
 * - nginx.conf, nginx's pid file, access and error logs and temp paths live in `<temp>/nginx/`
 *   instead of /etc/nginx/nginx.conf, /run/nginx.pid, /dev/stdout, /dev/stderr and the compiled-in
 *   /var/lib/nginx; so do the basic-auth file and the gallery page (/etc/nginx/video-server/).
 * - The media worker's derived files are `<temp>/derived/files` and its state `<temp>/derived/state`
 *   instead of the derived volume's /srv/derived/…; it reads vsftpd's log where the host vsftpd
 *   writes it, its settings are `<temp>/worker/worker.json` instead of /etc/video-server/, and its
 *   metrics listen on 127.0.0.1:<free port> instead of every address of its container on 9464.
 * - nginx serves the image's static files (hls.js) from the repository's nginx/static/, the folder
 *   nginx/Dockerfile copies to /usr/share/video-server.
 * - A swarm edge cache (suites that start one: test/support/edgeStack.ts) is a second nginx on
 *   127.0.0.1: its public, HTTPS and status servers and its relay on free ports of their own,
 *   its config, pid file, logs, temp paths, cache folder and its own copies of the basic-auth,
 *   TLS and ban files in `<temp>/edge/` instead of the container's /etc/nginx, /var/cache and
 *   /dev/stdout. It dials the origin at 127.0.0.1:<the origin's port> with no resolver, where the
 *   container asks Docker's DNS (127.0.0.11) for the origin service's name. Suites about that
 *   name (startEdgeStack's `originByName`) give a made-up name and a DNS server of their own on
 *   127.0.0.1 (dnsServer.ts) that answers it with 127.0.0.1, or with no record.
 * - sshd (suites that ask for it: startStack's `sftp` option) listens on 127.0.0.1:<free port>
 *   instead of every address of its container on :22. Its config, host key, authorized keys,
 *   password file, accounts and log socket list live in `<temp>/sftp/` instead of
 *   /etc/ssh/video-server/; the log relay's file is `<temp>/vsftpd/sftp.log`, beside vsftpd's
 *   log as on the shared log volume, and its sockets are in `<temp>/media/<root>/dev/log` as in
 *   the container's media.
 * - sshd's PAM service has a unique name per run, in /etc/pam.d like vsftpd's. OpenSSH 9.2 takes
 *   the name from its program name (10.0 from PAMServiceName, default `sshd`, which the image
 *   keeps), so sshd runs as `<temp>/sftp/<service>`, a link to the host's sshd.
 * - With SFTP on, the run's temp dir is `/run/video-server-services-<pid>-…` instead of one in
 *   os.tmpdir(): sshd chroots only into a path whose every component is root's and not group- or
 *   world-writable, and /tmp is 1777.
 *
 * Stack config (what parseSpec validates)
 * - ftp.port, http.port, http.httpsPort and ftp.passivePorts are free ports found at run time (the stacks in
 *   stacks.ts keep theirs, and these replace them), media.hostPath is `<temp>/media`.
 * - A user without a configured password gets testPassword(name) where the program would
 *   generate a random one.
 * - sftp.port is a free port too. A stack without sftp.hostKey gets a fresh Ed25519 key where the
 *   program generates one, in OpenSSH's own format: the host's sshd 9.2 reads no PKCS#8 Ed25519
 *   key ("invalid format"); the image's 10.0 does.
 *
 * Processes
 * - vsftpd and nginx are child processes of jest (each its own process group), not container
 *   PID 1s under docker-init. The media worker runs only in suites that ask for it
 *   (startStack's `worker` option), as `node` (jest's Node) on its JavaScript compiled from
 *   worker/src by worker.ts, with the host's ffmpeg (5.1; the image has 7.1). vsftpd is started without the entrypoint's log follower (the harness
 *   reads the log file); nginx with the image's `-g 'daemon off;'` plus `-c <temp>/nginx/nginx.conf`.
 * - sshd runs as `-D -e -f <config>`, the image's command, without the entrypoint around it (its
 *   stderr filter, drain, log rotation and follower); the host's sshd is OpenSSH 9.2, the image's
 *   10.0. The log relay runs as `perl sftp/log-relay.pl` from the repository, the file
 *   sftp/Dockerfile copies to /usr/local/bin/video-server-sftp-log.
 *
 * Host accounts (with SFTP on; besides the guest user below, the one place the host's accounts change)
 * - sshd looks its users up in passwd. Each line of the rendered accounts file, which the image's
 *   entrypoint appends to the container's /etc/passwd, becomes `useradd -o -u 2121 -g 2121 -M
 *   -d <chroot> -s /usr/sbin/nologin <name>` on the host, and stop() runs `userdel -f <name>`
 *   (-f: uid 2121 is shared, and plain userdel refuses while any process of it runs). An account
 *   left by a killed run (uid 2121, its home in a vanished run dir) goes at the next start; a name
 *   the host already has otherwise fails the start. The stacks' SFTP users have names of their own.
 * - /run/sshd, the privilege-separation directory of Debian's sshd, is made when missing and left.
 *
 * Not substituted
 * - The guest user: `vsftpd-media`, uid/gid 2121, home /, no shell, as in vsftpd/Dockerfile.
 *   prerequisites.ts creates it on the host with useradd when it is missing and leaves it there.
 * - /etc/nginx/mime.types: the host's Debian nginx ships the same file as the image.
 * - /etc/hosts.allow and /etc/hosts.deny, which vsftpd reads with tcp_wrappers=YES: the host's
 *   (Debian's, comments only). The ban watcher does not run with the servers here (it and its
 *   settings are written under `<temp>/`); bans.test.ts and webBans.test.ts run it themselves
 *   and the docker tier runs it in the containers.
 * - Every file the containers receive (ftpServerFiles, webServerFiles: content and mode), the
 *   password salts, and the entrypoint's folder preparation (folders.ts runs the loop from
 *   vsftpd/entrypoint.sh itself).
 */
import * as path from "node:path";
import {
  EDGE_CONTAINER_LAYOUT,
  FTP_CONTAINER_LAYOUT,
  SFTP_CONTAINER_LAYOUT,
  WEB_CONTAINER_LAYOUT,
  WORKER_CONTAINER_LAYOUT,
  type EdgeLayout,
  type FtpLayout,
  type SftpLayout,
  type WebLayout,
  type WorkerLayout,
} from "../../spec";
import { HOST, type FreePorts } from "./ports";
import { PROJECT_DIR } from "./project";

/** Ports of one run, from findFreePorts (test/support/ports.ts). */
export type HostPorts = FreePorts;

/** Directories of one run, all under one temp dir that stop() removes. */
export interface HostDirs {
  readonly root: string;
  readonly media: string;
  readonly vsftpd: string;
  readonly nginx: string;
  /** sshd's files, with SFTP on. */
  readonly sftp: string;
  /** The derived volume: `files/` (served) and `state/` (the worker's). */
  readonly derived: string;
  readonly worker: string;
}

export function hostDirs(root: string): HostDirs {
  return {
    root,
    media: path.join(root, "media"),
    vsftpd: path.join(root, "vsftpd"),
    nginx: path.join(root, "nginx"),
    sftp: path.join(root, "sftp"),
    derived: path.join(root, "derived"),
    worker: path.join(root, "worker"),
  };
}

export function hostFtpLayout(dirs: HostDirs, ports: HostPorts, pamService: string): FtpLayout {
  return {
    ...FTP_CONTAINER_LAYOUT,
    mediaRoot: dirs.media,
    listenAddress: HOST,
    listenPort: ports.ftp,
    configFile: path.join(dirs.vsftpd, "vsftpd.conf"),
    userConfigDir: path.join(dirs.vsftpd, "users"),
    passwordFile: path.join(dirs.vsftpd, "passwd"),
    pamService,
    pamServiceFile: `/etc/pam.d/${pamService}`,
    folderListFile: path.join(dirs.vsftpd, "folders"),
    logFile: path.join(dirs.vsftpd, "vsftpd.log"),
    secureChrootDir: path.join(dirs.vsftpd, "empty"),
    tlsCertificateFile: path.join(dirs.vsftpd, "tls-certificate.pem"),
    tlsKeyFile: path.join(dirs.vsftpd, "tls-key.pem"),
    banWatcherFile: path.join(dirs.vsftpd, "video-server-bans"),
    banSettingsFile: path.join(dirs.vsftpd, "bans"),
  };
}

export function hostWebLayout(dirs: HostDirs, ports: HostPorts): WebLayout {
  return {
    ...WEB_CONTAINER_LAYOUT,
    mediaRoot: dirs.media,
    configFile: path.join(dirs.nginx, "nginx.conf"),
    listen: `${HOST}:${ports.http}`,
    httpsListen: `${HOST}:${ports.https}`,
    http2: "listen-parameter",
    tlsCertificateFile: path.join(dirs.nginx, "tls-certificate.pem"),
    tlsKeyFile: path.join(dirs.nginx, "tls-key.pem"),
    statusListen: `${HOST}:${ports.status}`,
    pidFile: path.join(dirs.nginx, "nginx.pid"),
    accessLog: path.join(dirs.nginx, "access.log"),
    errorLog: path.join(dirs.nginx, "error.log"),
    tempPrefix: path.join(dirs.nginx, "temp"),
    htpasswdFile: path.join(dirs.nginx, "htpasswd"),
    galleryFile: path.join(dirs.nginx, "gallery.html"),
    banWatcherFile: path.join(dirs.nginx, "video-server-bans"),
    banSettingsFile: path.join(dirs.nginx, "bans"),
    bansFile: path.join(dirs.nginx, "bans.conf"),
    authFailureLog: path.join(dirs.nginx, "auth-failures.log"),
    derivedRoot: path.join(dirs.derived, "files"),
    staticDir: path.join(PROJECT_DIR, "nginx", "static"),
  };
}

/** An edge's ports: public, HTTPS, status, and its relay to the origin. */
export interface EdgePorts {
  readonly http: number;
  readonly https: number;
  readonly status: number;
  readonly relay: number;
}

export function hostEdgeLayout(dirs: HostDirs, ports: EdgePorts, originPort: number): EdgeLayout {
  const dir = path.join(dirs.root, "edge");
  return {
    ...EDGE_CONTAINER_LAYOUT,
    configFile: path.join(dir, "nginx.conf"),
    listen: `${HOST}:${ports.http}`,
    httpsListen: `${HOST}:${ports.https}`,
    http2: "listen-parameter",
    tlsCertificateFile: path.join(dir, "tls-certificate.pem"),
    tlsKeyFile: path.join(dir, "tls-key.pem"),
    statusListen: `${HOST}:${ports.status}`,
    pidFile: path.join(dir, "nginx.pid"),
    accessLog: path.join(dir, "access.log"),
    errorLog: path.join(dir, "error.log"),
    tempPrefix: path.join(dir, "temp"),
    htpasswdFile: path.join(dir, "htpasswd"),
    banWatcherFile: path.join(dir, "video-server-bans"),
    banSettingsFile: path.join(dir, "bans"),
    bansFile: path.join(dir, "bans.conf"),
    authFailureLog: path.join(dir, "auth-failures.log"),
    cacheDir: path.join(dir, "cache"),
    relayListen: `${HOST}:${ports.relay}`,
    originHost: HOST,
    originPort,
    resolver: "",
  };
}

export function hostWorkerLayout(dirs: HostDirs, ports: HostPorts, ftp: FtpLayout): WorkerLayout {
  return {
    ...WORKER_CONTAINER_LAYOUT,
    mediaRoot: dirs.media,
    derivedRoot: path.join(dirs.derived, "files"),
    stateDir: path.join(dirs.derived, "state"),
    ftpLog: ftp.logFile,
    sftpLog: sftpLogFile(dirs),
    settingsFile: path.join(dirs.worker, "worker.json"),
    metricsHost: HOST,
    metricsPort: ports.metrics,
  };
}

/** Where the SFTP log relay writes, beside vsftpd's log (as on the container's log volume). */
const sftpLogFile = (dirs: HostDirs): string => path.join(dirs.vsftpd, "sftp.log");

export function hostSftpLayout(dirs: HostDirs, port: number, pamService: string): SftpLayout {
  return {
    ...SFTP_CONTAINER_LAYOUT,
    mediaRoot: dirs.media,
    listenAddress: HOST,
    listenPort: port,
    configFile: path.join(dirs.sftp, "sshd_config"),
    hostKeyFile: path.join(dirs.sftp, "host-key"),
    authorizedKeysDir: path.join(dirs.sftp, "authorized-keys"),
    passwordFile: path.join(dirs.sftp, "passwd"),
    pamService,
    pamServiceFile: `/etc/pam.d/${pamService}`,
    accountsFile: path.join(dirs.sftp, "accounts"),
    logSocketsFile: path.join(dirs.sftp, "log-sockets"),
    logFile: sftpLogFile(dirs),
    banWatcherFile: path.join(dirs.sftp, "video-server-bans"),
    banSettingsFile: path.join(dirs.sftp, "bans"),
    bansFile: path.join(dirs.sftp, "bans.conf"),
    authLog: path.join(dirs.sftp, "sshd-auth.log"),
    pidFile: path.join(dirs.sftp, "sshd.pid"),
  };
}

/** `stack` with some fields of its sections replaced, e.g. `{ ftp: { port: 21 } }`. */
export function withSections(
  stack: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, object>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...stack };
  for (const [key, fields] of Object.entries(overrides)) {
    const current = stack[key];
    merged[key] = { ...(typeof current === "object" && current !== null ? current : {}), ...fields };
  }
  return merged;
}

/** The stack config as the test wrote it, with the run's ports and media folder filled in. */
export function withHostValues(
  stack: Readonly<Record<string, unknown>>,
  ports: HostPorts,
  dirs: HostDirs,
  sftpPort?: number,
): Record<string, unknown> {
  return withSections(stack, {
    media: { hostPath: dirs.media },
    ftp: { port: ports.ftp, passivePorts: { min: ports.passiveMin, max: ports.passiveMax } },
    http: { port: ports.http, httpsPort: ports.https },
    ...(sftpPort === undefined ? {} : { sftp: { port: sftpPort } }),
  });
}

export function testPassword(user: string): string {
  return `test-password-${user}`;
}
