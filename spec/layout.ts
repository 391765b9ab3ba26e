/**
 * Where things live inside the containers, and who owns the media.
 *
 * Renderers take a layout instead of hard-coding paths so that the services test tier can run
 * the very same configuration on the host with other paths and ports (see
 * test/support/layout.ts, the one place those substitutions are made).
 */
export interface FtpLayout {
  /** The media volume's mount point. */
  readonly mediaRoot: string;
  /** vsftpd `listen_address`; empty means every address of the container. */
  readonly listenAddress: string;
  /** vsftpd `listen_port` inside the container (the published port may differ). */
  readonly listenPort: number;
  /** Local account every virtual user acts as; it owns the writable media folders. */
  readonly guestUser: string;
  readonly configFile: string;
  readonly userConfigDir: string;
  readonly passwordFile: string;
  /** PAM service name; vsftpd reads /etc/pam.d/<name>. */
  readonly pamService: string;
  readonly pamServiceFile: string;
  /** The list of folders the entrypoint prepares (see vsftpd/entrypoint.sh). */
  readonly folderListFile: string;
  readonly logFile: string;
  readonly secureChrootDir: string;
  /** FTPS certificate chain and private key (PEM); written only when ftp.tls is not "off". */
  readonly tlsCertificateFile: string;
  readonly tlsKeyFile: string;
  /** The ban watcher (containerFiles/bans.sh) and the settings it reads; with bans on only. */
  readonly banWatcherFile: string;
  readonly banSettingsFile: string;
  /** What vsftpd reads with tcp_wrappers=YES; the watcher writes both. */
  readonly hostsDenyFile: string;
  readonly hostsAllowFile: string;
}

export interface WebLayout {
  readonly mediaRoot: string;
  readonly configFile: string;
  /** `listen` value of the public server. */
  readonly listen: string;
  /** `listen` value of the HTTPS server (without `ssl`); used when http.tls is not "off". */
  readonly httpsListen: string;
  /**
   * How nginx is told to speak HTTP/2: the `http2` directive (nginx 1.25.1 and later, the
   * image's 1.26), or the older `listen … http2` parameter (the services tier's Debian 12 host
   * has nginx 1.22, which knows only that).
   */
  readonly http2: "directive" | "listen-parameter";
  /** HTTPS certificate chain and private key (PEM); written only when http.tls is not "off". */
  readonly tlsCertificateFile: string;
  readonly tlsKeyFile: string;
  /** `listen` value of the status server the container healthcheck asks; never published. */
  readonly statusListen: string;
  readonly pidFile: string;
  readonly mimeTypesFile: string;
  readonly accessLog: string;
  readonly errorLog: string;
  /** Prefix for nginx's temp paths; empty keeps the compiled-in defaults. */
  readonly tempPrefix: string;
  /** Basic-auth users (`name:bcrypt-hash`); written only when http.users is not empty. */
  readonly htpasswdFile: string;
  /** The gallery page; written only when http.gallery.enabled. */
  readonly galleryFile: string;
  /** Bans after failed basic-auth requests (with http.bans on): the watcher, its settings, the
   * geo file of banned addresses nginx includes, and the log of failed requests it follows. */
  readonly banWatcherFile: string;
  readonly banSettingsFile: string;
  readonly bansFile: string;
  readonly authFailureLog: string;
  /** The worker's derived files (WorkerLayout.derivedRoot, read-only here); with processing on. */
  readonly derivedRoot: string;
  /** Static files of the image (nginx/static/: hls.js), served under /-/static/. */
  readonly staticDir: string;
}

/**
 * An edge cache of swarm mode (nginx/edge.ts): the viewers' side of the web server, TLS, bans and
 * basic auth included, with a cache on disk and no media.
 */
export interface EdgeLayout extends Pick<
  WebLayout,
  | "configFile"
  | "listen"
  | "httpsListen"
  | "http2"
  | "tlsCertificateFile"
  | "tlsKeyFile"
  | "statusListen"
  | "pidFile"
  | "accessLog"
  | "errorLog"
  | "tempPrefix"
  | "htpasswdFile"
  | "banWatcherFile"
  | "banSettingsFile"
  | "bansFile"
  | "authFailureLog"
> {
  /**
   * proxy_cache_path: nginx's master (root) makes it if missing and gives it to the workers'
   * user, so an empty volume mounted here works as is.
   */
  readonly cacheDir: string;
  /** `listen` of the relay between the cache and the origin (nginx/edge.ts says why); loopback. */
  readonly relayListen: string;
  /** The origin's host as the edge dials it; empty: the origin service's name (originServiceName). */
  readonly originHost: string;
  readonly originPort: number;
  /** The DNS server nginx asks for originHost at run time; empty: originHost is an address. */
  readonly resolver: string;
}

export interface WorkerLayout {
  /** The media volume, read-write: the worker publishes into it. */
  readonly mediaRoot: string;
  /** The derived-files volume, read-write (nginx mounts it read-only). */
  readonly derivedRoot: string;
  /** Queue and webhook deliveries, on the derived volume so a restart resumes them. */
  readonly stateDir: string;
  /** vsftpd's log, on the log volume the FTP container writes (mounted read-only here). */
  readonly ftpLog: string;
  /** The SFTP server's log, on the same volume (with sftp.enabled). */
  readonly sftpLog: string;
  readonly settingsFile: string;
  readonly metricsHost: string;
  readonly metricsPort: number;
}

