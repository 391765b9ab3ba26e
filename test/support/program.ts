/**
 * Runs index.ts (or one component) under pulumi.runtime.setMocks with a given stack config and
 * records every resource it declares. The unit tier records; the docker tier passes a `create`
 * that makes the real thing.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import * as path from "node:path";
import { HASH_COMMAND, hashCommandOutput } from "../../containerFiles";
import { PROJECT, PROJECT_DIR, type StackConfig } from "./project";

export { PROJECT, PROJECT_DIR, type StackConfig };

export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine would receive them, secrets unwrapped. */
  readonly inputs: Record<string, unknown>;
  /** The same inputs with every secret value replaced by "[secret]": what state shows in clear. */
  readonly publicInputs: Record<string, unknown>;
  /** Dotted paths of the inputs that arrived as secrets. */
  readonly secretPaths: readonly string[];
  readonly provider?: string;
  readonly options: ResourceOptionsSeen;
  readonly id: string;
}

/** Resource options as the engine receives them (mocks do not pass these to newResource). */
export interface ResourceOptionsSeen {
  /** URN of the parent resource; "" for the stack itself. */
  readonly parent: string;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly protect: boolean;
  readonly dependsOn: readonly string[];
  /** Input paths whose change replaces the resource ("*": any). */
  readonly replaceOnChanges: readonly string[];
  /** Input paths whose changes the engine ignores after create. */
  readonly ignoreChanges: readonly string[];
}

