/**
 * The docker and command providers' own rules, as read in their source (pulumi-docker 5.x,
 * terraform-provider-docker 4.x, pulumi-command 1.x; docs/deploy.md lists them). Pure, so the
 * unit tier pins each rule and the realizer enforces the same functions on what it makes.
 */

const NS = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as const;
type Unit = keyof typeof NS;

/** Go's `time.ParseDuration` for the forms a config uses ("10s", "1m30s", "250ms", "1.5h"). */
export function parseGoDuration(text: string): number {
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  if (text === "0") return 0;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (m === null) throw new Error(`'${text}' is not a Go duration`);
    total += Number(m[1]) * NS[m[2] as Unit];
    at = part.lastIndex;
  }
  if (at === 0) throw new Error(`'${text}' is not a Go duration`);
  return Math.round(total);
}

/** `value / unit` with the fraction's trailing zeros dropped, as Go prints it. */
function withFraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const fraction = value % unit;
  if (fraction === 0) return String(whole);
  const digits = String(fraction)
    .padStart(String(unit).length - 1, "0")
    .replace(/0+$/, "");
  return `${whole}.${digits}`;
}

/** Go's `Duration.String()`: what the provider writes back to state after reading a duration. */
export function goDurationString(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let rest = Math.abs(ns);
  if (rest < NS.us) return `${sign}${rest}ns`;
  if (rest < NS.ms) return `${sign}${withFraction(rest, NS.us)}µs`;
  if (rest < NS.s) return `${sign}${withFraction(rest, NS.ms)}ms`;
  const hours = Math.floor(rest / NS.h);
  rest -= hours * NS.h;
  const minutes = Math.floor(rest / NS.m);
  rest -= minutes * NS.m;
  const head = hours > 0 ? `${hours}h${minutes}m` : minutes > 0 ? `${minutes}m` : "";
  return `${sign}${head}${withFraction(rest, NS.s)}s`;
}

/**
 * A duration that does not come back from state as written shows a diff on every `pulumi up`
 * ("60s" is read back as "1m0s"). Returns the problem, or undefined when it round-trips.
 */
export function durationProblem(field: string, text: string): string | undefined {
  return roundTripProblem(field, text, goDurationString);
}

/** A duration that does not read back as written through `readBack`; undefined when it does. */
function roundTripProblem(field: string, text: string, readBack: (ns: number) => string): string | undefined {
  let canonical: string;
  try {
    canonical = readBack(parseGoDuration(text));
  } catch {
    return `${field}: '${text}' is not a Go duration`;
  }
  return canonical === text
    ? undefined
    : `${field}: '${text}' comes back from the provider as '${canonical}' (a diff on every up); write '${canonical}'`;
}

/**
 * The memory settings as the engine stores them and the provider reads them back: `memory`
 * MiB as given; `memorySwap` unset becomes twice `memory` (the engine's default) or -1 (a host
 * without swap accounting), and the provider reads that back into the unset field. Only -1
 * comes back as written everywhere.
 */
export function memoryProblems(memory: number | undefined, memorySwap: number | undefined): string[] {
  if (memory === undefined || memory === 0) return [];
  if (memorySwap === -1) return [];
  return [
    memorySwap === undefined
      ? `memorySwap: unset with memory ${memory}: the engine stores ${2 * memory} (or -1), which the provider reads back (a diff on every up); set -1`
      : `memorySwap: ${memorySwap} comes back as -1 on a host without swap accounting (a diff on every up there); set -1`,
  ];
}

/**
 * `cpus` as the provider writes it back (helpers.go nanoInt64ToDecimalString over the engine's
 * NanoCPUs): big.Rat's FloatString(9) with its trailing zeros trimmed, or FloatString(1) when
 * that 9-decimal form holds exactly nine zeros. Worked in integers of nano-CPUs here.
 */
