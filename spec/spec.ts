/**
 * Stack config → one validated, frozen Spec.
 *
 * Defaults and allow-list patterns live in schema.ts, rules between fields in rules.ts; this
 * module turns a valid config into the Spec and hands the secrets back separately. No Pulumi
 * import: the renderers and tests use it directly.
 */
import * as path from "node:path";
import { crossCheck } from "./rules";
import type { HlsSettings, PublishMode, WebhookEvent } from "../worker/src/settings";
import {
  DEFAULT_HSTS_SECONDS,
  DEFAULT_MAX_PER_IP,
  PATTERNS,
  PLATFORMS,
  passiveClientLimit,
  rawConfigSchema,
  readBackCpus,
  edgeSchema,
  sizeBytes,
  type RawConfig,
} from "./schema";

export type Platform = (typeof PLATFORMS)[number];

/** host: containers on one Docker host; swarm: Swarm services, an origin and edge caches. */
export type TargetMode = "host" | "swarm";

export type Target =
  | {
      readonly kind: "local";
      readonly mode: TargetMode;
      readonly dockerHost: string;
      readonly sshOpts: readonly string[];
      readonly platform: Platform;
    }
  | {
      readonly kind: "ssh";
      readonly mode: TargetMode;
      readonly dockerHost: string;
      readonly sshOpts: readonly string[];
      readonly platform: Platform;
      readonly user: string;
      readonly host: string;
      readonly port: number;
      /** The server's public host key (`type base64`), checked by remote commands when set. */
      readonly hostKey?: string;
    };

export interface FtpUserSpec {
  readonly name: string;
  /** Directory inside the media, relative; "" is the whole media. The user is chrooted there. */
  readonly root: string;
  readonly write: boolean;
  /** False when the program generates the password. */
  readonly hasPassword: boolean;
  /** Bytes per second per transfer, up or down; absent: no limit. */
  readonly maxRate?: number;
  /** OpenSSH public key lines that log the user in over SFTP. */
  readonly sshKeys: readonly string[];
}

/** OpenSSH's internal-sftp (sftp/); absent when sftp.enabled is false. */
export interface SftpSpec {
  /** Published on ftp.bindAddress. */
  readonly port: number;
  readonly maxAuthTries: number;
  /** Seconds. */
  readonly loginGraceTime: number;
  readonly maxStartups: number;
  readonly maxSessions: number;
  /** MiB; 0: no limit. */
  readonly memoryLimit: number;
  /** False: the program generates an Ed25519 host key and keeps it in state. */
  readonly hasHostKey: boolean;
}

export type TlsMode = "off" | "enabled" | "required";

export interface FtpSpec {
  readonly port: number;
  readonly bindAddress: string;
  readonly passiveAddress: string;
  readonly passivePorts: { readonly min: number; readonly max: number };
  readonly users: readonly FtpUserSpec[];
  /** Folders vsftpd's user may write to: the location directories, sorted. */
  readonly writableDirectories: readonly string[];
  /**
   * The directories of verified locations, sorted: there the user writes only to `.incoming/`
   * (and may clear `.rejected/`); the folder itself belongs to the worker that publishes into it.
   */
  readonly verifiedDirectories: readonly string[];
  readonly tls: TlsMode;
  readonly maxLoginFails: number;
  /** Seconds. */
  readonly delayFailedLogin: number;
  readonly maxPerIp: number;
  readonly maxClients: number;
  readonly bans: BanSpec;
  /** MiB; 0: no limit. */
  readonly memoryLimit: number;
}

/** Bans across connections (vsftpd/bans.sh); off when afterFails is 0. */
export interface BanSpec {
  readonly afterFails: number;
  readonly windowSeconds: number;
  readonly seconds: number;
}

export interface LocationSpec {
  readonly path: string;
  readonly directory: string;
  readonly autoindex: boolean;
  readonly mp4: boolean;
  readonly secureLink: boolean;
  /** Addresses or CIDRs; when any is given, everyone else is denied. */
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly basicAuth: boolean;
  /** Allowed CORS origins, or ["*"]; empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  readonly cacheSeconds: number;
  readonly limitRate?: string;
  readonly limitRateAfter?: string;
  readonly limitConnPerIp?: number;
  readonly publish: PublishMode;
  /** An HLS ladder per video (renditions ascending); absent: none. */
  readonly hls?: HlsSettings;
}

