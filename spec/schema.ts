/**
 * The stack config's shape: zod schemas with every default and every allow-list pattern.
 * Values that end up in nginx.conf or vsftpd.conf are safe by construction once they pass here.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { WEBHOOK_EVENTS } from "../worker/src/settings";

export const PATTERNS = {
  userName: /^[a-z_][a-z0-9_-]{0,31}$/,
  /** One path segment: no leading dot, so neither `..` nor dotfiles. */
  segment: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/,
  relativePath: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})*$/,
  absolutePath: /^(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\/?$/,
  urlPrefix: /^(\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\/$/,
  ipv4: /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
  hostname:
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  serverName:
    /^(_|(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/,
  physicalName: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/,
  imageRef:
    /^([a-z0-9]+([._-][a-z0-9]+)*(:[0-9]{1,5})?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
  unixSocket: /^unix:\/\/(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/,
  sshHost: /^ssh:\/\/([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9.-]{1,253})(:([0-9]{1,5}))?$/,
  sshOption: /^[A-Za-z0-9=._/@:,+-]{1,256}$/,
  /** An OpenSSH public key line, as `ssh-keyscan` prints it after the host: type, key, comment. */
  sshPublicKey:
    /^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) ([A-Za-z0-9+/]{16,8192}={0,3})( [A-Za-z0-9@._:+-]{1,256})?$/,
  /** An origin for CORS: scheme, host, optional port; no path. */
  origin:
    /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?$/,
  /** nginx rate or size: digits with an optional k or m suffix. */
  rate: /^[1-9][0-9]{0,8}[km]?$/,
  size: /^[0-9]{1,9}[km]?$/,
  /** A file size: 1–6 digits and an optional k, m or g suffix. */
  fileSize: /^[1-9][0-9]{0,5}[kmg]?$/,
  certificate:
    /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)*$/,
  secret: /^[A-Za-z0-9_.~+/=-]{16,256}$/,
  /** A registry's address as image references start with it: host name or IPv4, optional port. */
  registry: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$/,
  /** An edge slice or cache size: digits and a k, m or g unit. */
  edgeSize: /^[1-9][0-9]{0,5}[kmg]$/,
  /** nginx time: digits and one unit (seconds, minutes, hours, days). */
  duration: /^[1-9][0-9]{0,5}[smhd]$/,
  /** An OpenSSH or PKCS#8 private key, as sshd reads a host key. */
  sshPrivateKey:
    /^-----BEGIN (OPENSSH )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (OPENSSH )?PRIVATE KEY-----\s*$/,
  privateKey:
    /^-----BEGIN (RSA |EC )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (RSA |EC )?PRIVATE KEY-----\s*$/,
} as const;

/** Names vsftpd, nginx or the base image already use; a virtual user must not shadow them. */
export const RESERVED_USER_NAMES = ["root", "ftp", "nginx", "www-data", "nobody", "vsftpd-media", "daemon"];
/**
 * The SFTP image's own accounts (Debian's base passwd, sshd's): with SFTP on, each FTP user is
 * also an account there, and one of these names would clash.
 */
export const SFTP_RESERVED_USER_NAMES = [
  "_apt",
  "backup",
  "bin",
  "games",
  "irc",
  "list",
  "lp",
  "mail",
  "man",
  "news",
  "proxy",
  "sshd",
  "sync",
  "sys",
  "systemd-network",
  "uucp",
];
/** With SFTP on, each user root holds `dev/log`, where internal-sftp logs from inside its chroot. */
export const SFTP_LOG_FOLDER = "dev";

/** Each published passive port is one docker-proxy process and one port entry. */
export const MAX_PASSIVE_PORTS = 100;
export const DEFAULT_MAX_PER_IP = 10;
/** One year: long enough for browsers' preload lists, short enough to undo. */
export const DEFAULT_HSTS_SECONDS = 31_536_000;
const MAX_HSTS_SECONDS = 2 * DEFAULT_HSTS_SECONDS;

/**
 * The most FTP sessions a passive range carries with a clean refusal for the rest. vsftpd
 * tries 9 random ports of the range per PASV and ends the session with `500 OOPS:
 * vsf_sysutil_bind` when all 9 are taken. With every session holding one port (a client may
 * send PASV and never connect), half the range free keeps that chance below (1/2)^9 = 0.2 %
 * for the last session; measured: 10 ports held by 10 sessions failed 10 PASVs of 200, 5 held
 * by 5 failed none of 100. Past this many, vsftpd answers `421` at connect (max_clients).
 */
export function passiveClientLimit(passivePorts: { readonly min: number; readonly max: number }): number {
  return Math.floor((passivePorts.max - passivePorts.min + 1) / 2);
}
export const MAX_PASSWORD_BYTES = 72; // bcrypt ignores everything past 72 bytes

const port = z.number().int("must be a whole number").min(1, "must be 1–65535").max(65535, "must be 1–65535");
const unprivilegedPort = port.min(1024, "must be 1024–65535 (passive ports are never privileged)");
const count = (min: number, max: number) =>
  z
    .number()
    .int("must be a whole number")
    .min(min, `must be ${min}–${max}`)
    .max(max, `must be ${min}–${max}`);
export const match = (re: RegExp, what: string) =>
  z.string().regex(re, `must be ${what} (match ${re.source})`);
const ipv4 = match(PATTERNS.ipv4, "an IPv4 address");
/** MiB; 0 means no limit. Below 64 MiB neither server starts its sessions reliably. */
const memoryLimit = z
  .number()
  .int("must be a whole number of MiB")
  .refine((m) => m === 0 || (m >= 64 && m <= 1_048_576), "must be 0 (no limit) or 64–1048576 MiB");
const relativePath = match(PATTERNS.relativePath, "a relative path without '..', dotfiles or a leading '/'");

const password = (unsetHint: string) =>
  z
    .string()
    .min(8, `must be at least 8 characters${unsetHint}`)
    .refine(
      (p) => Buffer.byteLength(p, "utf8") <= MAX_PASSWORD_BYTES,
      `must be at most ${MAX_PASSWORD_BYTES} bytes`,
    )
    .refine((p) => !/[\r\n\0]/.test(p), "must not contain line breaks or NUL");

/**
 * A host name for a client to resolve. Its last label is not all digits: vsftpd would read
 * such a "name" as an address (inet_aton: `1.2.3` is 1.2.0.3, `010` is octal).
 */
export function isHostName(value: string): boolean {
  return PATTERNS.hostname.test(value) && !/^[0-9]+$/.test(value.slice(value.lastIndexOf(".") + 1));
}

/** An IPv6 address as nginx 1.22 reads it: no zone id, and `::` standing for two groups or more. */
function nginxReadsIpv6(address: string): boolean {
  if (address.includes("%")) return false;
  if (!address.includes("::")) return true;
  const groups = address.split(":").filter((g) => g !== "");
  const explicit = groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  return explicit <= 6;
}

/** An IPv4 or IPv6 address, optionally with a prefix length: what nginx's allow/deny take. */
export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (family === 6 && !nginxReadsIpv6(address)) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
/** `ssh://user@host[:port]` whose host is a host name or an IPv4 address. */
export function isSshHost(value: string): boolean {
  const m = PATTERNS.sshHost.exec(value);
  return m !== null && (PATTERNS.ipv4.test(m[2]) || isHostName(m[2]));
}

/** The architectures the images build for (Debian's nginx and vsftpd exist for both). */
export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

/** The pattern, and a key blob that names the same type (a pasted key of another type is refused). */
export function isSshPublicKey(value: string): boolean {
  const m = PATTERNS.sshPublicKey.exec(value);
  if (m === null) return false;
  const blob = Buffer.from(m[2], "base64");
  if (blob.length < 4) return false;
  const nameLength = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + nameLength).toString("latin1") === m[1];
}

const cidr = z.string().refine(isCidr, "must be an IP address or CIDR such as 203.0.113.0/24");

const ftpUserSchema = z
  .object({
    name: z.string().regex(PATTERNS.userName, `must match ${PATTERNS.userName.source}`),
    password: password(" (or leave it unset to generate one)").optional(),
    root: z.union([z.literal(""), relativePath]).default(""),
    write: z.boolean().default(true),
    /**
     * Bytes per second for each of the user's FTP transfers, such as 1m or 500k. One value for
     * uploads and downloads: vsftpd has one knob (local_max_rate) for both.
     */
    maxRate: match(PATTERNS.rate, "a rate in bytes per second such as 1m or 500k").optional(),
    /** Public keys that log this user in over SFTP (sftp.enabled), beside the password. */
    sshKeys: z
      .array(
        z.string().refine(isSshPublicKey, {
          message: "must be an OpenSSH public key line such as 'ssh-ed25519 AAAAC3… comment'",
        }),
      )
      .max(32)
      .default([]),
  })
  .strict();

const httpUserSchema = z
  .object({
    name: z.string().regex(PATTERNS.userName, `must match ${PATTERNS.userName.source}`),
    password: password(""),
  })
  .strict();

/** kbit/s: above this no rung of a ladder is useful (4K H.264 at high quality is about 40000). */
const MAX_BITRATE_KBPS = 60_000;
export const MAX_RENDITIONS = 6;
const kbps = (min: number) => count(min, MAX_BITRATE_KBPS);

const renditionSchema = z
  .object({
    /** Pixels, even (H.264 with 4:2:0 chroma needs even sizes). */
    height: count(144, 4320).refine((h) => h % 2 === 0, "must be even"),
    /** kbit/s */
    videoBitrate: kbps(50),
    maxRate: kbps(50),
    audioBitrate: count(16, 512),
  })
  .strict()
  .refine((r) => r.maxRate >= r.videoBitrate, {
    message: "maxRate must be at least videoBitrate",
    path: ["maxRate"],
  });

/** Three rungs, the lower ones where a phone or a slow link ends up; rungs above the source are left out. */
export const DEFAULT_RENDITIONS = [
  { height: 360, videoBitrate: 800, maxRate: 856, audioBitrate: 96 },
  { height: 720, videoBitrate: 2800, maxRate: 2996, audioBitrate: 128 },
  { height: 1080, videoBitrate: 5000, maxRate: 5350, audioBitrate: 128 },
];

const hlsSchema = z
  .object({
    renditions: z
      .array(renditionSchema)
      .min(1, "at least one rendition")
      .max(MAX_RENDITIONS, `at most ${MAX_RENDITIONS} renditions`)
      .refine(
        (rs) => rs.every((r, i) => i === 0 || r.height > rs[i - 1].height),
        "heights must be ascending and different, such as 360, 720, 1080",
      )
      .prefault(DEFAULT_RENDITIONS),
    /** Target segment length in seconds; keyframes are aligned to it across renditions. */
    segmentSeconds: count(1, 10).default(4),
  })
  .strict();

const locationSchema = z
  .object({
    path: match(
      PATTERNS.urlPrefix,
      "a URL prefix like /videos/ (letters, digits, '.', '_', '-'; starts and ends with '/')",
    ),
    directory: relativePath,
    autoindex: z.boolean().default(false),
    /** mp4 pseudo-streaming: `?start=` / `?end=` in seconds. */
    mp4: z.boolean().default(false),
    /** Require `?md5=…&expires=…` signed with http.secureLinkSecret. */
    secureLink: z.boolean().default(false),
    allow: z.array(cidr).max(256).default([]),
    deny: z.array(cidr).max(256).default([]),
    /** Require HTTP basic auth with one of http.users. */
    basicAuth: z.boolean().default(false),
    corsOrigins: z
      .array(
        z.union([
          z.literal("*"),
          match(PATTERNS.origin, "an origin such as https://player.example.com, or *"),
        ]),
      )
      .max(64)
      .default([]),
    cacheSeconds: count(0, 31_536_000).default(3600),
    limitRate: match(PATTERNS.rate, "a rate in bytes per second such as 2m or 500k").optional(),
    limitRateAfter: match(PATTERNS.size, "a size such as 10m").optional(),
    limitConnPerIp: count(1, 10_000).optional(),
    /**
     * immediate: an upload is served as it lands. verified: uploads go to the folder's
     * `.incoming/`, and the media worker publishes each once it is complete and checked.
     */
    publish: z.enum(["immediate", "verified"]).default("immediate"),
    /** An HLS ladder per video, made by the media worker; absent: none. */
    hls: hlsSchema.optional(),
  })
  .strict();

/** A size or rate in bytes with an optional k, m or g suffix (powers of 1024). */
export function sizeBytes(value: string): number {
  const m = /^([0-9]+)([kmg]?)$/.exec(value);
  if (m === null) throw new Error(`not a size: ${value}`);
  return Number(m[1]) * 1024 ** " kmg".indexOf(m[2] || " ");
}

/** http or https, a host, no credentials, no fragment: where the worker POSTs events. */
export function isWebhookUrl(value: string): boolean {
  // Printable ASCII only: the URL goes into the worker's JSON settings and every log line as is.
  if (value.length > 2048 || !/^[\x21-\x7e]+$/.test(value) || /["'<>\\^`{|}]/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.hash === "" &&
    !value.includes("#")
  );
}

const webhookSchema = z
  .object({
    url: z.string().refine(isWebhookUrl, {
      message: "must be an http:// or https:// URL with a host and without user:password@ or #fragment",
    }),
    /** The HMAC key receivers check X-Video-Server-Signature with; a Pulumi secret. */
    secret: match(PATTERNS.secret, "16–256 characters from A-Z a-z 0-9 _ . ~ + / = -"),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1, "at least one event")
      .max(WEBHOOK_EVENTS.length)
      .prefault([...WEBHOOK_EVENTS]),
  })
  .strict();

/** The worker's share of the host's CPUs, as Docker's `--cpus` takes it: 0.1–64, two decimals at most. */
const cpus = z
  .number()
  .min(0.1, "must be 0.1–64")
  .max(64, "must be 0.1–64")
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9, "must have at most two decimals")
  .refine(
    (n) => Number(readBackCpus(n)) === n,
    "reads back from Docker as another value (the provider rounds values such as 0.05 to one decimal); use 0.1 or another value",
  );

/**
 * `cpus` as terraform-provider-docker writes it back after reading the container (helpers.go
 * nanoInt64ToDecimalString): the 9-decimal form with its zeros trimmed, or one decimal when that
 * form has exactly nine zeros ("1.0", "0.5", "1.25", "10."). Any other spelling of the value
 * would show as a diff, and replace the worker, on every `up`.
 */
export function readBackCpus(n: number): string {
  const nine = n.toFixed(9);
  if ((nine.match(/0/g) ?? []).length === 9) return n.toFixed(1);
  return nine.replace(/0+$/, "");
}

export const processingSchema = z
  .object({
    /** The media worker: verified publish, metadata, posters, webhooks. Off: no worker at all. */
    enabled: z.boolean().default(true),
    /** Minutes between the worker's reconciling scans (it also scans at start). */
    rescanMinutes: count(1, 1440).default(10),
    /** Jobs at once; each runs one ffmpeg. */
    concurrency: count(1, 16).default(1),
    /** Larger uploads are rejected (verified) or left undescribed (immediate). */
    maxFileSize: match(PATTERNS.fileSize, "a size such as 20g or 500m").default("50g"),
    posterWidth: count(64, 3840).default(640),
    /** A sprite of thumbnails and a WebVTT file for scrub previews. */
    previews: z.boolean().default(false),
    cpus: cpus.default(1),
    /** The worker container's memory limit in MiB; 0: none. */
    memoryLimit: memoryLimit.default(1024),
    webhooks: z.array(webhookSchema).max(16).default([]),
    /** Seconds an event's delivery is retried after its first attempt. */
    webhookRetrySeconds: count(60, 604_800).default(86_400),
  })
  .strict();

/** Listed (the gallery reads the listings) and seekable; restrict them with allow/deny or basicAuth. */
export const DEFAULT_LOCATIONS = [
  { path: "/videos/", directory: "videos", autoindex: true, mp4: true },
  { path: "/images/", directory: "images", autoindex: true },
];

/** An IPv4 address as a number. */
const ipv4Number = (address: string): number =>
  address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

/**
 * The address Docker gives an overlay's gateway: the subnet's first. Undefined when the
 * address has host bits set (Docker would store a different subnet than the one declared).
 */
export function subnetGateway(subnet: string): string | undefined {
  const [address, prefix] = subnet.split("/");
  const bits = 32 - Number(prefix);
  const n = ipv4Number(address);
  if (n % 2 ** bits !== 0) return undefined;
  const g = n + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(g / 2 ** shift) % 256).join(".");
}