/** OpenSSH's sshd with internal-sftp (sftp/): the FTP users, their roots and folders. */
export interface SftpLayout {
  /** The media volume's mount point; each user is chrooted to its FTP root inside it. */
  readonly mediaRoot: string;
  /** sshd `ListenAddress` and `Port` inside the container (the published port is sftp.port). */
  readonly listenAddress: string;
  readonly listenPort: number;
  readonly configFile: string;
  /** The private Ed25519 host key, root's only (sshd ignores a key others can read). */
  readonly hostKeyFile: string;
  /** One `authorized_keys` file per user with sshKeys, named after the user (`%u`). */
  readonly authorizedKeysDir: string;
  /** The FTP users' bcrypt password file, the same bytes vsftpd's pam_pwdfile reads. */
  readonly passwordFile: string;
  /**
   * sshd's PAM service: OpenSSH 9.2 names it after its program, 10.0 after PAMServiceName
   * (default `sshd`). The config sets neither, so it is `sshd` in the image.
   */
  readonly pamService: string;
  readonly pamServiceFile: string;
  /** One passwd line per virtual user, which the entrypoint appends to /etc/passwd. */
  readonly accountsFile: string;
  /** `<root> <socket>` per root: where the log relay listens for internal-sftp's lines. */
  readonly logSocketsFile: string;
  /** The relay's log, on the FTP log volume beside vsftpd's (WorkerLayout.sftpLog). */
  readonly logFile: string;
  /** Bans across connections (ftp.banAfterFails): the watcher, its settings, the DenyUsers file
   * sshd_config includes, sshd's own lines it follows, and the listener's pid it sends SIGHUP. */
  readonly banWatcherFile: string;
  readonly banSettingsFile: string;
  readonly bansFile: string;
  readonly authLog: string;
  readonly pidFile: string;
}

/** Where nginx serves the worker's derived files; no location path can start with `/-/`. */
export const DERIVED_URLS = {
  meta: "/-/meta",
  poster: "/-/poster",
  preview: "/-/preview",
  hls: "/-/hls",
} as const;

/** The media owner inside the vsftpd image: fixed so host folders keep one owner across rebuilds. */
export const MEDIA_OWNER = { user: "vsftpd-media", uid: 2121, gid: 2121 } as const;

export const CONTAINER_MEDIA_ROOT = "/srv/media";

/** Where both images' entrypoints look for the ban watcher the program uploads. */
const BAN_WATCHER_FILE = "/usr/local/bin/video-server-bans";

/** The derived-files volume's mount point in the worker and nginx containers. */
export const CONTAINER_DERIVED_ROOT = "/srv/derived";
/** The folder of vsftpd's log: a volume of its own when the worker reads it. */
export const FTP_LOG_DIR = "/var/log/vsftpd";
/** The worker's metrics and health port inside its container; never published. */
export const WORKER_METRICS_PORT = 9464;

export const WORKER_CONTAINER_LAYOUT: WorkerLayout = {
  mediaRoot: CONTAINER_MEDIA_ROOT,
  derivedRoot: `${CONTAINER_DERIVED_ROOT}/files`,
  stateDir: `${CONTAINER_DERIVED_ROOT}/state`,
  ftpLog: `${FTP_LOG_DIR}/vsftpd.log`,
  sftpLog: `${FTP_LOG_DIR}/sftp.log`,
  settingsFile: "/etc/video-server/worker.json",
  metricsHost: "0.0.0.0",
  metricsPort: WORKER_METRICS_PORT,
};

export const FTP_CONTAINER_LAYOUT: FtpLayout = {
  mediaRoot: CONTAINER_MEDIA_ROOT,
  listenAddress: "",
  listenPort: 21,
  guestUser: MEDIA_OWNER.user,
  configFile: "/etc/vsftpd.conf",
  userConfigDir: "/etc/vsftpd/users",
  passwordFile: "/etc/vsftpd/passwd",
  pamService: "vsftpd-virtual",
  pamServiceFile: "/etc/pam.d/vsftpd-virtual",
  folderListFile: "/etc/vsftpd/folders",
  logFile: `${FTP_LOG_DIR}/vsftpd.log`,
  secureChrootDir: "/var/run/vsftpd/empty",
  // /etc/vsftpd exists in the image (vsftpd/Dockerfile), so the upload needs no new folder.
  tlsCertificateFile: "/etc/vsftpd/tls-certificate.pem",
  tlsKeyFile: "/etc/vsftpd/tls-key.pem",
  banWatcherFile: BAN_WATCHER_FILE,
  banSettingsFile: "/etc/vsftpd/bans",
  hostsDenyFile: "/etc/hosts.deny",
  hostsAllowFile: "/etc/hosts.allow",
};

