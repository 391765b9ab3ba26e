/**
 * What each container receives: the exact file list, from the Spec, a layout and the container's
 * secrets in hashed form. Pure. The program hashes with PasswordHashes (once per password, kept
 * in state); the test tiers, the benchmark and `npm run render` hash with `containerSecrets` (or
 * pass placeholders) and call these same two functions, so all get the same bytes.
 */
import { renderNginxConf } from "../nginx/conf";
import { galleryEntries, renderGalleryPage } from "../nginx/gallery";
import type { ConfiguredSecrets, ContainerFile, FtpLayout, Spec, WebLayout } from "../spec";
import { renderFolderList, renderPamService, renderUserConfigs, renderVsftpdConf } from "../vsftpd/conf";
import { hashesFor, renderPasswordFile } from "./passwords";

export { PASSWORD_COST, hashPassword, hashesFor, saltFor, type PasswordService } from "./passwords";

/** What the vsftpd container's files hold of the secrets. */
export interface FtpContainerSecrets {
  /** Every FTP user's bcrypt hash, generated passwords included. */
  readonly ftpHashes: Readonly<Record<string, string>>;
  /** PEM text; present when ftp.tls is not "off". */
  readonly tlsCertificate?: string;
  readonly tlsKey?: string;
}

/** What the nginx container's files hold of the secrets. */
export interface WebContainerSecrets {
  /** Every basic-auth user's bcrypt hash. */
  readonly httpHashes: Readonly<Record<string, string>>;
  /** Present when a location uses secure links. */
  readonly secureLinkSecret?: string;
}

/** `name:hash` lines for `names`; every name needs a hash. */
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

/** PEM read by OpenSSL line by line: end the last line, as `$(cat cert.pem)` strips it. */
const pemFile = (pem: string): string => (pem.endsWith("\n") ? pem : `${pem}\n`);

/** The certificate (world-readable, it is public) and the key (root only); none when TLS is off. */
function tlsFiles(spec: Spec, layout: FtpLayout, secrets: FtpContainerSecrets): ContainerFile[] {
  const { tls } = spec.ftp;
  if (tls === "off") return [];
  const { tlsCertificate, tlsKey } = secrets;
  if (tlsCertificate === undefined || tlsKey === undefined) {
    throw new Error(
      `ftp.tls is ${tls} but no ftp.tlsCertificate and ftp.tlsKey were given (the config rules require both)`,
    );
  }
  return [
    { file: layout.tlsCertificateFile, content: pemFile(tlsCertificate), permissions: "0644" },
    { file: layout.tlsKeyFile, content: pemFile(tlsKey), permissions: "0600" },
  ];
}

/** Every file the vsftpd container receives, in a stable order. */
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
    // Only root reads the password hashes.
    {
      file: layout.passwordFile,
      content: passwordFile("ftp", names, secrets.ftpHashes),
      permissions: "0600",
    },
    ...tlsFiles(spec, layout, secrets),
  ];
}

/**
 * Every file the nginx container receives. All are 0644: nginx's workers run as `nobody` and read
 * the password file on each request, and docker uploads are owned by root:root, so a 0640 file
 * would be unreadable to them. Nothing else runs in the container.
 */
export function webContainerFiles(
  spec: Spec,
  layout: WebLayout,
  secrets: WebContainerSecrets,
): ContainerFile[] {
  const { http } = spec;
  const htpasswd = passwordFile("http", http.users, secrets.httpHashes);
  return [
    {
      file: layout.configFile,
      content: renderNginxConf(http, layout, secrets.secureLinkSecret),
      permissions: "0644",
    },
    ...(http.users.length > 0 ? [{ file: layout.htpasswdFile, content: htpasswd, permissions: "0644" }] : []),
    ...(http.gallery.enabled
      ? [{ file: layout.galleryFile, content: renderGalleryPage(galleryEntries(http)), permissions: "0644" }]
      : []),
  ];
}

/**
 * Both containers' secrets from plain config secrets, hashed here with the program's salts.
 * `ftpPasswords` must hold every FTP user (generated passwords too). Costs ~0.1 s per FTP user.
 */
export function containerSecrets(
  spec: Spec,
  secrets: ConfiguredSecrets,
): { readonly ftp: FtpContainerSecrets; readonly web: WebContainerSecrets } {
  return {
    ftp: {
      ftpHashes: hashesFor(
        spec,
        "ftp",
        spec.ftp.users.map((u) => u.name),
        secrets.ftpPasswords,
      ),
      tlsCertificate: secrets.tlsCertificate,
      tlsKey: secrets.tlsKey,
    },
    web: {
      httpHashes: hashesFor(spec, "http", spec.http.users, secrets.httpPasswords),
      secureLinkSecret: secrets.secureLinkSecret,
    },
  };
}
