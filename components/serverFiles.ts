/**
 * The files each container receives, from the Spec and the secrets as plain strings. Pure: the
 * components call it inside one apply over their secret Outputs, the services tier and
 * `npm run render` call it directly, so all three get the same bytes.
 */
import { webServerFiles } from "../nginx/conf";
import { ftpServerFiles } from "../vsftpd/conf";
import type { FtpLayout, ServerFile, WebLayout } from "./layout";
import { BCRYPT_COST, hashPassword, passwordSalt, renderPasswordFile } from "./passwords";
import type { Spec } from "./spec";

/**
 * bcrypt cost per service. vsftpd checks a password once per login; nginx checks basic auth on
 * every request, in its event loop: at cost 10 that is ~65 ms of a worker per request (a player
 * sends one per seek), at 5 about 3 ms. Cost 5 still costs an attacker who has the file 32
 * bcrypt rounds per guess; long passwords matter more than the cost here.
 */
export const PASSWORD_COST = { ftp: BCRYPT_COST, http: 5 } as const;

/** `name:bcrypt-hash` lines for `names`, salted per stack, service and user. */
export function passwordFileFor(
  spec: Pick<Spec, "project" | "stack">,
  service: "ftp" | "http",
  names: readonly string[],
  passwords: Readonly<Record<string, string>>,
): string {
  // The FTP scope predates the HTTP users; keeping it keeps existing hashes (and containers) stable.
  const scope = service === "ftp" ? `${spec.project}/${spec.stack}` : `${spec.project}/${spec.stack}/http`;
  return renderPasswordFile(
    names.map((name) => {
      const password = passwords[name];
      if (password === undefined) throw new Error(`no ${service} password for user '${name}'`);
      return { name, hash: hashPassword(password, passwordSalt(scope, name, PASSWORD_COST[service])) };
    }),
  );
}

export interface FtpPlainSecrets {
  /** Every FTP user's password, generated ones included. */
  readonly ftpPasswords: Readonly<Record<string, string>>;
  readonly tlsCertificate?: string;
  readonly tlsKey?: string;
}

export interface WebPlainSecrets {
  readonly httpPasswords: Readonly<Record<string, string>>;
  readonly secureLinkSecret?: string;
}

export function ftpFilesFor(spec: Spec, layout: FtpLayout, secrets: FtpPlainSecrets): ServerFile[] {
  return ftpServerFiles(spec.ftp, layout, {
    passwordFile: passwordFileFor(spec, "ftp", spec.ftp.users.map((u) => u.name), secrets.ftpPasswords),
    tlsCertificate: secrets.tlsCertificate,
    tlsKey: secrets.tlsKey,
  });
}

export function webFilesFor(spec: Spec, layout: WebLayout, secrets: WebPlainSecrets): ServerFile[] {
  return webServerFiles(spec.http, layout, {
    htpasswd: passwordFileFor(spec, "http", spec.http.users, secrets.httpPasswords),
    secureLinkSecret: secrets.secureLinkSecret,
  });
}