const size = (what: string) => match(PATTERNS.edgeSize, `${what}: digits and k, m or g, such as 1m or 10g`);

/** Slices below 64k multiply origin requests; above 64m one viewer's seek fetches too much. */
const SLICE_BYTES = { min: 64 * 1024, max: 64 * 1024 * 1024 };

export const edgeSchema = z
  .object({
    /** Unset: one edge on every node labelled video-server.edge=true (a global service). */
    replicas: count(1, 1000).optional(),
    /** Range requests are fetched from the origin and cached in pieces of this size. */
    sliceSize: size("a slice size")
      .refine((v) => {
        // A value off the pattern has its own message already.
        if (!PATTERNS.edgeSize.test(v)) return true;
        const b = sizeBytes(v);
        return b >= SLICE_BYTES.min && b <= SLICE_BYTES.max;
      }, "must be 64k–64m")
      .default("1m"),
    /** The most each edge's cache holds on its disk before the least recently used files go. */
    cacheSize: size("a cache size").default("10g"),
    /** A cached file no viewer asked for in this long is dropped (nginx time: 30m, 12h, 7d). */
    cacheInactive: match(PATTERNS.duration, "a time such as 30m, 12h or 7d").default("7d"),
    /** Seconds a cached file is served before the edge revalidates it with the origin. */
    cacheSeconds: count(1, 31_536_000).default(60),
    /** Each edge container's memory limit in MiB; 0: none. */
    memoryLimit: memoryLimit.default(0),
    /** The overlay network between origin and edges; the origin accepts only this subnet. */
    subnet: z
      .string()
      .refine((v) => {
        const [address, prefix] = v.split("/");
        return PATTERNS.ipv4.test(address) && /^(1[6-9]|2[0-8])$/.test(prefix ?? "");
      }, "must be an IPv4 subnet with a /16–/28 prefix, such as 10.249.0.0/24")
      .refine((v) => !/^[0-9.]+\/[0-9]+$/.test(v) || subnetGateway(v) !== undefined, {
        message: "must be the subnet's own address (its host bits zero), such as 10.249.0.0/24",
      })
      .default("10.249.0.0/24"),
    /** IPsec between the nodes (the kernel's xfrm modules on every node). */
    encrypted: z.boolean().default(false),
  })
  .strict();

