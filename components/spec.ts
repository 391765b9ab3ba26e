/**
 * Stack config → one validated, frozen Spec.
 *
 * Every default lives here. Every value that ends up in nginx.conf or vsftpd.conf passes an
 * allow-list pattern here, so the renderers never need to escape anything. No Pulumi import:
 * the renderers and tests use this module directly.
 */
import * as path from "node:path";
import { z } from "zod";

export const PATTERNS = {
  userName: /^[a-z_][a-z0-9_-]{0,31}$/,
  /** One path segment: no leading dot, so neither `..` nor dotfiles. */
  segment: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/,
  relativePath: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})*$/,
  absolutePath: /^(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\/?$/,
  urlPrefix: /^(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\/$/,
  ipv4: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
  hostname: /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  serverName: /^(_|(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/,
  physicalName: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/,
  imageRef:
    /^([a-z0-9]+([._-][a-z0-9]+)*(:[0-9]{1,5})?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
  unixSocket: /^unix:\/\/(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/,
  sshHost: /^ssh:\/\/([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9.-]{1,253})(:([0-9]{1,5}))?$/,
  sshOption: /^[A-Za-z0-9=._\/@:,+-]{1,256}$/,
} as const;

/** Names vsftpd, nginx or the base image already use; a virtual user must not shadow them. */
export const RESERVED_USER_NAMES = ["root", "ftp", "nginx", "www-data", "nobody", "vsftpd-media", "daemon"];

/** Each published passive port is one docker-proxy process and one port entry. */
export const MAX_PASSIVE_PORTS = 100;
export const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything past 72 bytes

const port = z.number().int("must be a whole number").min(1, "must be 1–65535").max(65535, "must be 1–65535");
const unprivilegedPort = port.min(1024, "must be 1024–65535 (passive ports are never privileged)");
const match = (re: RegExp, what: string) => z.string().regex(re, `must be ${what} (match ${re.source})`);
const ipv4 = match(PATTERNS.ipv4, "an IPv4 address");
const relativePath = match(PATTERNS.relativePath, "a relative path without '..', dotfiles or a leading '/'");

const userSchema = z
  .object({
    name: z.string().regex(PATTERNS.userName, `must match ${PATTERNS.userName.source}`),
    password: z
      .string()
      .min(8, "must be at least 8 characters (or leave it unset to generate one)")
      .refine((p) => Buffer.byteLength(p, "utf8") <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes`)
      .refine((p) => !/[\r\n\0]/.test(p), "must not contain line breaks or NUL")
      .optional(),
    root: z.union([z.literal(""), relativePath]).default(""),
    write: z.boolean().default(true),
  })
  .strict();

const locationSchema = z
  .object({
    path: match(PATTERNS.urlPrefix, "a URL prefix like /videos/ (letters, digits, '.', '_', '-'; starts and ends with '/')"),
    directory: relativePath,
    autoindex: z.boolean().default(false),
  })
  .strict();

const defaultLocations = [
  { path: "/videos/", directory: "videos", autoindex: false },
  { path: "/images/", directory: "images", autoindex: false },
];

const rawConfigSchema = z
  .object({
    name: match(PATTERNS.physicalName, "a docker name prefix").optional(),
    target: z
      .object({
        dockerHost: z
          .string()
          .refine((h) => PATTERNS.unixSocket.test(h) || PATTERNS.sshHost.test(h), {
            message: "must be unix:///path/to/docker.sock or ssh://user@host[:port]",
          })
          .default("unix:///var/run/docker.sock"),
        sshOpts: z.array(match(PATTERNS.sshOption, "one ssh argument")).max(32).default([]),
      })
      .strict()
      .default({}),
    media: z
      .object({
        hostPath: z
          .string()
          .refine((p) => PATTERNS.absolutePath.test(p) || PATTERNS.relativePath.test(p), {
            message: "must be a path without '..' or dotfile segments, such as /srv/video-server/media",
          }),
      })
      .strict(),
    ftp: z
      .object({
        port: port.default(21),
        bindAddress: ipv4.default("0.0.0.0"),
        passiveAddress: z
          .string()
          .refine((a) => PATTERNS.ipv4.test(a) || PATTERNS.hostname.test(a), {
            message: "must be an IPv4 address or a host name",
          })
          .optional(),
        passivePorts: z
          .object({ min: unprivilegedPort, max: unprivilegedPort })
          .strict()
          .default({ min: 30000, max: 30009 }),
        users: z.array(userSchema).min(1, "at least one FTP user is required"),
      })
      .strict(),
    http: z
      .object({
        port: port.default(80),
        bindAddress: ipv4.default("0.0.0.0"),
        serverName: match(PATTERNS.serverName, "a host name, *.domain or _").default("_"),
        locations: z.array(locationSchema).min(1, "at least one location is required").default(defaultLocations),
      })
      .strict()
      .default({}),
    images: z
      .object({
        ftp: match(PATTERNS.imageRef, "an image reference such as registry.example.com/vsftpd:1.0").optional(),
        web: match(PATTERNS.imageRef, "an image reference such as nginx:1.27").optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

type RawConfig = z.infer<typeof rawConfigSchema>;

export type Target =
  | { readonly kind: "local"; readonly dockerHost: string; readonly sshOpts: readonly string[] }
  | {
      readonly kind: "ssh";
      readonly dockerHost: string;
      readonly sshOpts: readonly string[];
      readonly user: string;
      readonly host: string;
      readonly port: number;
    };

export interface FtpUserSpec {
  readonly name: string;
  /** Directory inside the media, relative; "" is the whole media. The user is chrooted there. */
  readonly root: string;
  readonly write: boolean;
  /** False when the program generates the password. */
  readonly hasPassword: boolean;
}

export interface FtpSpec {
  readonly port: number;
  readonly bindAddress: string;
  readonly passiveAddress: string;
  readonly passivePorts: { readonly min: number; readonly max: number };
  readonly users: readonly FtpUserSpec[];
  /** Folders vsftpd's user may write to: the location directories, sorted. */
  readonly writableDirectories: readonly string[];
}

export interface LocationSpec {
  readonly path: string;
  readonly directory: string;
  readonly autoindex: boolean;
}

export interface HttpSpec {
  readonly port: number;
  readonly bindAddress: string;
  readonly serverName: string;
  readonly locations: readonly LocationSpec[];
}

/** An image is built from the project's Dockerfile unless a reference overrides it. */
export type ImageSpec =
  | { readonly kind: "build"; readonly name: string; readonly context: string }
  | { readonly kind: "ref"; readonly ref: string };

export interface Spec {
  readonly project: string;
  readonly stack: string;
  /** Prefix of every physical name (containers, volume, images) on the Docker host. */
  readonly name: string;
  readonly target: Target;
  readonly media: { readonly hostPath: string };
  readonly ftp: FtpSpec;
  readonly http: HttpSpec;
  readonly images: { readonly ftp: ImageSpec; readonly web: ImageSpec };
}

/** Plain passwords by user name, as configured; the caller turns them into secrets at once. */
export type ConfiguredPasswords = Readonly<Record<string, string>>;

export interface SpecContext {
  readonly project: string;
  readonly stack: string;
  /** Relative media paths of a local target resolve against this folder. */
  readonly projectDir: string;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    context: string,
  ) {
    super(`Invalid stack config for ${context}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** `["ftp", "users", 1, "name"]` → `ftp.users[1].name` */
export function configPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>(
    (acc, s) => (typeof s === "number" ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s),
    "",
  );
}

/** Validates raw config objects (as parsed from the stack's YAML) and returns the Spec. */
export function parseSpec(raw: unknown, ctx: SpecContext): { spec: Spec; passwords: ConfiguredPasswords } {
  const where = `${ctx.project} (stack ${ctx.stack})`;
  const parsed = checkedSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => (i.code === "custom" && i.params?.related ? i.message : `${configPath(i.path) || "config"}: ${i.message}`)),
      where,
    );
  }
  const built = build(parsed.data, ctx);
  const hostPath = built.spec.media.hostPath;
  if (!PATTERNS.absolutePath.test(hostPath)) {
    throw new ConfigError(
      [`media.hostPath: resolves to '${hostPath}', which has characters outside ${PATTERNS.segment.source}; use an absolute path`],
      where,
    );
  }
  return built;
}

function isInside(child: string, parent: string): boolean {
  return parent === "" || child === parent || child.startsWith(`${parent}/`);
}

/**
 * Field rules and the rules that relate fields, in one pass: zod runs the refinement whenever
 * every field has the right type, even if some failed their patterns, so one message lists both.
 */
const checkedSchema = rawConfigSchema.superRefine((c, ctx) => {
  for (const message of crossCheck(c)) ctx.addIssue({ code: z.ZodIssueCode.custom, message, params: { related: true } });
});

/** Rules that relate several fields; each message starts with the field to change. */
function crossCheck(c: RawConfig): string[] {
  const problems: string[] = [];
  const { ftp, http } = c;
  const { min, max } = ftp.passivePorts;
  const passive = (p: number) => p >= min && p <= max;
  const ssh = PATTERNS.sshHost.exec(c.target.dockerHost);

  if (ssh && ssh[4] !== undefined && (Number(ssh[4]) < 1 || Number(ssh[4]) > 65535)) {
    problems.push("target.dockerHost: the ssh port must be 1–65535");
  }
  if (ssh && !path.posix.isAbsolute(c.media.hostPath)) {
    problems.push("media.hostPath: must be absolute when target.dockerHost is an ssh:// host");
  }
  if (min > max) {
    problems.push(`ftp.passivePorts: min (${min}) must not be greater than max (${max})`);
  } else if (max - min + 1 > MAX_PASSIVE_PORTS) {
    problems.push(`ftp.passivePorts: ${max - min + 1} ports; at most ${MAX_PASSIVE_PORTS} (each is published separately)`);
  }
  if (passive(ftp.port)) problems.push(`ftp.port: ${ftp.port} lies inside ftp.passivePorts ${min}–${max}`);
  if (http.port === ftp.port) problems.push(`http.port: ${http.port} is also ftp.port`);
  if (passive(http.port)) problems.push(`http.port: ${http.port} lies inside ftp.passivePorts ${min}–${max}`);
  if (ftp.passiveAddress === undefined && ftp.bindAddress === "0.0.0.0") {
    problems.push("ftp.passiveAddress: required when ftp.bindAddress is 0.0.0.0 (the address FTP clients reach this host at)");
  }

  const seenUsers = new Map<string, number>();
  ftp.users.forEach((u, i) => {
    if (RESERVED_USER_NAMES.includes(u.name)) {
      problems.push(`ftp.users[${i}].name: '${u.name}' is reserved (${RESERVED_USER_NAMES.join(", ")})`);
    }
    const first = seenUsers.get(u.name);
    if (first !== undefined) problems.push(`ftp.users[${i}].name: '${u.name}' is already ftp.users[${first}]`);
    else seenUsers.set(u.name, i);
  });

  const seenPaths = new Map<string, number>();
  http.locations.forEach((l, i) => {
    const first = seenPaths.get(l.path);
    if (first !== undefined) problems.push(`http.locations[${i}].path: '${l.path}' is already http.locations[${first}]`);
    else seenPaths.set(l.path, i);
    http.locations.forEach((other, j) => {
      if (j < i && (isInside(l.directory, other.directory) || isInside(other.directory, l.directory))) {
        problems.push(
          `http.locations[${i}].directory: '${l.directory}' overlaps http.locations[${j}].directory '${other.directory}'`,
        );
      }
    });
  });

  ftp.users.forEach((u, i) => {
    const containing = http.locations.find((l) => isInside(u.root, l.directory));
    if (containing) {
      problems.push(
        `ftp.users[${i}].root: '${u.root}' is inside the location directory '${containing.directory}'; ` +
          "vsftpd cannot chroot into a folder its user can write; use a parent folder",
      );
    } else if (!http.locations.some((l) => isInside(l.directory, u.root))) {
      problems.push(`ftp.users[${i}].root: no location directory lies inside '${u.root}', so nothing there would be served`);
    }
  });
  return problems;
}

function buildTarget(c: RawConfig["target"]): Target {
  const ssh = PATTERNS.sshHost.exec(c.dockerHost);
  if (!ssh) return { kind: "local", dockerHost: c.dockerHost, sshOpts: c.sshOpts };
  return {
    kind: "ssh",
    dockerHost: c.dockerHost,
    sshOpts: c.sshOpts,
    user: ssh[1],
    host: ssh[2],
    port: ssh[4] === undefined ? 22 : Number(ssh[4]),
  };
}

function build(c: RawConfig, ctx: SpecContext): { spec: Spec; passwords: ConfiguredPasswords } {
  const name = c.name ?? `${ctx.project}-${ctx.stack}`;
  const target = buildTarget(c.target);
  const hostPath = path.posix.isAbsolute(c.media.hostPath)
    ? path.posix.normalize(c.media.hostPath).replace(/\/$/, "")
    : path.posix.join(ctx.projectDir, c.media.hostPath);
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const users = [...c.ftp.users].sort(byName);
  const locations = [...c.http.locations].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tag = ctx.stack.replace(/[^A-Za-z0-9_.-]/g, "-");
  const image = (ref: string | undefined, context: string): ImageSpec =>
    ref === undefined ? { kind: "build", name: `${ctx.project}-${context}:${tag}`, context } : { kind: "ref", ref };

  const spec: Spec = {
    project: ctx.project,
    stack: ctx.stack,
    name,
    target,
    media: { hostPath },
    ftp: {
      port: c.ftp.port,
      bindAddress: c.ftp.bindAddress,
      passiveAddress: c.ftp.passiveAddress ?? c.ftp.bindAddress,
      passivePorts: { ...c.ftp.passivePorts },
      users: users.map((u) => ({ name: u.name, root: u.root, write: u.write, hasPassword: u.password !== undefined })),
      writableDirectories: locations.map((l) => l.directory).sort(),
    },
    http: {
      port: c.http.port,
      bindAddress: c.http.bindAddress,
      serverName: c.http.serverName,
      locations,
    },
    images: { ftp: image(c.images.ftp, "vsftpd"), web: image(c.images.web, "nginx") },
  };
  const passwords: Record<string, string> = {};
  for (const u of users) if (u.password !== undefined) passwords[u.name] = u.password;
  return { spec: deepFreeze(spec), passwords: Object.freeze(passwords) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Passive ports as a list, lowest first. */
export function passivePortList(ftp: Pick<FtpSpec, "passivePorts">): number[] {
  const { min, max } = ftp.passivePorts;
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}
