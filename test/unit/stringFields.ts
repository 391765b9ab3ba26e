/**
 * Every string field of the config, for the injection property: where a value goes in a small
 * base config, which values the schema takes (to draw accepted ones often), and a canary: an
 * accepted value of the same kind, unlikely to occur anywhere else, whose places in the
 * rendered files are the only places the field's value may take.
 */
import fc from "fast-check";
import { PATTERNS, PLATFORMS, isWebhookUrl } from "../../spec";
import { WEBHOOK_EVENTS } from "../../worker/src/settings";
import type { StackConfig } from "../support/project";
import { withValue } from "../support/stacks";
import { PEM_CERTIFICATE, PEM_KEY } from "./everyField";
import { cidr, hostname, ipv4, password, serverName, urlPrefix, userName } from "../support/arbitraries";

export interface StringField {
  /** The config path, as error messages name it. */
  readonly path: string;
  /** The base config with `value` in this field (and whatever the field needs to be used). */
  readonly place: (value: string) => StackConfig;
  /** Values the schema accepts. */
  readonly valid: fc.Arbitrary<string>;
  /** An accepted value of the same kind as `value`. */
  readonly canary: (value: string) => string;
  /** The value is a password: it must never reach a file, and its hash must verify. */
  readonly secret?: "ftp" | "http";
  /**
   * The part of a value that the renderer may reuse on its own, e.g. `/gallery` for a redirect
   * from the URL without its slash: the check substitutes the canary's core by the value's.
   */
  readonly core?: (value: string) => string;
}

/** `/a/b/` → `a/b`: URL prefixes also appear without their slashes. */
const insideSlashes = (v: string): string => v.replace(/^\//, "").replace(/\/$/, "");

/** One FTP user, one listed location: each field is placed into this. */
export const INJECTION_BASE: StackConfig = {
  media: { hostPath: "/srv/video-server/media" },
  ftp: {
    bindAddress: "127.0.0.1",
    passiveAddress: "192.0.2.10",
    users: [{ name: "uploader", password: "uploader-password-1" }],
  },
  http: {
    serverName: "media.example.com",
    locations: [{ path: "/videos/", directory: "videos", autoindex: true }],
  },
};

const WEBHOOK_SECRET = "injection-webhook-secret";

const set = (...pairs: (readonly [string, unknown])[]) =>
  pairs.reduce<StackConfig>((config, [at, value]) => withValue(config, at, value), INJECTION_BASE);

/** A swarm stack needs every address bound and a registry for what it builds. */
const swarmPairs = (mode: string): (readonly [string, unknown])[] =>
  mode === "swarm"
    ? [
        ["target.mode", mode],
        ["ftp.bindAddress", "0.0.0.0"],
        ["images.registry.server", "registry.example.com:5000"],
      ]
    : [["target.mode", mode]];

const m = (re: RegExp) => fc.stringMatching(re, { size: "xsmall" });

/** An OpenSSH ed25519 public key line: the type, then a blob that names the same type. */
const sshString = (data: Uint8Array): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};
const ed25519Key = (raw: Uint8Array, comment?: string): string =>
  `ssh-ed25519 ${Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(raw)]).toString("base64")}${comment === undefined ? "" : ` ${comment}`}`;
const hostKey = fc
  .tuple(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.option(m(/^[A-Za-z0-9@._:+-]{1,32}$/), { nil: undefined }),
  )
  .map(([raw, comment]) => ed25519Key(raw, comment));
const PEM_CANARY = {
  certificate: "-----BEGIN CERTIFICATE-----\nZQCANARYcert\n-----END CERTIFICATE-----",
  key: "-----BEGIN PRIVATE KEY-----\nZQCANARYkey\n-----END PRIVATE KEY-----",
};
/** The renderer ends a PEM file with a newline when the value has none: the canary matches the value. */
const pemCanary = (pem: string) => (value: string) => (value.endsWith("\n") ? `${pem}\n` : pem);

/** `<section>.tls` and its certificate and key: FTPS and HTTPS take the same three fields. */
function tlsFields(section: "ftp" | "http"): StringField[] {
  const at = (field: string) => `${section}.${field}`;
  const pair = (certificate: string, key: string) =>
    [
      [at("tlsCertificate"), certificate],
      [at("tlsKey"), key],
    ] as const;
  return [
    {
      path: at("tls"),
      place: (v) => set([at("tls"), v], ...pair(PEM_CERTIFICATE, PEM_KEY)),
      valid: fc.constantFrom("off", "enabled", "required"),
      canary: (v) => v,
    },
    {
      path: at("tlsCertificate"),
      place: (v) => set([at("tls"), "enabled"], ...pair(v, PEM_KEY)),
      valid: fc.stringMatching(PATTERNS.certificate, { size: "xsmall" }),
      canary: pemCanary(PEM_CANARY.certificate),
    },
    {
      path: at("tlsKey"),
      place: (v) => set([at("tls"), "enabled"], ...pair(PEM_CERTIFICATE, v)),
      valid: fc.stringMatching(PATTERNS.privateKey, { size: "xsmall" }),
      canary: pemCanary(PEM_CANARY.key),
    },
  ];
}

