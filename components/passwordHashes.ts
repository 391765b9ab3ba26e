import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { saltFor, type PasswordService } from "../containerFiles";
import type { Spec } from "../spec";

export interface PasswordHashesArgs {
  readonly spec: Spec;
  readonly service: PasswordService;
  readonly names: readonly string[];
  /** Every name's password; secret. */
  readonly passwords: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The bcrypt hash of each password, made by a local command that runs only when the password
 * (or its salt) changes; the hash then lives in the stack's state as a secret. Hashing in the
 * program instead would cost every `pulumi up` ~0.1 s per user (bcrypt cost 10 in JavaScript),
 * over a minute and a half for a thousand users.
 */
export class PasswordHashes extends pulumi.ComponentResource {
  /** Hash by user name; secret. */
  public readonly hashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PasswordHashesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-server:index:PasswordHashes", name, {}, opts);
    const hashes: Record<string, pulumi.Output<string>> = {};
    for (const user of args.names) {
      const password = args.passwords[user];
      if (password === undefined)
        throw new Error(`PasswordHashes: no ${args.service} password for user '${user}'`);
      // The salt comes from the bcrypt alphabet ([./A-Za-z0-9$]), safe inside single quotes.
      hashes[user] = new command.local.Command(
        `${name}-${user}`,
        {
          create: `node scripts/bcrypt.js '${saltFor(args.spec, args.service, user)}'`,
          // A re-run would otherwise see the previous hash in PULUMI_COMMAND_STDOUT.
          addPreviousOutputInEnv: false,
          stdin: pulumi.secret(password),
          logging: "none",
        },
        { parent: this, additionalSecretOutputs: ["stdout"] },
      ).stdout;
    }
    // No users, no secret: a secret here would hide the whole nginx.conf diff in previews.
    this.hashes =
      args.names.length === 0 ? pulumi.output<Record<string, string>>({}) : pulumi.secret(pulumi.all(hashes));
    this.registerOutputs({ hashes: this.hashes });
  }
}
