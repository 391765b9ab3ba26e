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

/**
 * PasswordHashes makes the users' hashes with at most this many commands. Each command is a
 * resource that every `pulumi up` registers, a few ms each (one per user made a thousand users
 * cost ~10 s); a changed password re-hashes the passwords of its bucket (~0.1 s each).
 */
export const HASH_BUCKETS = 16;

/** A user's bucket, from the name alone: adding or removing a user moves no other user. */
export function hashBucket(userName: string): number {
  return createHash("sha256").update(userName).digest().readUInt32BE(0) % HASH_BUCKETS;
}

/** The users of each bucket, sorted by name: the order of the config changes nothing. */
export function hashBuckets(names: readonly string[]): Map<number, string[]> {
  const buckets = new Map<number, string[]>();
  for (const name of [...names].sort()) {
    const bucket = hashBucket(name);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), name]);
  }
  return buckets;
}

/**
 * The command PasswordHashes runs per bucket (scripts/bcrypt.js): it reads `hashInput`, one
 * line per user, and prints one hash per line in the same order.
 */
export const HASH_COMMAND = "node scripts/bcrypt.js";

/** HASH_COMMAND's stdin: `<salt> <password>` per user (passwords have no line breaks). */
export function hashInput(salts: readonly string[], passwords: readonly string[]): string {
  return salts.map((salt, i) => `${salt} ${passwords[i]}`).join("\n");
}

/** What HASH_COMMAND prints for `input`, computed in process. */
export function hashCommandOutput(input: string): string {
  return input
    .split("\n")
    .map((line) => {
      const space = line.indexOf(" ");
      return hashPassword(line.slice(space + 1), line.slice(0, space));
    })
    .join("\n");
}

/** HASH_COMMAND's output, by user name: one hash per line, in the order of `users`. */
export function parseHashOutput(stdout: string, users: readonly string[]): Record<string, string> {
  const hashes = stdout.trimEnd().split("\n");
  if (hashes.length !== users.length || !hashes.every((h) => /^\$2b\$\d\d\$[./A-Za-z0-9]{53}$/.test(h)))
    throw new Error(`${HASH_COMMAND} printed no ${users.length} bcrypt hashes, one per line`);
  return Object.fromEntries(users.map((user, i) => [user, hashes[i]]));
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