export const STRING_FIELDS: readonly StringField[] = [
  {
    path: "name",
    place: (v) => set(["name", v]),
    valid: m(PATTERNS.physicalName),
    canary: () => "zqcanary-name",
  },
  {
    path: "target.dockerHost",
    place: (v) => set(["target.dockerHost", v]),
    valid: fc.oneof(m(PATTERNS.unixSocket), m(PATTERNS.sshHost)),
    canary: (v) =>
      v.startsWith("ssh://") ? "ssh://zqcanary@zqcanary.example" : "unix:///zqcanary/docker.sock",
  },
  {
    path: "target.sshOpts[0]",
    place: (v) => set(["target.sshOpts", [v]]),
    valid: m(PATTERNS.sshOption),
    canary: () => "zqcanary-opt",
  },
  {
    path: "target.sshHostKey",
    // Only an ssh:// target takes a host key.
    place: (v) => set(["target.dockerHost", "ssh://deploy@media.example.com"], ["target.sshHostKey", v]),
    valid: hostKey,
    canary: () => ed25519Key(new Uint8Array(32).fill(7)),
  },
  {
    path: "target.platform",
    place: (v) => set(["target.platform", v]),
    valid: fc.constantFrom(...PLATFORMS),
    canary: (v) => v,
  },
  {
    path: "media.hostPath",
    place: (v) => set(["media.hostPath", v]),
    valid: fc.oneof(m(PATTERNS.absolutePath), m(PATTERNS.relativePath)),
    canary: (v) => (v.startsWith("/") ? "/zqcanary/media" : "zqcanary/media"),
  },
  {
    path: "ftp.bindAddress",
    place: (v) => set(["ftp.bindAddress", v]),
    valid: ipv4,
    canary: () => "192.0.2.99",
  },
  {
    path: "ftp.passiveAddress",
    place: (v) => set(["ftp.passiveAddress", v]),
    valid: fc.oneof(ipv4, hostname),
    canary: (v) => (PATTERNS.ipv4.test(v) ? "192.0.2.77" : "zqcanary.example"),
    // KNOWN BUG: digits and dots that are no IPv4 address pass as a host name, and the renderer
    // hands them to vsftpd as an address (pasv_addr_resolve=NO).
  },
  {
    path: "ftp.users[0].name",
    place: (v) => set(["ftp.users.0.name", v]),
    valid: userName,
    canary: () => "zqcanary",
  },
  {
    path: "ftp.users[0].password",
    place: (v) => set(["ftp.users.0.password", v]),
    valid: password,
    canary: () => "zqcanary-password",
    secret: "ftp",
  },
  {
    path: "ftp.users[0].root",
    // A root must hold a location folder: the location moves inside it.
    place: (v) =>
      set(["ftp.users.0.root", v], ["http.locations.0.directory", v === "" ? "videos" : `${v}/videos`]),
    valid: fc.oneof(fc.constant(""), m(PATTERNS.relativePath)),
    canary: (v) => (v === "" ? "" : "zqcanary-root"),
  },
  ...tlsFields("ftp"),
  ...tlsFields("http"),
  {
    path: "http.bindAddress",
    place: (v) => set(["http.bindAddress", v]),
    valid: ipv4,
    canary: () => "192.0.2.98",
  },
  {
    path: "http.serverName",
    place: (v) => set(["http.serverName", v]),
    valid: serverName,
    canary: (v) => (v === "_" ? "_" : v.startsWith("*.") ? "*.zqcanary.example" : "zqcanary.example"),
  },
  {
    path: "http.locations[0].path",
    place: (v) => set(["http.locations.0.path", v]),
    valid: urlPrefix,
    canary: () => "/zqcanary/",
    core: insideSlashes,
  },
  {
    path: "http.locations[0].directory",
    place: (v) => set(["http.locations.0.directory", v]),
    valid: m(PATTERNS.relativePath),
    canary: () => "zqcanary-dir",
  },
  {
    path: "http.locations[0].allow[0]",
    place: (v) => set(["http.locations.0.allow", [v]]),
    valid: cidr,
    canary: () => "192.0.2.44",
  },
  {
    path: "http.locations[0].deny[0]",
    place: (v) => set(["http.locations.0.deny", [v]]),
    valid: cidr,
    canary: () => "192.0.2.45",
  },
  {
    path: "http.locations[0].corsOrigins[0]",
    place: (v) => set(["http.locations.0.corsOrigins", [v]]),
    valid: fc.oneof(fc.constant("*"), m(PATTERNS.origin)),
    canary: (v) => (v === "*" ? "*" : "https://zqcanary.example"),
    // Scheme and host are case-insensitive; the renderer writes origins in lower case.
    core: (v) => v.toLowerCase(),
  },
  {
    path: "http.locations[0].limitRate",
    place: (v) => set(["http.locations.0.limitRate", v]),
    valid: m(PATTERNS.rate),
    canary: () => "7331k",
  },
  {
    path: "http.locations[0].limitRateAfter",
    place: (v) => set(["http.locations.0.limitRate", "1m"], ["http.locations.0.limitRateAfter", v]),
    valid: m(PATTERNS.size),
    canary: () => "7332k",
  },
  {
    path: "http.users[0].name",
    place: (v) =>
      set(
        ["http.users", [{ name: v, password: "viewer-http-password" }]],
        ["http.locations.0.basicAuth", true],
      ),
    valid: userName,
    canary: () => "zqcanary",
  },
  {
    path: "http.users[0].password",
    place: (v) =>
      set(["http.users", [{ name: "viewer", password: v }]], ["http.locations.0.basicAuth", true]),
    valid: password,
    canary: () => "zqcanary-http-password",
    secret: "http",
  },
  {
    path: "http.secureLinkSecret",
    // A second, unsigned listed location keeps the gallery's rules satisfied.
    place: (v) =>
      set(
        ["http.secureLinkSecret", v],
        ["http.locations.0.secureLink", true],
        ["http.locations.1", { path: "/images/", directory: "images", autoindex: true }],
      ),
    valid: m(PATTERNS.secret),
    canary: () => "zqcanary-secure-link-secret",
  },
  {
    path: "http.gallery.path",
    place: (v) => set(["http.gallery.path", v]),
    valid: fc.oneof(fc.constant("/"), urlPrefix),
    canary: (v) => (v === "/" ? "/" : "/zqcanary-gallery/"),
    core: insideSlashes,
  },
  {
    path: "http.directio",
    place: (v) => set(["http.directio", v]),
    valid: m(PATTERNS.size),
    canary: () => "7333k",
  },
  {
    path: "http.accessLog",
    place: (v) => set(["http.accessLog", v]),
    valid: fc.constantFrom("buffered", "unbuffered", "off"),
    canary: (v) => v,
  },
  {
    path: "target.mode",
    place: (v) => set(...swarmPairs(v)),
    valid: fc.constantFrom("host", "swarm"),
    canary: (v) => v,
  },
  {
    path: "images.registry.server",
    place: (v) => set(...swarmPairs("swarm"), ["images.registry.server", v]),
    valid: m(PATTERNS.registry),
    canary: () => "zqcanary.example:5000",
  },
  {
    path: "images.registry.username",
    place: (v) =>
      set(
        ...swarmPairs("swarm"),
        ["images.registry.username", v],
        ["images.registry.password", "zq-registry-pw"],
      ),
    valid: m(/^[A-Za-z0-9_.@-]{1,128}$/),
    canary: () => "zqcanaryuser",
  },
  {
    path: "images.registry.password",
    place: (v) =>
      set(...swarmPairs("swarm"), ["images.registry.username", "deployer"], ["images.registry.password", v]),
    valid: fc.string({ minLength: 1, maxLength: 40 }).filter((p) => !/[\r\n\0]/.test(p)),
    canary: () => "zqcanarypassword",
  },
  {
    path: "edge.sliceSize",
    place: (v) => set(...swarmPairs("swarm"), ["edge.sliceSize", v]),
    valid: fc.constantFrom("64k", "512k", "1m", "4m", "64m"),
    // Slice and cache size together size the keys zone: another value renders another number there.
    canary: (v) => v,
  },
  {
    path: "edge.cacheSize",
    place: (v) => set(...swarmPairs("swarm"), ["edge.cacheSize", v]),
    valid: m(/^[1-9][0-9]{0,5}[kmg]$/),
    canary: (v) => v,
  },
  {
    path: "edge.cacheInactive",
    place: (v) => set(...swarmPairs("swarm"), ["edge.cacheInactive", v]),
    valid: m(PATTERNS.duration),
    canary: () => "777m",
  },
  {
    path: "edge.subnet",
    place: (v) => set(...swarmPairs("swarm"), ["edge.subnet", v]),
    valid: fc.constantFrom("10.250.0.0/24", "10.77.0.0/16", "172.30.8.0/22", "192.168.7.16/28"),
    canary: () => "10.123.45.0/24",
  },
  {
    path: "images.ftp",
    place: (v) => set(["images.ftp", v]),
    valid: m(PATTERNS.imageRef),
    canary: () => "zqcanary/vsftpd:1",
  },
  {
    path: "images.web",
    place: (v) => set(["images.web", v]),
    valid: m(PATTERNS.imageRef),
    canary: () => "zqcanary/nginx:1",
  },
  {
    path: "ftp.users[0].maxRate",
    place: (v) => set(["ftp.users.0.maxRate", v]),
    valid: m(PATTERNS.rate),
    // Reaches vsftpd only as a number of bytes: the same value is its own canary.
    canary: (v) => v,
  },
  {
    path: "sftp.hostKey",
    place: (v) => set(["sftp.enabled", true], ["sftp.hostKey", v]),
    valid: fc.stringMatching(PATTERNS.sshPrivateKey, { size: "xsmall" }),
    canary: pemCanary(
      "-----BEGIN OPENSSH PRIVATE KEY-----\nZQCANARYhostkey\n-----END OPENSSH PRIVATE KEY-----",
    ),
  },
  {
    path: "ftp.users[0].sshKeys[0]",
    place: (v) => set(["sftp.enabled", true], ["ftp.users.0.sshKeys", [v]]),
    valid: hostKey,
    canary: () => ed25519Key(new Uint8Array(32).fill(9), "zqcanary@key"),
  },
  {
    path: "images.sftp",
    place: (v) => set(["images.sftp", v], ["sftp.enabled", true]),
    valid: m(PATTERNS.imageRef),
    canary: () => "zqcanary/sftp:1",
  },
  {
    path: "images.worker",
    place: (v) => set(["images.worker", v]),
    valid: m(PATTERNS.imageRef),
    canary: () => "zqcanary/worker:1",
  },
  {
    path: "http.locations[0].publish",
    place: (v) => set(["http.locations.0.publish", v]),
    valid: fc.constantFrom("immediate", "verified"),
    canary: (v) => v,
  },
  {
    path: "processing.maxFileSize",
    place: (v) => set(["processing.maxFileSize", v]),
    valid: m(PATTERNS.fileSize),
    // Reaches the worker's settings only as a number of bytes: the same value is its own canary.
    canary: (v) => v,
  },
  {
    path: "processing.webhooks[0].url",
    place: (v) => set(["processing.webhooks", [{ url: v, secret: WEBHOOK_SECRET }]]),
    valid: fc.webUrl({ withQueryParameters: true }).filter(isWebhookUrl),
    canary: () => "https://zqcanary.example/hook",
  },
  {
    path: "processing.webhooks[0].secret",
    place: (v) => set(["processing.webhooks", [{ url: "https://hooks.example.com/", secret: v }]]),
    valid: m(PATTERNS.secret),
    canary: () => "zqcanary-webhook-secret",
  },
  {
    path: "processing.webhooks[0].events[0]",
    place: (v) =>
      set([
        "processing.webhooks",
        [{ url: "https://hooks.example.com/", secret: WEBHOOK_SECRET, events: [v] }],
      ]),
    valid: fc.constantFrom(...WEBHOOK_EVENTS),
    canary: (v) => v,
  },
];

