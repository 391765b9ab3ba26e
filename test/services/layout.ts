/**
 * THE one place where the services tier differs from production.
 *
 * The containers get `renderX(spec, FTP_CONTAINER_LAYOUT / WEB_CONTAINER_LAYOUT)`; this tier runs
 * `renderX(spec, hostFtpLayout(...) / hostWebLayout(...))` on the host. Every difference is listed
 * here and nowhere else:
 *
 * Layout (components/layout.ts)
 * - vsftpd listens on 127.0.0.1:<free port> instead of every address of the container on :21.
 * - nginx listens on 127.0.0.1:<free port>; its status server on 127.0.0.1:<another free port>.
 * - The media root is `<temp>/media` instead of the volume's mount point /srv/media.
 * - vsftpd.conf, user_config_dir, the password file, the folder list, the log and
 *   secure_chroot_dir live in `<temp>/vsftpd/` instead of /etc/vsftpd and /var/run/vsftpd.
 * - The PAM service has a unique name per run; its file must be in /etc/pam.d (PAM reads no other
 *   place). servers.ts writes it and removes it in stop().
 * - nginx's pid file, access and error logs and temp paths live in `<temp>/nginx/` instead of
 *   /run/nginx.pid, /dev/stdout, /dev/stderr and the compiled-in /var/lib/nginx.
 *
 * Stack config (what parseSpec validates)
 * - ftp.port, http.port and ftp.passivePorts are free ports found at run time (the stacks in
 *   stacks.ts leave them out), media.hostPath is `<temp>/media`.
 *
 * Not substituted
 * - The guest user: `vsftpd-media` with uid/gid 2121, as in vsftpd/Dockerfile. servers.ts creates
 *   it on the host with useradd when it is missing and leaves it there (a system account without
 *   home or shell, like the image's).
 * - /etc/nginx/mime.types: the host's Debian nginx ships the same file as the image.
 * - Every line the renderers write, and the entrypoint's folder preparation (folders.ts runs the
 *   loop from vsftpd/entrypoint.sh itself).
 */
import * as net from "node:net";
import * as path from "node:path";
import { FTP_CONTAINER_LAYOUT, WEB_CONTAINER_LAYOUT, type FtpLayout, type WebLayout } from "../../components/layout";

export const HOST = "127.0.0.1";
export const PASSIVE_PORT_COUNT = 10;

export interface HostPorts {
  readonly ftp: number;
  readonly http: number;
  readonly status: number;
  readonly passive: { readonly min: number; readonly max: number };
}

/** Directories of one run, all under one temp dir that stop() removes. */
export interface HostDirs {
  readonly root: string;
  readonly media: string;
  readonly vsftpd: string;
  readonly nginx: string;
}

export function hostDirs(root: string): HostDirs {
  return { root, media: path.join(root, "media"), vsftpd: path.join(root, "vsftpd"), nginx: path.join(root, "nginx") };
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
  };
}

export function hostWebLayout(dirs: HostDirs, ports: HostPorts): WebLayout {
  return {
    ...WEB_CONTAINER_LAYOUT,
    mediaRoot: dirs.media,
    listen: `${HOST}:${ports.http}`,
    statusListen: `${HOST}:${ports.status}`,
    pidFile: path.join(dirs.nginx, "nginx.pid"),
    accessLog: path.join(dirs.nginx, "access.log"),
    errorLog: path.join(dirs.nginx, "error.log"),
    tempPrefix: path.join(dirs.nginx, "temp"),
  };
}

/** The stack config as the test wrote it, with the run's ports and media folder filled in. */
export function withHostValues(
  stack: { readonly ftp: object; readonly http?: object },
  ports: HostPorts,
  dirs: HostDirs,
): object {
  return {
    ...stack,
    media: { hostPath: dirs.media },
    ftp: { ...stack.ftp, port: ports.ftp, passivePorts: { ...ports.passive } },
    http: { ...stack.http, port: ports.http },
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * A block of free ports: control, http, status, then the passive range. It lies below Linux's
 * ephemeral range (32768–60999) so outgoing connections do not take ports of the passive range.
 */
export async function findFreePorts(attempts = 50): Promise<HostPorts> {
  const size = 3 + PASSIVE_PORT_COUNT;
  for (let i = 0; i < attempts; i++) {
    const base = 20000 + Math.floor(Math.random() * (12000 - size));
    const ports = Array.from({ length: size }, (_, k) => base + k);
    let free = true;
    for (const p of ports) if (!(free = await isFree(p))) break;
    if (free) {
      return { ftp: base, http: base + 1, status: base + 2, passive: { min: base + 3, max: base + size - 1 } };
    }
  }
  throw new Error(`no block of ${size} free ports on ${HOST} found in ${attempts} attempts`);
}
