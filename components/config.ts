/**
 * Reads the stack config through pulumi.Config and hands it to the spec module. Secrets leave
 * here as secret Outputs; nothing else in the program sees them as plain strings.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseSpec, type SecretsOf, type Spec } from "../spec";

/** Top-level keys of the `video-server:` namespace; each but `name` holds an object. */
const OBJECT_KEYS = ["target", "media", "ftp", "http", "sftp", "processing", "edge", "images"] as const;
const KNOWN_KEYS: readonly string[] = ["name", "sshPrivateKey", ...OBJECT_KEYS];

/** Keys of the namespace the program does not read: typos, or `ftp.port` set without --path. */
function unknownKeys(project: string): string[] {
  const prefix = `${project}:`;
  return Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix) && !KNOWN_KEYS.includes(k.slice(prefix.length)))
    .map((k) => k.slice(prefix.length))
    .sort()
    .map((k) =>
      k.includes(".")
        ? `${k}: not a config key; to set a field, use \`pulumi config set --path ${k} <value>\` (and remove this key)`
        : `${k}: not a config key (known: ${KNOWN_KEYS.join(", ")})`,
    );
}

type Secret = pulumi.Output<string>;

/** The config's secrets as Pulumi secrets; `sshPrivateKey` from `pulumi config set --secret sshPrivateKey`. */
export type ProgramSecrets = SecretsOf<Secret>;

export interface ProgramConfig {
  readonly spec: Spec;
  readonly secrets: ProgramSecrets;
}

const secretRecord = (plain: Readonly<Record<string, string>>): Record<string, Secret> =>
  Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, pulumi.secret(v)]));
const secretOrUndefined = (v: string | undefined): Secret | undefined =>
  v === undefined ? undefined : pulumi.secret(v);

export function readConfig(projectDir: string = process.cwd()): ProgramConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const config = new pulumi.Config(project);
  const raw: Record<string, unknown> = {};
  const problems: string[] = unknownKeys(project);
  const name = config.get("name");
  if (name !== undefined) raw.name = name;
  for (const key of OBJECT_KEYS) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      problems.push(
        `${key}: must be an object (set fields with \`pulumi config set --path ${key}.<field> <value>\`)`,
      );
    }
  }
  // Report the keys' problems and the fields' problems in one message.
  const where = `${project} (stack ${stack})`;
  let parsed: ReturnType<typeof parseSpec>;
  try {
    parsed = parseSpec(raw, { project, stack, projectDir });
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigError([...problems, ...error.problems], where) : error;
  }
  if (problems.length > 0) throw new ConfigError(problems, where);
  const { spec, secrets } = parsed;
  return {
    spec,
    secrets: {
      ftpPasswords: secretRecord(secrets.ftpPasswords),
      httpPasswords: secretRecord(secrets.httpPasswords),
      secureLinkSecret: secretOrUndefined(secrets.secureLinkSecret),
      ftpTlsCertificate: secretOrUndefined(secrets.ftpTlsCertificate),
      ftpTlsKey: secretOrUndefined(secrets.ftpTlsKey),
      httpTlsCertificate: secretOrUndefined(secrets.httpTlsCertificate),
      httpTlsKey: secretOrUndefined(secrets.httpTlsKey),
      webhookSecrets: secrets.webhookSecrets.map((s) => pulumi.secret(s)),
      sftpHostKey: secretOrUndefined(secrets.sftpHostKey),
      registryPassword: secretOrUndefined(secrets.registryPassword),
      sshPrivateKey: config.getSecret("sshPrivateKey"),
    },
  };
}