/** The part of a RegisterResourceRequest read here. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getReplaceonchangesList(): string[];
  getIgnorechangesList(): string[];
}

interface Monitor {
  registerResource(req: RegisterRequest, callback: unknown): unknown;
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

/** Replaces secret values by "[secret]". */
export function redactSecrets(value: unknown): unknown {
  if (isSecretWire(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
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

/** What scripts/bcrypt.js would print for a PasswordHashes command: the same bcrypt, in process. */
function bcryptCommandOutput(inputs: Record<string, unknown>): Record<string, unknown> {
  return inputs.create === HASH_COMMAND ? { stdout: hashCommandOutput(String(inputs.stdin)) } : {};
}

const fakeState: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> =
  {
    "command:local:Command": (_, inputs) => bcryptCommandOutput(inputs),
    "docker:index/image:Image": (name) => ({
      repoDigest: `sha256:${"0".repeat(56)}${name.length.toString(16).padStart(8, "0")}`,
    }),
    "docker:index/remoteImage:RemoteImage": () => ({ imageId: `sha256:${"1".repeat(64)}` }),
    "random:index/randomPassword:RandomPassword": (name) => ({ result: `generated-${name}-0123456789` }),
    // A fixed key pair per resource name: what tls.PrivateKey outputs, shaped as the provider's.
    "tls:index/privateKey:PrivateKey": (name) => fakeSshHostKey(name),
  };

/** An Ed25519 key pair derived from `name` (deterministic), as tls.PrivateKey reports it. */
function fakeSshHostKey(name: string): Record<string, string> {
  const seed = createHash("sha256").update(`host-key ${name}`).digest();
  // PKCS#8 DER of an Ed25519 private key: a fixed 16-byte prefix, then the 32-byte seed.
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const raw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
  const sshString = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(raw)]);
  return {
    privateKeyOpenssh: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKeyOpenssh: `ssh-ed25519 ${blob.toString("base64")}\n`,
    publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`,
  };
}

/** The program threw; `resources` holds what it had declared by then. */
export class ProgramFailed extends Error {
  constructor(
    readonly cause: unknown,
    readonly resources: readonly DeclaredResource[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramFailed";
  }
}

/** Runs index.ts with `config` as the stack config. */
export function runProgram(config: StackConfig, options: RunOptions = {}): Promise<ProgramRun> {
  return runMocked(() => import("../../index") as Promise<Record<string, unknown>>, config, options);
}

const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * Outside jest (the benches) there is no module registry to reset: the program's own files and
 * the Pulumi SDKs leave node's require cache instead, so a second run in one process (a second
 * stack, or one config after another) declares its resources afresh through a fresh SDK.
 */
function forgetProgramModules(): void {
  const kept = [path.join(REPO_ROOT, "test"), path.join(REPO_ROOT, "bench")];
  for (const file of Object.keys(require.cache)) {
    const sdk = file.includes(`${path.sep}node_modules${path.sep}@pulumi${path.sep}`);
    const ours =
      file.startsWith(`${REPO_ROOT}${path.sep}`) &&
      !file.includes(`${path.sep}node_modules${path.sep}`) &&
      !kept.some((dir) => file.startsWith(`${dir}${path.sep}`));
    if (sdk || ours) delete require.cache[file];
  }
}

/**
 * Runs `declare` under fresh Pulumi mocks with `config` as the stack config, and records every
 * resource it declares; the Outputs among its result become the run's outputs. `declare` imports
 * what it declares itself (`await import(...)`): each run has a fresh copy of the SDK, and a
 * component imported before would register through another one.
 */
export async function runMocked(
  declare: () => Promise<Record<string, unknown>>,
  config: StackConfig = {},
  options: RunOptions = {},
): Promise<ProgramRun> {
  const stack = options.stack ?? "test";
  const resources: DeclaredResource[] = [];
  const optionsSeen = new Map<string, ResourceOptionsSeen>();
  if (typeof jest !== "undefined") jest.resetModules();
  else forgetProgramModules();
  // Each fresh copy of the SDK adds its own process exit listeners (the hostile cases run
  // hundreds of programs in one worker); they are not a leak that outlives the test run.
  process.setMaxListeners(0);
  const pulumi = await import("@pulumi/pulumi");
  const settings = await import("@pulumi/pulumi/runtime/settings");

  const allConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    allConfig[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  pulumi.runtime.setAllConfig(
    allConfig,
    (options.secretKeys ?? []).map((k) => `${PROJECT}:${k}`),
  );

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const secretPaths: string[] = [];
        const inputs = unwrapSecrets(args.inputs, "", secretPaths) as Record<string, unknown>;
        const seen = optionsSeen.get(`${args.type}::${args.name}`);
        if (!seen) throw new Error(`no registration seen for ${args.type} ${args.name}`);
        const publicInputs = redactSecrets(args.inputs) as Record<string, unknown>;
        const declared = {
          type: args.type,
          name: args.name,
          inputs,
          publicInputs,
          secretPaths,
          provider: args.provider,
          options: seen,
        };
        const made = options.create
          ? await options.create(declared).catch((e: unknown) => {
              createFailed(e);
              throw e;
            })
          : { id: `${args.name}-id` };
        resources.push({ ...declared, id: made.id });
        const state = {
          ...inputs,
          ...(fakeState[args.type]?.(args.name, inputs) ?? {}),
          ...(made.state ?? {}),
        };
        return { id: made.id, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    false,
  );

  // A resource that cannot be made leaves the stack's outputs unresolved for ever; the run
  // fails with that resource's error instead, as `pulumi up` does.
  let createFailed: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (createFailed = reject));
  failure.catch(() => undefined);

  const monitor = settings.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    optionsSeen.set(`${req.getType()}::${req.getName()}`, {
      parent: req.getParent(),
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      protect: req.getProtect() ?? false,
      dependsOn: req.getDependenciesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      ignoreChanges: req.getIgnorechangesList(),
    });
    return register(req, callback);
  };

  const cwd = process.cwd();
  process.chdir(PROJECT_DIR);
  let program: Record<string, unknown>;
  try {
    program = await declare();
  } catch (error) {
    await settings.disconnect();
    throw new ProgramFailed(error, resources);
  } finally {
    process.chdir(cwd);
  }

  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  try {
    for (const [key, value] of Object.entries(program)) {
      if (pulumi.Output.isInstance(value)) {
        if (await Promise.race([pulumi.isSecret(value), failure])) secretOutputs.push(key);
        outputs[key] = await Promise.race([new Promise((resolve) => value.apply(resolve)), failure]);
      } else {
        outputs[key] = value;
      }
    }
    // Disconnecting waits for every registration: the run is done when all resources are made.
    await Promise.race([settings.disconnect(), failure]);
  } catch (error) {
    // Resources that wait on the failed one never register, and disconnect would wait for them.
    const detach = settings.disconnect().catch(() => undefined);
    await Promise.race([detach, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    throw new ProgramFailed(error, resources);
  }
  return { resources, outputs, secretOutputs };
}

/** The declared resource of that name; fails naming the ones there are. */
export function resourceNamed(run: ProgramRun, name: string): DeclaredResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found)
    throw new Error(`no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
  return found;
}

/** How the program refuses `config`; fails the test when the program runs. */
export async function programFailure(config: StackConfig, options: RunOptions = {}): Promise<ProgramFailed> {
  const outcome = await runProgram(config, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof ProgramFailed))
    throw new Error("expected the program to reject the config, but it ran");
  return outcome;
}
