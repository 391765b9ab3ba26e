import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
  HASH_COMMAND,
  hashBuckets,
  hashInput,
  parseHashOutput,
  saltFor,
  type PasswordService,
} from "../containerFiles";
import type { Spec } from "../spec";

export interface PasswordHashesArgs {
  readonly spec: Spec;
  readonly service: PasswordService;
  readonly names: readonly string[];
  /** Every name's password; secret. */
  readonly passwords: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The bcrypt hash of each password, made by local commands (one per bucket of users) that run
 * only when a password of their bucket, its salt or the bucket's users change; the hashes then
 * live in the stack's state as secrets. Hashing in the program instead would cost every
 * `pulumi up` ~0.1 s per user (bcrypt cost 10 in JavaScript), over a minute and a half for a
 * thousand users.
 */
export class PasswordHashes extends pulumi.ComponentResource {
  /** Hash by user name; secret. */
  public readonly hashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PasswordHashesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:PasswordHashes", name, {}, opts);
    for (const user of args.names) {
      if (args.passwords[user] === undefined)
        throw new Error(`PasswordHashes: no ${args.service} password for user '${user}'`);
    }
    const buckets = [...hashBuckets(args.names)].map(([bucket, users]) => {
      const salts = users.map((user) => saltFor(args.spec, args.service, user));
      const passwords = pulumi.all(users.map((user) => args.passwords[user]));
      const hashed = new command.local.Command(
        `${name}-bucket-${bucket}`,
        {
          create: HASH_COMMAND,
          // A re-run would otherwise see the previous hashes in PULUMI_COMMAND_STDOUT.
          addPreviousOutputInEnv: false,
          stdin: pulumi.secret(passwords.apply((p) => hashInput(salts, p))),
          logging: "none",
        },
        { parent: this, additionalSecretOutputs: ["stdout"] },
      );
      return hashed.stdout.apply((stdout) => parseHashOutput(stdout, users));
    });
    // Keys in the order of `names`, as when each user had a command of its own.
    const byName = pulumi.all(buckets).apply((parts) => {
      const all: Record<string, string> = Object.fromEntries(parts.flatMap((part) => Object.entries(part)));
      return Object.fromEntries(args.names.map((user) => [user, all[user]]));
    });
    // No users, no secret: a secret here would hide the whole nginx.conf diff in previews.
    this.hashes = args.names.length === 0 ? pulumi.output<Record<string, string>>({}) : pulumi.secret(byName);
    this.registerOutputs({ hashes: this.hashes });
  }
}
