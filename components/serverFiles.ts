/**
 * The files each container receives, from the Spec and the secrets as plain strings. Pure: the
 * components call the `FromHashes` forms inside one apply over their secret Outputs (the hashes
 * come from PasswordHashes); the test tiers and the benchmark hash here with the same salts, so
 * all get the same bytes.
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

export type PasswordService = keyof typeof PASSWORD_COST;

/** The bcrypt salt (with its cost) of one user of one service of a stack. */
export function saltFor(spec: Pick<Spec, "project" | "stack">, service: PasswordService, name: string): string {
  // The FTP scope predates the HTTP users; keeping it keeps existing hashes (and containers) stable.
  const scope = service === "ftp" ? `${spec.project}/${spec.stack}` : `${spec.project}/${spec.stack}/http`;
  return passwordSalt(scope, name, PASSWORD_COST[service]);
}

/** `name:hash` lines for `names`; every name needs a hash. */
function passwordFile(service: PasswordService, names: readonly string[], hashes: Readonly<Record<string, string>>): string {
  return renderPasswordFile(
    names.map((name) => {
      const hash = hashes[name];
      if (hash === undefined) throw new Error(`no ${service} password hash for user '${name}'`);
      return { name, hash };
    }),
  );
}

/** Hashes in this process: the program hashes with PasswordHashes instead, once per password. */
export function hashesFor(
  spec: Pick<Spec, "project" | "stack">,
  service: PasswordService,
  names: readonly string[],
  passwords: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const password = passwords[name];
      if (password === undefined) throw new Error(`no ${service} password for user '${name}'`);
      return [name, hashPassword(password, saltFor(spec, service, name))];
    }),
  );
}

/** `name:bcrypt-hash` lines for `names`, salted per stack, service and user, hashed here. */
export function passwordFileFor(
  spec: Pick<Spec, "project" | "stack">,
  service: PasswordService,
  names: readonly string[],
  passwords: Readonly<Record<string, string>>,
): string {
  return passwordFile(service, names, hashesFor(spec, service, names, passwords));
}

export interface FtpHashedSecrets {
  /** Every FTP user's bcrypt hash. */
  readonly ftpHashes: Readonly<Record<string, string>>;
  readonly tlsCertificate?: string;
  readonly tlsKey?: string;
}

export interface WebHashedSecrets {
  readonly httpHashes: Readonly<Record<string, string>>;
  readonly secureLinkSecret?: string;
}

export function ftpFilesFromHashes(spec: Spec, layout: FtpLayout, secrets: FtpHashedSecrets): ServerFile[] {
  return ftpServerFiles(spec.ftp, layout, {
    passwordFile: passwordFile("ftp", spec.ftp.users.map((u) => u.name), secrets.ftpHashes),
    tlsCertificate: secrets.tlsCertificate,
    tlsKey: secrets.tlsKey,
  });
}

export function webFilesFromHashes(spec: Spec, layout: WebLayout, secrets: WebHashedSecrets): ServerFile[] {
  return webServerFiles(spec.http, layout, {
    htpasswd: passwordFile("http", spec.http.users, secrets.httpHashes),
    secureLinkSecret: secrets.secureLinkSecret,
  });
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
  const ftpHashes = hashesFor(spec, "ftp", spec.ftp.users.map((u) => u.name), secrets.ftpPasswords);
  return ftpFilesFromHashes(spec, layout, { ...secrets, ftpHashes });
}

export function webFilesFor(spec: Spec, layout: WebLayout, secrets: WebPlainSecrets): ServerFile[] {
  const httpHashes = hashesFor(spec, "http", spec.http.users, secrets.httpPasswords);
  return webFilesFromHashes(spec, layout, { ...secrets, httpHashes });
}