/** The media worker (worker/); absent when processing.enabled is false. */
export interface ProcessingSpec {
  readonly rescanSeconds: number;
  readonly concurrency: number;
  readonly maxFileSize: number;
  readonly posterWidth: number;
  readonly previews: boolean;
  /** Docker's `--cpus`, spelled as the provider reads it back (readBackCpus). */
  readonly cpus: string;
  /** MiB; 0: no limit. */
  readonly memoryLimit: number;
  /** Webhook targets in config order; their secrets are in SecretsOf.webhookSecrets. */
  readonly webhooks: readonly { readonly url: string; readonly events: readonly WebhookEvent[] }[];
  readonly webhookRetrySeconds: number;
}

export interface HttpTlsSpec {
  readonly mode: TlsMode;
  /** The published HTTPS port (the container listens on 443). */
  readonly httpsPort: number;
  /** Seconds of `Strict-Transport-Security`; sent only when mode is required, never when 0. */
  readonly hstsMaxAge: number;
}

export interface HttpSpec {
  readonly port: number;
  readonly bindAddress: string;
  readonly serverName: string;
  readonly locations: readonly LocationSpec[];
  /** Basic-auth user names, sorted; passwords are secrets. */
  readonly users: readonly string[];
  readonly gallery: { readonly enabled: boolean; readonly path: string };
  readonly directio: string;
  /** worker_connections: connections one nginx worker holds at once. */
  readonly maxConnections: number;
  /** `aio threads` in MP4 locations. */
  readonly aioThreads: boolean;
  /** The web server's access log: buffered, unbuffered or off. */
  readonly accessLog: "buffered" | "unbuffered" | "off";
  readonly tls: HttpTlsSpec;
  /** MiB; 0: no limit. */
  readonly memoryLimit: number;
  /** Bans after failed basic-auth requests; off (afterFails 0) when no location has basic auth. */
  readonly bans: BanSpec;
  /** The media worker runs: nginx serves its derived files and the gallery shows posters. */
  readonly derived: boolean;
}

/** The edge caches of swarm mode (docs/scale-out.md). */
export interface EdgeSpec {
  /** Absent: a global service, one edge on every node labelled video-server.edge=true. */
  readonly replicas?: number;
  /** nginx sizes and time, as configured (allow-listed): `1m`, `10g`, `7d`. */
  readonly sliceSize: string;
  readonly cacheSize: string;
  readonly cacheInactive: string;
  /** Seconds a cached file is served before the edge revalidates it. */
  readonly cacheSeconds: number;
  /** MiB; 0: no limit. */
  readonly memoryLimit: number;
  /** The overlay network's IPv4 subnet; the origin accepts requests from it only. */
  readonly subnet: string;
  readonly encrypted: boolean;
}

/** Where swarm mode pushes the images it builds; the password is a secret (SecretsOf). */
export interface RegistrySpec {
  readonly server: string;
  readonly username?: string;
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
  readonly processing?: ProcessingSpec;
  readonly sftp?: SftpSpec;
  /** Present in swarm mode only. */
  readonly edge?: EdgeSpec;
  readonly images: {
    readonly ftp: ImageSpec;
    readonly web: ImageSpec;
    readonly worker: ImageSpec;
    readonly sftp: ImageSpec;
    /** Swarm mode: built images are pushed here. */
    readonly registry?: RegistrySpec;
  };
}

/**
 * The secret values of a stack's config, as plain strings (T = string) or Pulumi secrets.
 * The one secrets type of the config; each container's hashed form is in containerFiles/.
 */
export interface SecretsOf<T> {
  /** FTP passwords by user name; users missing here get a generated one. */
  readonly ftpPasswords: Readonly<Record<string, T>>;
  /** HTTP basic-auth passwords by user name. */
  readonly httpPasswords: Readonly<Record<string, T>>;
  readonly secureLinkSecret?: T;
  /** FTPS certificate chain and key (ftp.tlsCertificate, ftp.tlsKey). */
  readonly ftpTlsCertificate?: T;
  readonly ftpTlsKey?: T;
  /** HTTPS certificate chain and key (http.tlsCertificate, http.tlsKey). */
  readonly httpTlsCertificate?: T;
  readonly httpTlsKey?: T;
  /** The SFTP server's private host key (sftp.hostKey); generated when absent. */
  readonly sftpHostKey?: T;
  /** Each processing.webhooks entry's secret, in config order. */
  readonly webhookSecrets: readonly T[];
  /** The registry's password (images.registry.password), for pushing and for the nodes' pulls. */
  readonly registryPassword?: T;
  /** Private key for an ssh:// target (`sshPrivateKey`, read beside the spec by the program). */
  readonly sshPrivateKey?: T;
}

