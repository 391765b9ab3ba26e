// Salts come from stable, public inputs, so a second `pulumi up` changes nothing; never from the
// password, as a salt derived from it would give away a fast hash of it.
import * as bcrypt from "bcryptjs";
import { createHash } from "node:crypto";
import type { Spec } from "../spec";

// nginx checks basic auth on every request, in its event loop, hence its low cost (figures in
// docs/delivery.md); vsftpd checks once per login. Long passwords matter more than the cost.
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

/** The program hashes with PasswordHashes instead, once per password. */
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

export function renderPasswordFile(entries: readonly PasswordEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.name}:${e.hash}\n`)
    .join("");
}