export const WEB_CONTAINER_LAYOUT: WebLayout = {
  mediaRoot: CONTAINER_MEDIA_ROOT,
  configFile: "/etc/nginx/nginx.conf",
  listen: "80",
  httpsListen: "443",
  http2: "directive",
  // Read by nginx's master (root) at start; the workers never need them.
  tlsCertificateFile: "/etc/nginx/video-server/tls-certificate.pem",
  tlsKeyFile: "/etc/nginx/video-server/tls-key.pem",
  statusListen: "127.0.0.1:8081",
  pidFile: "/run/nginx.pid",
  mimeTypesFile: "/etc/nginx/mime.types",
  accessLog: "/dev/stdout",
  errorLog: "/dev/stderr",
  tempPrefix: "",
  // /etc/nginx exists in the image; docker uploads make the video-server folder.
  htpasswdFile: "/etc/nginx/video-server/htpasswd",
  galleryFile: "/etc/nginx/video-server/gallery.html",
  banWatcherFile: BAN_WATCHER_FILE,
  banSettingsFile: "/etc/nginx/video-server/bans",
  bansFile: "/etc/nginx/video-server/bans.conf",
  authFailureLog: "/var/log/nginx/auth-failures.log",
  derivedRoot: `${CONTAINER_DERIVED_ROOT}/files`,
  staticDir: "/usr/share/video-server",
};

export const SFTP_CONTAINER_LAYOUT: SftpLayout = {
  mediaRoot: CONTAINER_MEDIA_ROOT,
  listenAddress: "0.0.0.0",
  listenPort: 22,
  // sftp/Dockerfile makes /etc/ssh/video-server and its authorized-keys folder.
  configFile: "/etc/ssh/video-server/sshd_config",
  hostKeyFile: "/etc/ssh/video-server/host-key",
  authorizedKeysDir: "/etc/ssh/video-server/authorized-keys",
  passwordFile: "/etc/ssh/video-server/passwd",
  pamService: "sshd",
  pamServiceFile: "/etc/pam.d/sshd",
  accountsFile: "/etc/ssh/video-server/accounts",
  logSocketsFile: "/etc/ssh/video-server/log-sockets",
  logFile: `${FTP_LOG_DIR}/sftp.log`,
  banWatcherFile: BAN_WATCHER_FILE,
  banSettingsFile: "/etc/ssh/video-server/bans",
  bansFile: "/etc/ssh/video-server/bans.conf",
  authLog: "/var/log/sshd-auth.log",
  pidFile: "/run/sshd.listener.pid",
};

/** Port the nginx container listens on (the published port comes from `http.port`). */
export const WEB_CONTAINER_PORT = 80;
/** Port the nginx container serves HTTPS on (published as `http.httpsPort`). */
export const WEB_CONTAINER_HTTPS_PORT = 443;
export const WEB_STATUS_PORT = 8081;

/**
 * Docker's embedded DNS, in every container on a user-defined network: it answers a service's
 * name with its tasks' addresses (dnsrr), and follows a task that moves.
 */
export const DOCKER_DNS = "127.0.0.11";

/** The swarm origin's service name, which Docker's DNS answers on the overlay: the web role's. */
export const originServiceName = (stackName: string): string => `${stackName}-web`;

export const EDGE_CONTAINER_LAYOUT: EdgeLayout = {
  configFile: WEB_CONTAINER_LAYOUT.configFile,
  listen: WEB_CONTAINER_LAYOUT.listen,
  httpsListen: WEB_CONTAINER_LAYOUT.httpsListen,
  http2: WEB_CONTAINER_LAYOUT.http2,
  tlsCertificateFile: WEB_CONTAINER_LAYOUT.tlsCertificateFile,
  tlsKeyFile: WEB_CONTAINER_LAYOUT.tlsKeyFile,
  statusListen: WEB_CONTAINER_LAYOUT.statusListen,
  pidFile: WEB_CONTAINER_LAYOUT.pidFile,
  accessLog: WEB_CONTAINER_LAYOUT.accessLog,
  errorLog: WEB_CONTAINER_LAYOUT.errorLog,
  tempPrefix: WEB_CONTAINER_LAYOUT.tempPrefix,
  // The image's entrypoint starts the ban watcher from these very paths (nginx/entrypoint.sh).
  htpasswdFile: WEB_CONTAINER_LAYOUT.htpasswdFile,
  banWatcherFile: WEB_CONTAINER_LAYOUT.banWatcherFile,
  banSettingsFile: WEB_CONTAINER_LAYOUT.banSettingsFile,
  bansFile: WEB_CONTAINER_LAYOUT.bansFile,
  authFailureLog: WEB_CONTAINER_LAYOUT.authFailureLog,
  // /var/cache is in every Debian image; a volume there keeps the cache across task restarts.
  cacheDir: "/var/cache/video-server-edge",
  relayListen: "127.0.0.1:8082",
  originHost: "",
  originPort: WEB_CONTAINER_PORT,
  resolver: DOCKER_DNS,
};

/** A file the program puts into a container (the test tiers write the same list to disk). */
export interface ContainerFile {
  readonly file: string;
  readonly content: string;
  /** Octal mode, as docker uploads take it. */
  readonly permissions: string;
}