export const rawConfigSchema = z
  .object({
    name: match(PATTERNS.physicalName, "a docker name prefix").optional(),
    target: z
      .object({
        dockerHost: z
          .string()
          .refine((h) => PATTERNS.unixSocket.test(h) || isSshHost(h), {
            message: "must be unix:///path/to/docker.sock or ssh://user@host[:port]",
          })
          .default("unix:///var/run/docker.sock"),
        sshOpts: z.array(match(PATTERNS.sshOption, "one ssh argument")).max(32).default([]),
        /** The server's public host key; remote commands check it (without it they check nothing). */
        sshHostKey: z
          .string()
          .refine(isSshPublicKey, {
            message:
              "must be a public host key such as 'ssh-ed25519 AAAAC3…' (`ssh-keyscan -t ed25519 HOST | cut -d' ' -f2-`)",
          })
          .optional(),
        /** What the images are built for: the server's architecture, not the deploying machine's. */
        platform: z.enum(PLATFORMS).default("linux/amd64"),
        /** host: containers on one Docker host; swarm: services on a Swarm (an origin and edge caches). */
        mode: z.enum(["host", "swarm"]).default("host"),
      })
      .strict()
      .prefault({}),
    media: z
      .object({
        hostPath: z.string().refine((p) => PATTERNS.absolutePath.test(p) || PATTERNS.relativePath.test(p), {
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
          .refine((a) => PATTERNS.ipv4.test(a) || isHostName(a), {
            message: "must be an IPv4 address or a host name",
          })
          .optional(),
        passivePorts: z
          .object({ min: unprivilegedPort, max: unprivilegedPort })
          .strict()
          .default({ min: 30000, max: 30019 }),
        users: z.array(ftpUserSchema).min(1, "at least one FTP user is required"),
        /** off: plain FTP; enabled: explicit TLS offered; required: no login or data without TLS. */
        tls: z.enum(["off", "enabled", "required"]).default("off"),
        tlsCertificate: match(PATTERNS.certificate, "a PEM certificate (chain)").optional(),
        tlsKey: match(PATTERNS.privateKey, "a PEM private key").optional(),
        maxLoginFails: count(1, 20).default(3),
        delayFailedLogin: count(0, 60).default(3),
        /** Default: 10, or ftp.maxClients when that is lower. */
        maxPerIp: count(1, 1000).optional(),
        /** Default and limit: half the passive range (see passiveClientLimit). */
        maxClients: count(1, 10_000).optional(),
        /** Failed logins from one address within ftp.banWindow that ban it; 0 turns bans off. */
        banAfterFails: count(0, 1000).default(10),
        /** Seconds over which failed logins are counted. */
        banWindow: count(1, 86_400).default(600),
        /** Seconds a banned address is refused at connect. */
        banTime: count(1, 2_592_000).default(900),
        /** The FTP container's memory limit in MiB (page cache of uploads included); 0: none. */
        memoryLimit: memoryLimit.default(512),
      })
      .strict(),
    http: z
      .object({
        port: port.default(80),
        bindAddress: ipv4.default("0.0.0.0"),
        serverName: match(PATTERNS.serverName, "a host name, *.domain or _").default("_"),
        locations: z
          .array(locationSchema)
          .min(1, "at least one location is required")
          .prefault(DEFAULT_LOCATIONS),
        users: z.array(httpUserSchema).max(1000).default([]),
        /** Written inside a quoted nginx string, so only characters that cannot end or expand it. */
        secureLinkSecret: match(
          PATTERNS.secret,
          "16–256 characters from A-Z a-z 0-9 _ . ~ + / = -",
        ).optional(),
        gallery: z
          .object({
            enabled: z.boolean().default(true),
            path: z
              .union([z.literal("/"), match(PATTERNS.urlPrefix, "/ or a URL prefix like /gallery/")])
              .default("/"),
          })
          .strict()
          .prefault({}),
        /**
         * off: HTTP only; enabled: HTTPS on http.httpsPort beside HTTP; required: HTTPS only, with
         * http.port answering every request with a redirect and HSTS on every HTTPS reply.
         */
        tls: z.enum(["off", "enabled", "required"]).default("off"),
        httpsPort: port.default(443),
        tlsCertificate: match(PATTERNS.certificate, "a PEM certificate (chain)").optional(),
        tlsKey: match(PATTERNS.privateKey, "a PEM private key").optional(),
        /**
         * The web container's memory limit in MiB; 0 (the default): none. The page cache of the
         * files nginx sends counts against it, so a limit shrinks the cache viewers are served from.
         */
        memoryLimit: memoryLimit.default(0),
        /** Failed basic-auth requests from one address within http.banWindow that ban it; 0: off. */
        banAfterFails: count(0, 1000).default(10),
        banWindow: count(1, 86_400).default(600),
        banTime: count(1, 2_592_000).default(900),
        /** Seconds browsers keep to HTTPS after a reply; with http.tls required only. */
        hstsMaxAge: count(0, MAX_HSTS_SECONDS).optional(),
        /**
         * Connections one nginx worker holds at once: viewers, their keep-alive connections, and
         * on an edge its fetches from the origin. nginx's own default, 1024, is below 1000
         * viewers with keep-alive once one worker takes more than half of them. At most 131072:
         * worker_rlimit_nofile (three per connection) then stays below the hard limit Docker
         * gives containers (524288 since Docker 25).
         */
        maxConnections: count(256, 131_072).default(4096),
        /**
         * MP4 locations hand their reads to nginx's thread pool (`aio threads`), so a read that
         * misses the page cache does not hold up the worker's other viewers. Off by default: for
         * files in the page cache it costs CPU and buys no throughput (bench/README.md#tuning).
         */
        aioThreads: z.boolean().default(false),
        /**
         * The web server's access log: buffered (lines up to 1 s late, written 4 KiB at a time),
         * unbuffered (a write per request), or off. In the container the log is its stdout, a
         * pipe Docker reads: a write per request cost a quarter of the small-file requests.
         */
        accessLog: z.enum(["buffered", "unbuffered", "off"]).default("buffered"),
        /**
         * off: every file goes out with sendfile from the page cache (what a video server whose
         * popular files fit in RAM wants; see bench/README.md). A size: files at least that
         * large are read with O_DIRECT in nginx's thread pool, for libraries far larger than RAM.
         */
        directio: z
          .string()
          .refine(
            (v) => v === "off" || PATTERNS.size.test(v),
            `must be off or a size such as 4m (match ${PATTERNS.size.source})`,
          )
          .default("off"),
      })
      .strict()
      .prefault({}),
    sftp: z
      .object({
        /** OpenSSH's internal-sftp beside vsftpd: the same users, roots and rules. */
        enabled: z.boolean().default(false),
        /** Published on ftp.bindAddress. */
        port: port.default(2222),
        /** The server's private host key (a Pulumi secret); unset: an Ed25519 key kept in state. */
        hostKey: match(PATTERNS.sshPrivateKey, "an OpenSSH or PKCS#8 private key (PEM)").optional(),
        maxAuthTries: count(1, 20).default(3),
        /** Seconds a connection may take to log in. */
        loginGraceTime: count(5, 600).default(30),
        /** Unauthenticated connections at once before sshd starts refusing (MaxStartups start). */
        maxStartups: count(1, 1000).default(10),
        /** Sessions per connection. */
        maxSessions: count(1, 100).default(10),
        /** The SFTP container's memory limit in MiB; 0: none. */
        memoryLimit: memoryLimit.default(256),
      })
      .strict()
      .prefault({}),
    processing: processingSchema.prefault({}),
    /** The edge caches of target.mode swarm (docs/scale-out.md); unset: the defaults below. */
    edge: edgeSchema.optional(),
    images: z
      .object({
        /** Where swarm mode pushes the images it builds, for every node to pull them. */
        registry: z
          .object({
            server: match(PATTERNS.registry, "a registry address such as registry.example.com:5000"),
            username: match(/^[A-Za-z0-9_.@-]{1,128}$/, "a registry user name").optional(),
            /** A Pulumi secret: `pulumi config set --secret --path images.registry.password`. */
            password: z
              .string()
              .min(1, "must not be empty")
              .max(1024, "must be at most 1024 characters")
              .refine((p) => !/[\r\n\0]/.test(p), "must not contain line breaks or NUL")
              .optional(),
          })
          .strict()
          .optional(),
        ftp: match(
          PATTERNS.imageRef,
          "an image reference such as registry.example.com/vsftpd:1.0",
        ).optional(),
        web: match(PATTERNS.imageRef, "an image reference such as nginx:1.27").optional(),
        worker: match(
          PATTERNS.imageRef,
          "an image reference such as registry.example.com/video-server/worker:1.0",
        ).optional(),
        sftp: match(
          PATTERNS.imageRef,
          "an image reference such as registry.example.com/video-server/sftp:1.0",
        ).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RawConfig = z.infer<typeof rawConfigSchema>;