export function readBackCpusText(text: string): string {
  const m = /^([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (m === null) throw new Error(`'${text}' is not a decimal CPU count`);
  const fraction = (m[2] ?? "").padEnd(9, "0");
  if (fraction.length > 9) throw new Error(`'${text}' is too precise (Docker takes nano-CPUs)`);
  const nanos = BigInt(m[1]) * 1_000_000_000n + BigInt(fraction);
  const whole = nanos / 1_000_000_000n;
  const nine = `${whole}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`;
  if ((nine.match(/0/g) ?? []).length !== 9) return nine.replace(/0+$/, "");
  // FloatString(1) rounds half away from zero.
  const tenths = (nanos + 50_000_000n) / 100_000_000n;
  return `${tenths / 10n}.${tenths % 10n}`;
}

export function cpusProblems(cpus: string | undefined): string[] {
  if (cpus === undefined) return [];
  let back: string;
  try {
    back = readBackCpusText(cpus);
  } catch (e) {
    return [`cpus: ${(e as Error).message}`];
  }
  return back === cpus
    ? []
    : [`cpus: '${cpus}' comes back from the provider as '${back}' (a diff on every up)`];
}

export interface DeclaredPort {
  readonly internal: number;
  readonly external?: number;
}

/**
 * `ports` is a list, and the provider reads it back from the engine's port map sorted by
 * internal port (flattenContainerPorts): declared in another order, every `up` would see a
 * change, and ports force a replacement.
 */
export function portProblems(ports: readonly DeclaredPort[]): string[] {
  const unsorted = ports.findIndex((p, i) => i > 0 && p.internal < ports[i - 1].internal);
  return unsorted < 0
    ? []
    : [
        `ports: internal ${ports[unsorted].internal} after ${ports[unsorted - 1].internal}: ` +
          "the provider reads ports back sorted by internal port (a replacement on every up); sort them",
      ];
}

export interface DeclaredUpload {
  readonly file: string;
  readonly content?: string;
  readonly permissions?: string;
}

/** What the provider refuses in a container's uploads (it writes each as root:root). */
export function uploadProblems(uploads: readonly DeclaredUpload[]): string[] {
  return uploads.flatMap((u) => {
    const problems: string[] = [];
    if (!u.file.startsWith("/")) problems.push(`upload ${u.file}: the path must be absolute`);
    if (u.content === undefined || u.content === "") {
      problems.push(`upload ${u.file}: empty content (the provider refuses an upload without content)`);
    }
    if (u.permissions !== undefined && !/^0[0-7]{3}$/.test(u.permissions)) {
      problems.push(`upload ${u.file}: permissions '${u.permissions}' do not match ^0[0-7]{3}$`);
    }
    return problems;
  });
}

/** The key blob of an OpenSSH public key line (`type base64 [comment]`). */
export function publicKeyBlob(line: string): Buffer {
  const [, base64] = line.trim().split(/\s+/);
  if (base64 === undefined) throw new Error(`'${line}' is not an OpenSSH public key line`);
  return Buffer.from(base64, "base64");
}

/**
 * What the engine does with a changed resource: replace it when a changed input is one the
 * provider cannot update (forceNew) or one `replaceOnChanges` names ("*": any); else update it
 * in place, where terraform-provider-docker 4.x's container update ignored healthcheck and init
 * (kreuzwerker/terraform-provider-docker#988): those changes never reached the container.
 */
export interface Plan {
  readonly action: "same" | "update" | "replace";
  readonly changed: readonly string[];
  /** Changed inputs an in-place update silently leaves as they were. */
  readonly ignored: readonly string[];
}

/** Container inputs the 4.x provider updates in place; every other change forces replacement. */
const CONTAINER_UPDATABLE = ["restart", "memory", "memorySwap", "cpuShares", "healthcheck", "init"];
const CONTAINER_UPDATE_IGNORES = ["healthcheck", "init"];

export function planContainerChange(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  replaceOnChanges: readonly string[],
): Plan {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (changed.length === 0) return { action: "same", changed, ignored: [] };
  const named = (k: string) => replaceOnChanges.some((r) => r === "*" || r === k || r.startsWith(`${k}.`));
  if (changed.some((k) => named(k) || !CONTAINER_UPDATABLE.includes(k))) {
    return { action: "replace", changed, ignored: [] };
  }
  return { action: "update", changed, ignored: changed.filter((k) => CONTAINER_UPDATE_IGNORES.includes(k)) };
}

/**
 * The provider's `shortDur`: how it reads a service's durations back (stop grace, healthcheck,
 * restart and update delays): Go's `Duration.String()` with a trailing `0s` after minutes and
 * `0m` after hours dropped ("60s" → "1m", "90m" → "1h30m").
 */
export function shortDurString(ns: number): string {
  let s = goDurationString(ns);
  if (s.endsWith("m0s")) s = s.slice(0, -2);
  if (s.endsWith("h0m")) s = s.slice(0, -2);
  return s;
}

/** A service duration that does not come back as written; undefined when it round-trips. */
export function serviceDurationProblem(field: string, text: string): string | undefined {
  return roundTripProblem(field, text, shortDurString);
}

/**
 * What the provider refuses in a Swarm config's or secret's data: it decodes `data` with Go's
 * standard base64 (validateStringIsBase64Encoded) and Swarm names are at most 64 characters.
 */
export function swarmObjectProblems(kind: string, name: string, data: string): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    problems.push(`${kind} ${name}: data is not standard base64 (the provider refuses it)`);
  }
  if (name.length > 64) problems.push(`${kind} ${name}: the name is longer than Swarm's 64 characters`);
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/.test(name)) {
    problems.push(`${kind} ${name}: Swarm names are letters, digits, '_', '.' and '-'`);
  }
  return problems;
}