/** Pieces that would break out of an nginx or vsftpd directive, a shell word or a path. */
export const INJECTIONS = [
  ";",
  "{",
  "}",
  '"',
  "'",
  "`",
  "$host",
  "${uri}",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\0",
  "#",
  "\\",
  "\\n",
  "../",
  "/..",
  "..",
  "~",
  "*",
  "(",
  ")",
  "^",
  "|",
  "&",
  "<",
  ">",
  "%2e%2e%2f",
  "\u2028",
  "\nlisten_port=21",
  "; return 301 https://evil.example;",
  '"; }',
  "'$(reboot)'",
  "\n}\nserver {",
  "=",
  ":",
  "@",
  ",",
];

/** Any string: accepted values, accepted values with an injection inserted, hostile characters, anything. */
export function anyStringFor(field: StringField): fc.Arbitrary<string> {
  const inserted = fc
    .tuple(field.valid, fc.nat(), fc.constantFrom(...INJECTIONS))
    .map(([v, at, piece]) => v.slice(0, at % (v.length + 1)) + piece + v.slice(at % (v.length + 1)));
  const hostileChar = fc.constantFrom(
    ...INJECTIONS.filter((s) => s.length === 1),
    "a",
    "0",
    "/",
    ".",
    "-",
    "_",
  );
  return fc.oneof(
    { weight: 4, arbitrary: field.valid },
    { weight: 3, arbitrary: inserted },
    { weight: 2, arbitrary: fc.string({ unit: hostileChar, maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  );
}
