/**
 * Reads the stack config through pulumi.Config and hands it to the spec module. Passwords leave
 * here as secret Outputs; nothing else in the program sees them as plain strings.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseSpec, type Spec } from "./spec";

/** Top-level keys of the `video-server:` namespace; each but `name` holds an object. */
const OBJECT_KEYS = ["target", "media", "ftp", "http", "images"] as const;

export interface ProgramConfig {
  readonly spec: Spec;
  /** Configured passwords by user name (secret). Users missing here get a generated one. */
  readonly passwords: Readonly<Record<string, pulumi.Output<string>>>;
  /** Private key for an ssh:// target, from `pulumi config set --secret sshPrivateKey`. */
  readonly sshPrivateKey?: pulumi.Output<string>;
}

export function readConfig(projectDir: string = process.cwd()): ProgramConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const config = new pulumi.Config(project);
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const name = config.get("name");
  if (name !== undefined) raw.name = name;
  for (const key of OBJECT_KEYS) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      problems.push(`${key}: must be an object (set fields with \`pulumi config set --path ${key}.<field> <value>\`)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, `${project} (stack ${stack})`);

  const { spec, passwords } = parseSpec(raw, { project, stack, projectDir });
  const secretPasswords: Record<string, pulumi.Output<string>> = {};
  for (const [user, password] of Object.entries(passwords)) secretPasswords[user] = pulumi.secret(password);
  return { spec, passwords: secretPasswords, sshPrivateKey: config.getSecret("sshPrivateKey") };
}
