/**
 * bcrypt hashes for pam_pwdfile. Deterministic on purpose: the salt comes from stable, public
 * inputs (project, stack, user), never from the clock or a random source, so the same password
 * gives the same file and a second `pulumi up` changes nothing. The salt never depends on the
 * password: a salt derived from it would give away a fast hash of the password.
 */
import { createHash } from "node:crypto";
import * as bcrypt from "bcryptjs";

export const BCRYPT_COST = 10;

export interface PasswordEntry {
  readonly name: string;
  readonly hash: string;
}

export function passwordSalt(scope: string, userName: string, cost = BCRYPT_COST): string {
  const seed = createHash("sha256").update(`video-server\0${scope}\0${userName}`).digest();
  return `$2b$${String(cost).padStart(2, "0")}$${bcrypt.encodeBase64(seed.subarray(0, 16), 16)}`;
}

export function hashPassword(password: string, salt: string): string {
  return bcrypt.hashSync(password, salt);
}

/** `name:hash` lines, sorted by name. */
export function renderPasswordFile(entries: readonly PasswordEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.name}:${e.hash}\n`)
    .join("");
}