/** Secret values as configured; the caller turns them into Pulumi secrets at once. */
export type ConfiguredSecrets = SecretsOf<string>;

export interface ParsedConfig {
  readonly spec: Spec;
  readonly secrets: ConfiguredSecrets;
}

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
export function parseSpec(raw: unknown, ctx: SpecContext): ParsedConfig {
  const where = `${ctx.project} (stack ${ctx.stack})`;
  const parsed = checkedSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) =>
        i.code === "custom" && i.params?.related
          ? i.message
          : `${configPath(i.path.map((p) => (typeof p === "symbol" ? String(p) : p))) || "config"}: ${i.message}`,
      ),
      where,
    );
  }
  const built = build(parsed.data, ctx);
  const hostPath = built.spec.media.hostPath;
  if (!PATTERNS.absolutePath.test(hostPath)) {
    throw new ConfigError(
      [
        `media.hostPath: resolves to '${hostPath}', which has characters outside ${PATTERNS.segment.source}; use an absolute path`,
      ],
      where,
    );
  }
  return built;
}

/**
 * Field rules and the rules that relate fields, in one pass: zod runs the refinement whenever
 * every field has the right type, even if some failed their patterns, so one message lists both.
 */
const checkedSchema = rawConfigSchema.superRefine((c, ctx) => {
  for (const message of crossCheck(c)) ctx.addIssue({ code: "custom", message, params: { related: true } });
});

function buildTarget(c: RawConfig["target"]): Target {
  const ssh = PATTERNS.sshHost.exec(c.dockerHost);
  const { dockerHost, sshOpts, platform, mode } = c;
  if (!ssh) return { kind: "local", mode, dockerHost, sshOpts, platform };
  return {
    kind: "ssh",
    mode,
    dockerHost,
    sshOpts,
    platform,
    user: ssh[1],
    host: ssh[2],
    port: ssh[4] === undefined ? 22 : Number(ssh[4]),
    ...(c.sshHostKey === undefined ? {} : { hostKey: c.sshHostKey }),
  };
}

