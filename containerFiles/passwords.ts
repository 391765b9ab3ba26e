/**
 * bcrypt hashes for pam_pwdfile and nginx's auth_basic. Deterministic on purpose: the salt comes
 * from stable, public inputs (project, stack, service, user), never from the clock or a random
 * source, so the same password gives the same file and a second `pulumi up` changes nothing. The
 * salt never depends on the password: a salt derived from it would give away a fast hash of it.
 */
import * as bcrypt from "bcryptjs";
import { createHash } from "node:crypto";
import type { Spec } from "../spec";

/**
 * bcrypt cost per service. vsftpd checks a password once per login; nginx checks basic auth on
 * every request, in its event loop, so its cost is low (bench/README.md has the figures). Cost 5
 * still costs an attacker who has the file 32 bcrypt rounds per guess; long passwords matter more.
 */
export const PASSWORD_COST = { ftp: 10, http: 5 } as const;

export type PasswordService = keyof typeof PASSWORD_COST;

export interface PasswordEntry {
  readonly name: string;
  readonly hash: string;
}

function passwordSalt(scope: string, userName: string, cost: number): string {
  const seed = createHash("sha256").update(`video-server\0${scope}\0${userName}`).digest();
  return `$2b$${String(cost).padStart(2, "0")}$${bcrypt.encodeBase64(seed.subarray(0, 16), 16)}`;
}

/** The bcrypt salt (with its cost) of one user of one service of a stack. */
export function saltFor(
  spec: Pick<Spec, "project" | "stack">,
  service: PasswordService,
  name: string,
): string {
  // The FTP scope predates the HTTP users; keeping it keeps existing hashes (and containers) stable.
  const scope = service === "ftp" ? `${spec.project}/${spec.stack}` : `${spec.project}/${spec.stack}/http`;
  return passwordSalt(scope, name, PASSWORD_COST[service]);
}

export function hashPassword(password: string, salt: string): string {
  return bcrypt.hashSync(password, salt);
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

/** `name:hash` lines, sorted by name. */
export function renderPasswordFile(entries: readonly PasswordEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.name}:${e.hash}\n`)
    .join("");
}
