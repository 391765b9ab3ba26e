/**
 * Runs index.ts under pulumi.runtime.setMocks with a given stack config and records every
 * resource it declares. The unit tier records; the docker tier passes a `create` that makes
 * the real thing.
 */
import * as path from "node:path";

export const PROJECT = "video-server";
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** A config value as written in the stack YAML; objects are JSON-encoded like the CLI does. */
export type StackConfig = Readonly<Record<string, unknown>>;

export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine would receive them, secrets unwrapped. */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of the inputs that arrived as secrets. */
  readonly secretPaths: readonly string[];
  readonly provider?: string;
  readonly id: string;
}

export interface Created {
  readonly id: string;
  readonly state?: Record<string, unknown>;
}

export interface RunOptions {
  readonly stack?: string;
  /** Keys (without namespace) whose values are secret in the stack config. */
  readonly secretKeys?: readonly string[];
  /** Makes a resource; the default only records it. */
  readonly create?: (resource: Omit<DeclaredResource, "id">) => Promise<Created>;
}

export interface ProgramRun {
  readonly resources: readonly DeclaredResource[];
  /** Stack outputs, resolved, with secrets unwrapped. */
  readonly outputs: Record<string, unknown>;
  /** Names of outputs that are secret. */
  readonly secretOutputs: readonly string[];
}

/** The wire form of a secret value (see @pulumi/pulumi runtime/rpc). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function isSecretWire(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Strips secret markers, noting where they were. */
export function unwrapSecrets(value: unknown, at = "", found: string[] = []): unknown {
  if (isSecretWire(value)) {
    found.push(at);
    return unwrapSecrets(value.value, at, found);
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, found)]),
    );
  }
  return value;
}

const fakeState: Record<string, (name: string) => Record<string, unknown>> = {
  "docker:index/image:Image": (name) => ({ repoDigest: `sha256:${"0".repeat(56)}${name.length.toString(16).padStart(8, "0")}` }),
  "docker:index/remoteImage:RemoteImage": () => ({ imageId: `sha256:${"1".repeat(64)}` }),
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `generated-${name}-0123456789` }),
};

export async function runProgram(config: StackConfig, options: RunOptions = {}): Promise<ProgramRun> {
  const stack = options.stack ?? "test";
  const resources: DeclaredResource[] = [];
  jest.resetModules();
  const pulumi = await import("@pulumi/pulumi");
  const settings = await import("@pulumi/pulumi/runtime/settings");

  const allConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    allConfig[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  pulumi.runtime.setAllConfig(allConfig, (options.secretKeys ?? []).map((k) => `${PROJECT}:${k}`));

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const secretPaths: string[] = [];
        const inputs = unwrapSecrets(args.inputs, "", secretPaths) as Record<string, unknown>;
        const declared = { type: args.type, name: args.name, inputs, secretPaths, provider: args.provider };
        const made = options.create ? await options.create(declared) : { id: `${args.name}-id` };
        resources.push({ ...declared, id: made.id });
        const state = { ...inputs, ...(fakeState[args.type]?.(args.name) ?? {}), ...(made.state ?? {}) };
        return { id: made.id, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );

  const cwd = process.cwd();
  process.chdir(PROJECT_DIR);
  let program: Record<string, unknown>;
  try {
    program = (await import("../../index")) as Record<string, unknown>;
  } finally {
    process.chdir(cwd);
  }

  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) {
      if (await pulumi.isSecret(value)) secretOutputs.push(key);
      outputs[key] = await new Promise((resolve) => value.apply(resolve));
    } else {
      outputs[key] = value;
    }
  }
  await settings.disconnect();
  return { resources, outputs, secretOutputs };
}
