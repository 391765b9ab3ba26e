// The program, the test tiers, the benchmark and `npm run render` all call these same functions, so
// all get the same bytes; only how they hash the secrets differs.
import { renderNginxConf, renderOriginConf } from "../nginx/conf";
import { renderEdgeConf, type EdgeOrigin } from "../nginx/edge";
import { galleryEntries, renderGalleryPage } from "../nginx/gallery";
import {
  renderAccounts,
  renderAuthorizedKeys,
  renderLogSockets,
  renderSftpPamService,
  renderSshdConfig,
} from "../sftp/conf";
import {
  originServiceName,
  type ConfiguredSecrets,
  type ContainerFile,
  type EdgeLayout,
  type EdgeSpec,
  type FtpLayout,
  type SftpLayout,
  type Spec,
  type WebLayout,
  type WorkerLayout,
} from "../spec";
import { renderFolderList, renderPamService, renderUserConfigs, renderVsftpdConf } from "../vsftpd/conf";
import { renderWorkerSettings } from "../worker/settings";
import { banFiles, includedBanFiles } from "./bans";
import { hashesFor, renderPasswordFile } from "./passwords";

export {
  HASH_BUCKETS,
  HASH_COMMAND,
  PASSWORD_COST,
  hashBucket,
  hashBuckets,
  hashCommandOutput,
  hashInput,
  hashPassword,
  hashesFor,
  parseHashOutput,
  saltFor,
  type PasswordService,
} from "./passwords";

export interface FtpContainerSecrets {
  readonly ftpHashes: Readonly<Record<string, string>>;
  readonly tlsCertificate?: string;
  readonly tlsKey?: string;
}

export interface WebContainerSecrets {
  readonly httpHashes: Readonly<Record<string, string>>;
  readonly secureLinkSecret?: string;
  readonly tlsCertificate?: string;
  readonly tlsKey?: string;
}

function passwordFile(
  service: string,
  names: readonly string[],
  hashes: Readonly<Record<string, string>>,
): string {
  return renderPasswordFile(
    names.map((name) => {
      const hash = hashes[name];
      if (hash === undefined) throw new Error(`no ${service} password hash for user '${name}'`);
      return { name, hash };
    }),
  );
}

/** OpenSSL reads PEM line by line: end the last line, which `$(cat cert.pem)` strips. */
const pemFile = (pem: string): string => (pem.endsWith("\n") ? pem : `${pem}\n`);

/**
 * The certificate is public, so world-readable; the key is root's only (vsftpd and nginx's
 * master read it as root).
 */
function tlsFiles(
  section: "ftp" | "http",
  tls: string,
  layout: { readonly tlsCertificateFile: string; readonly tlsKeyFile: string },
  secrets: { readonly tlsCertificate?: string; readonly tlsKey?: string },
): ContainerFile[] {
  if (tls === "off") return [];
  const { tlsCertificate, tlsKey } = secrets;
  if (tlsCertificate === undefined || tlsKey === undefined) {
    throw new Error(
      `${section}.tls is ${tls} but no ${section}.tlsCertificate and ${section}.tlsKey were given (the config rules require both)`,
    );
  }
  return [
    { file: layout.tlsCertificateFile, content: pemFile(tlsCertificate), permissions: "0644" },
    { file: layout.tlsKeyFile, content: pemFile(tlsKey), permissions: "0600" },
  ];
}

export function ftpContainerFiles(
  spec: Spec,
  layout: FtpLayout,
  secrets: FtpContainerSecrets,
): ContainerFile[] {
  const { ftp } = spec;
  const names = ftp.users.map((u) => u.name);
  return [
    { file: layout.configFile, content: renderVsftpdConf(ftp, layout), permissions: "0644" },
    { file: layout.pamServiceFile, content: renderPamService(layout), permissions: "0644" },
    { file: layout.folderListFile, content: renderFolderList(ftp), permissions: "0644" },
    ...renderUserConfigs(ftp, layout).map((u) => ({ ...u, permissions: "0644" })),
    {
      file: layout.passwordFile,
      content: passwordFile("ftp", names, secrets.ftpHashes),
      permissions: "0600",
    },
    ...banFiles(ftp.bans, {
      watcherFile: layout.banWatcherFile,
      settingsFile: layout.banSettingsFile,
      listFile: layout.hostsDenyFile,
      allowFile: layout.hostsAllowFile,
    }),
    ...tlsFiles("ftp", ftp.tls, layout, secrets),
  ];
}

// 0644 but the TLS key: nginx's workers run as `nobody` and read the password file on each request,
// and docker uploads are owned by root:root. Nothing else runs in the container.
export function webContainerFiles(
  spec: Spec,
  layout: WebLayout,
  secrets: WebContainerSecrets,
): ContainerFile[] {
  const { http } = spec;
  const gallery = http.gallery.enabled
    ? [{ file: layout.galleryFile, content: renderGalleryPage(galleryEntries(http)), permissions: "0644" }]
    : [];
  // Swarm mode's origin: the edges check passwords, signatures and bans and terminate TLS.
  if (spec.edge !== undefined) {
    return [
      { file: layout.configFile, content: renderOriginConf(http, spec.edge, layout), permissions: "0644" },
      ...gallery,
    ];
  }
  const [htpasswd, ...tlsAndBans] = viewerFiles(spec, layout, secrets);
  return [
    {
      file: layout.configFile,
      content: renderNginxConf(http, layout, secrets.secureLinkSecret),
      permissions: "0644",
    },
    ...htpasswd,
    ...gallery,
    ...tlsAndBans.flat(),
  ];
}

