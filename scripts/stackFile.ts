/**
 * Pulumi.<stack>.yaml read the way the program reads its config (components/config.ts): the
 * `<project>:` keys of the schema, with placeholders where secrets would be (placeholders.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { rawConfigSchema } from "../spec";
import { fillRequiredSecrets, isRecord, replaceEncrypted, type Substitution } from "./placeholders";

/** A stack that cannot be rendered for a reason other than its config values (those throw ConfigError). */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}

export interface StackSource {
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** The `<project>:` keys, namespace stripped, `secure:` values and missing secrets replaced. */
  readonly config: Record<string, unknown>;
  readonly substitutions: readonly Substitution[];
  /** Values of the stack file that are secrets in clear (none in a well-kept file). */
  readonly clearSecrets: readonly string[];
  readonly ignoredKeys: readonly string[];
}

/** Top-level keys the program reads (components/config.ts): `name` and the schema's objects. */
const PROGRAM_KEYS = Object.keys(rawConfigSchema.shape);
/** A top-level secret the program reads with getSecret, outside the schema. */
const SSH_KEY = "sshPrivateKey";
/** Pulumi accepts more; these are the ones that make a safe file name. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function projectName(projectDir: string): string {
  const file = path.join(projectDir, "Pulumi.yaml");
  const doc: unknown = parse(fs.readFileSync(file, "utf8"));
  if (!isRecord(doc) || typeof doc.name !== "string") throw new RenderError(`${file}: no project name`);
  return doc.name;
}

export function availableStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Reads Pulumi.<stack>.yaml and puts placeholders where secrets would be. */
export function readStack(projectDir: string, stack: string): StackSource {
  if (!STACK_NAME.test(stack))
    throw new RenderError(`--stack: '${stack}' is not a stack name (letters, digits, '.', '_', '-')`);
  const project = projectName(projectDir);
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    const known = availableStacks(projectDir);
    throw new RenderError(`no stack file ${file}; stacks here: ${known.length ? known.join(", ") : "none"}`);
  }
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new RenderError(
      `${file}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const config = isRecord(doc) && isRecord(doc.config) ? doc.config : {};
  const prefix = `${project}:`;
  const raw: Record<string, unknown> = {};
  const ignoredKeys: string[] = [];
  const clearSecrets: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name === SSH_KEY) {
      if (typeof value === "string") clearSecrets.push(value);
    } else if (PROGRAM_KEYS.includes(name)) {
      raw[name] = value;
    } else {
      ignoredKeys.push(key);
    }
  }
  for (const name of PROGRAM_KEYS) {
    const value = raw[name];
    if (
      name !== "name" &&
      isRecord(value) &&
      Object.keys(value).length === 1 &&
      typeof value.secure === "string"
    ) {
      throw new RenderError(
        `${prefix}${name} is encrypted as a whole; keep its structure in clear and set only the secret fields ` +
          `(\`pulumi config set --secret --path '${name}.<field>' …\`)`,
      );
    }
  }
  const substitutions: Substitution[] = [];
  const filled = fillRequiredSecrets(
    replaceEncrypted(raw, substitutions) as Record<string, unknown>,
    substitutions,
  );
  return { project, stack, file, config: filled, substitutions, clearSecrets, ignoredKeys };
}