function build(c: RawConfig, ctx: SpecContext): ParsedConfig {
  const name = c.name ?? `${ctx.project}-${ctx.stack}`;
  const target = buildTarget(c.target);
  const hostPath = path.posix.isAbsolute(c.media.hostPath)
    ? path.posix.normalize(c.media.hostPath).replace(/\/$/, "")
    : path.posix.join(ctx.projectDir, c.media.hostPath);
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const users = [...c.ftp.users].sort(byName);
  const locations = [...c.http.locations].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tag = ctx.stack.replace(/[^A-Za-z0-9_.-]/g, "-");
  // Swarm nodes pull by name: a built image is named for the registry it is pushed to.
  const registry = c.target.mode === "swarm" ? c.images.registry : undefined;
  const repository = registry === undefined ? "" : `${registry.server}/`;
  const image = (ref: string | undefined, context: string): ImageSpec =>
    ref === undefined
      ? { kind: "build", name: `${repository}${ctx.project}-${context}:${tag}`, context }
      : { kind: "ref", ref };

  const { ftp, http } = c;
  const maxClients = ftp.maxClients ?? passiveClientLimit(ftp.passivePorts);
  const spec: Spec = {
    project: ctx.project,
    stack: ctx.stack,
    name,
    target,
    media: { hostPath },
    ftp: {
      port: ftp.port,
      bindAddress: ftp.bindAddress,
      passiveAddress: ftp.passiveAddress ?? ftp.bindAddress,
      passivePorts: { ...ftp.passivePorts },
      users: users.map((u) => ({
        name: u.name,
        root: u.root,
        write: u.write,
        hasPassword: u.password !== undefined,
        ...(u.maxRate === undefined ? {} : { maxRate: sizeBytes(u.maxRate) }),
        sshKeys: [...u.sshKeys],
      })),
      writableDirectories: locations.map((l) => l.directory).sort(),
      verifiedDirectories: locations
        .filter((l) => l.publish === "verified")
        .map((l) => l.directory)
        .sort(),
      tls: ftp.tls,
      maxLoginFails: ftp.maxLoginFails,
      delayFailedLogin: ftp.delayFailedLogin,
      maxPerIp: ftp.maxPerIp ?? Math.min(DEFAULT_MAX_PER_IP, maxClients),
      maxClients,
      bans: { afterFails: ftp.banAfterFails, windowSeconds: ftp.banWindow, seconds: ftp.banTime },
      memoryLimit: ftp.memoryLimit,
    },
    http: {
      port: http.port,
      bindAddress: http.bindAddress,
      serverName: http.serverName,
      locations: locations.map((l) => ({
        ...l,
        allow: [...l.allow],
        deny: [...l.deny],
        corsOrigins: [...l.corsOrigins].sort(),
      })),
      users: http.users.map((u) => u.name).sort(),
      gallery: { ...http.gallery },
      directio: http.directio,
      maxConnections: http.maxConnections,
      aioThreads: http.aioThreads,
      accessLog: http.accessLog,
      memoryLimit: http.memoryLimit,
      bans: {
        afterFails: locations.some((l) => l.basicAuth) ? http.banAfterFails : 0,
        windowSeconds: http.banWindow,
        seconds: http.banTime,
      },
      derived: c.processing.enabled,
      tls: {
        mode: http.tls,
        httpsPort: http.httpsPort,
        hstsMaxAge: http.hstsMaxAge ?? DEFAULT_HSTS_SECONDS,
      },
    },
    ...(c.processing.enabled ? { processing: processingSpec(c.processing) } : {}),
    ...(c.sftp.enabled ? { sftp: sftpSpec(c.sftp) } : {}),
    ...(c.target.mode === "swarm" ? { edge: edgeSpec(c.edge) } : {}),
    images: {
      ftp: image(c.images.ftp, "vsftpd"),
      web: image(c.images.web, "nginx"),
      worker: image(c.images.worker, "worker"),
      sftp: image(c.images.sftp, "sftp"),
      ...(registry === undefined
        ? {}
        : {
            registry: {
              server: registry.server,
              ...(registry.username === undefined ? {} : { username: registry.username }),
            },
          }),
    },
  };
  const byUser = (list: readonly { name: string; password?: string }[]) =>
    Object.freeze(
      Object.fromEntries(
        list.filter((u) => u.password !== undefined).map((u) => [u.name, u.password as string]),
      ),
    );
  const secrets: ConfiguredSecrets = {
    ftpPasswords: byUser(users),
    httpPasswords: byUser(http.users),
    secureLinkSecret: http.secureLinkSecret,
    ftpTlsCertificate: ftp.tlsCertificate,
    ftpTlsKey: ftp.tlsKey,
    httpTlsCertificate: http.tlsCertificate,
    httpTlsKey: http.tlsKey,
    webhookSecrets: Object.freeze(c.processing.webhooks.map((w) => w.secret)),
    sftpHostKey: c.sftp.hostKey,
    registryPassword: c.images.registry?.password,
  };
  return { spec: deepFreeze(spec), secrets: Object.freeze(secrets) };
}

function edgeSpec(e: RawConfig["edge"]): EdgeSpec {
  // The schema's defaults, for a swarm stack that sets no edge field.
  const d = edgeSchema.parse({});
  const { replicas, sliceSize, cacheSize, cacheInactive, cacheSeconds, memoryLimit, subnet, encrypted } =
    e ?? d;
  return {
    ...(replicas === undefined ? {} : { replicas }),
    sliceSize,
    cacheSize,
    cacheInactive,
    cacheSeconds,
    memoryLimit,
    subnet,
    encrypted,
  };
}

function sftpSpec(s: RawConfig["sftp"]): SftpSpec {
  const { port, maxAuthTries, loginGraceTime, maxStartups, maxSessions, memoryLimit } = s;
  return {
    port,
    maxAuthTries,
    loginGraceTime,
    maxStartups,
    maxSessions,
    memoryLimit,
    hasHostKey: s.hostKey !== undefined,
  };
}

function processingSpec(p: RawConfig["processing"]): ProcessingSpec {
  return {
    rescanSeconds: p.rescanMinutes * 60,
    concurrency: p.concurrency,
    maxFileSize: sizeBytes(p.maxFileSize),
    posterWidth: p.posterWidth,
    previews: p.previews,
    cpus: readBackCpus(p.cpus),
    memoryLimit: p.memoryLimit,
    webhooks: p.webhooks.map((w) => ({ url: w.url, events: [...w.events] })),
    webhookRetrySeconds: p.webhookRetrySeconds,
  };
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