/**
 * What the server that faces the viewers needs beside its nginx.conf: the basic-auth file (when
 * there are users), the TLS pair, the ban list and watcher. In that order, as three groups.
 */
function viewerFiles(
  spec: Spec,
  layout: Pick<
    WebLayout,
    | "htpasswdFile"
    | "tlsCertificateFile"
    | "tlsKeyFile"
    | "banWatcherFile"
    | "banSettingsFile"
    | "bansFile"
    | "configFile"
  >,
  secrets: WebContainerSecrets,
): [ContainerFile[], ContainerFile[], ContainerFile[]] {
  const { http } = spec;
  const htpasswd = passwordFile("http", http.users, secrets.httpHashes);
  return [
    http.users.length > 0 ? [{ file: layout.htpasswdFile, content: htpasswd, permissions: "0644" }] : [],
    tlsFiles("http", http.tls.mode, layout, secrets),
    includedBanFiles(http.bans, {
      watcherFile: layout.banWatcherFile,
      settingsFile: layout.banSettingsFile,
      listFile: layout.bansFile,
      reload: `nginx -s reload -c ${layout.configFile}`,
    }),
  ];
}

/** The origin as an edge dials it: the layout's, or the origin service's name on the overlay. */
export function edgeOrigin(spec: Spec, layout: EdgeLayout): EdgeOrigin {
  return {
    host: layout.originHost === "" ? originServiceName(spec.name) : layout.originHost,
    port: layout.originPort,
    ...(layout.resolver === "" ? {} : { resolver: layout.resolver }),
  };
}

/**
 * An edge cache of swarm mode: what webContainerFiles gives the single server of host mode but
 * the media's own files (the gallery page is the origin's). The same modes, for the same reasons.
 */
export function edgeContainerFiles(
  spec: Spec,
  edge: EdgeSpec,
  layout: EdgeLayout,
  secrets: WebContainerSecrets,
): ContainerFile[] {
  const conf = renderEdgeConf(spec.http, edge, layout, edgeOrigin(spec, layout), secrets.secureLinkSecret);
  return [
    { file: layout.configFile, content: conf, permissions: "0644" },
    ...viewerFiles(spec, layout, secrets).flat(),
  ];
}

export interface WorkerContainerSecrets {
  /** processing.webhooks[i].secret, in config order. */
  readonly webhookSecrets: readonly string[];
}

/** Root's only: the settings hold the webhook secrets, and the worker runs as root. */
export function workerContainerFiles(
  spec: Spec,
  layout: WorkerLayout,
  secrets: WorkerContainerSecrets,
): ContainerFile[] {
  if (spec.processing === undefined) return [];
  const settings = renderWorkerSettings(spec, spec.processing, layout, secrets.webhookSecrets);
  return [{ file: layout.settingsFile, content: settings, permissions: "0600" }];
}

// Hashes in this process (bench/README.md has the time per FTP user); `ftpPasswords` must hold
// every FTP user, generated passwords too.
export function containerSecrets(
  spec: Spec,
  secrets: ConfiguredSecrets,
): {
  readonly ftp: FtpContainerSecrets;
  readonly web: WebContainerSecrets;
  readonly worker: WorkerContainerSecrets;
} {
  return {
    ftp: {
      ftpHashes: hashesFor(
        spec,
        "ftp",
        spec.ftp.users.map((u) => u.name),
        secrets.ftpPasswords,
      ),
      tlsCertificate: secrets.ftpTlsCertificate,
      tlsKey: secrets.ftpTlsKey,
    },
    web: {
      httpHashes: hashesFor(spec, "http", spec.http.users, secrets.httpPasswords),
      secureLinkSecret: secrets.secureLinkSecret,
      tlsCertificate: secrets.httpTlsCertificate,
      tlsKey: secrets.httpTlsKey,
    },
    worker: { webhookSecrets: secrets.webhookSecrets },
  };
}

export interface SftpContainerSecrets {
  /** The FTP users' hashes, as the FTP container gets them: one password for both servers. */
  readonly ftpHashes: Readonly<Record<string, string>>;
  /** The private host key (sftp.hostKey or the generated one), OpenSSH or PKCS#8 PEM. */
  readonly hostKey: string;
}

/** Nothing without sftp.enabled. The password file and host key are root's only (sshd reads them as root). */
export function sftpContainerFiles(
  spec: Spec,
  layout: SftpLayout,
  secrets: SftpContainerSecrets,
): ContainerFile[] {
  const { ftp, sftp } = spec;
  if (sftp === undefined) return [];
  const names = ftp.users.map((u) => u.name);
  return [
    { file: layout.configFile, content: renderSshdConfig(ftp, sftp, layout), permissions: "0644" },
    { file: layout.pamServiceFile, content: renderSftpPamService(ftp, layout), permissions: "0644" },
    { file: layout.accountsFile, content: renderAccounts(ftp, layout), permissions: "0644" },
    { file: layout.logSocketsFile, content: renderLogSockets(ftp, layout), permissions: "0644" },
    ...renderAuthorizedKeys(ftp, layout).map((k) => ({ ...k, permissions: "0644" })),
    {
      file: layout.passwordFile,
      content: passwordFile("ftp", names, secrets.ftpHashes),
      permissions: "0600",
    },
    { file: layout.hostKeyFile, content: pemFile(secrets.hostKey), permissions: "0600" },
    // FTP's bans hold for SFTP too.
    ...includedBanFiles(ftp.bans, {
      watcherFile: layout.banWatcherFile,
      settingsFile: layout.banSettingsFile,
      listFile: layout.bansFile,
      reloadPidFile: layout.pidFile,
    }),
  ];
}
