/**
 * Bad stack config: the program throws before declaring any resource, with one message that
 * names the config path of every problem.
 */
import { ProgramFailed, runProgram, type StackConfig } from "../support/program";
import { threeUserConfig, withValue } from "../support/stacks";

async function failure(config: StackConfig): Promise<ProgramFailed> {
  const outcome = await runProgram(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof ProgramFailed)) throw new Error("expected the program to reject the config");
  return outcome;
}

const base = threeUserConfig();

// [config path set, value, expected text in the error]
const cases: [string, unknown, string][] = [
  ["ftp.users.1.name", "Team A", "ftp.users[1].name: must match ^[a-z_][a-z0-9_-]{0,31}$"],
  ["ftp.users.1.name", "root", "ftp.users[1].name: 'root' is reserved"],
  ["ftp.users.1.name", "www-data", "ftp.users[1].name: 'www-data' is reserved"],
  ["ftp.users.1.name", "editor", "ftp.users[1].name: 'editor' is already ftp.users[0]"],
  ["ftp.users.0.password", "", "ftp.users[0].password: must be at least 8 characters"],
  ["ftp.users.0.password", "é".repeat(40), "ftp.users[0].password: must be at most 72 bytes"],
  ["ftp.users.0.password", "line\nbreak-password", "ftp.users[0].password: must not contain line breaks"],
  ["ftp.users.0.password", 12345678, "ftp.users[0].password: Expected string, received number"],
  ["ftp.users.1.root", "../etc", "ftp.users[1].root: must be a relative path without '..'"],
  ["ftp.users.1.root", "/etc", "ftp.users[1].root: must be a relative path without '..'"],
  ["ftp.users.1.root", "team-a/.ssh", "ftp.users[1].root: must be a relative path without '..'"],
  ["ftp.users.1.root", "videos", "ftp.users[1].root: 'videos' is inside the location directory 'videos'"],
  ["ftp.users.1.root", "team-b", "ftp.users[1].root: no location directory lies inside 'team-b'"],
  ["ftp.users.2.write", "no", "ftp.users[2].write: Expected boolean, received string"],
  ["ftp.users", [], "ftp.users: at least one FTP user is required"],
  ["ftp.users.0.shell", "/bin/sh", "ftp.users[0]: Unrecognized key(s) in object: 'shell'"],
  ["ftp.port", 70000, "ftp.port: must be 1–65535"],
  ["ftp.port", 21.5, "ftp.port: must be a whole number"],
  ["ftp.port", "21", "ftp.port: Expected number, received string"],
  ["ftp.port", 40002, "ftp.port: 40002 lies inside ftp.passivePorts 40000–40004"],
  ["ftp.passivePorts.min", 1000, "ftp.passivePorts.min: must be 1024–65535"],
  ["ftp.passivePorts.max", 39999, "ftp.passivePorts: min (40000) must not be greater than max (39999)"],
  ["ftp.passivePorts.max", 41000, "ftp.passivePorts: 1001 ports; at most 100"],
  ["ftp.bindAddress", "localhost", "ftp.bindAddress: must be an IPv4 address"],
  ["ftp.bindAddress", "256.1.1.1", "ftp.bindAddress: must be an IPv4 address"],
  ["ftp.passiveAddress", undefined, "ftp.passiveAddress: required when ftp.bindAddress is 0.0.0.0"],
  [
    "ftp.passiveAddress",
    "ftp.example.com\npasv_enable=NO",
    "ftp.passiveAddress: must be an IPv4 address or a host name",
  ],
  ["ftp.pasivePorts", { min: 1, max: 2 }, "ftp: Unrecognized key(s) in object: 'pasivePorts'"],
  ["http.port", 21, "http.port: 21 is also ftp.port"],
  ["http.port", 40001, "http.port: 40001 lies inside ftp.passivePorts 40000–40004"],
  ["http.port", 0, "http.port: must be 1–65535"],
  ["http.bindAddress", "0.0.0.0; rm -rf /", "http.bindAddress: must be an IPv4 address"],
  [
    "http.serverName",
    "example.com; return 301 http://evil",
    "http.serverName: must be a host name, *.domain or _",
  ],
  ["http.serverName", "example.com\n}", "http.serverName: must be a host name"],
  ["http.locations.0.path", "/my videos/", "http.locations[0].path: must be a URL prefix like /videos/"],
  ["http.locations.0.path", "/videos/;", "http.locations[0].path: must be a URL prefix"],
  ["http.locations.0.path", "/videos/{", "http.locations[0].path: must be a URL prefix"],
  ["http.locations.0.path", "/videos", "http.locations[0].path: must be a URL prefix"],
  ["http.locations.0.path", "/vid$eos/", "http.locations[0].path: must be a URL prefix"],
  ["http.locations.0.path", "/(.*)/", "http.locations[0].path: must be a URL prefix"],
  ["http.locations.0.path", "/images/", "http.locations[1].path: '/images/' is already http.locations[0]"],
  ["http.locations.0.directory", "../videos", "http.locations[0].directory: must be a relative path"],
  ["http.locations.0.directory", 'videos"; deny all', "http.locations[0].directory: must be a relative path"],
  [
    "http.locations.0.directory",
    "team-a",
    "http.locations[2].directory: 'team-a/videos' overlaps http.locations[0].directory 'team-a'",
  ],
  ["http.locations.0.autoindex", "on", "http.locations[0].autoindex: Expected boolean, received string"],
  ["http.locations", [], "http.locations: at least one location is required"],
  ["media.hostPath", undefined, "media.hostPath: Required"],
  ["media.hostPath", "/srv/../etc", "media.hostPath: must be a path without '..'"],
  ["media.hostPath", "/", "media.hostPath: must be a path without '..'"],
  ["images.ftp", "Not An Image!", "images.ftp: must be an image reference"],
  ["images.web", "nginx:1.27;rm", "images.web: must be an image reference"],
  [
    "target.dockerHost",
    "tcp://10.0.0.1:2375",
    "target.dockerHost: must be unix:///path/to/docker.sock or ssh://user@host[:port]",
  ],
  ["target.sshOpts", ["-o", "ProxyCommand=sh -c 'x'"], "target.sshOpts[1]: must be one ssh argument"],
  ["name", "-bad", "name: must be a docker name prefix"],
  ["ftp.tls", "on", "ftp.tls: Invalid enum value. Expected 'off' | 'enabled' | 'required', received 'on'"],
  ["ftp.tls", "required", "ftp.tlsCertificate: required when ftp.tls is required"],
  ["ftp.tlsKey", "not a key", "ftp.tlsKey: must be a PEM private key"],
  [
    "ftp.tlsCertificate",
    "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\nrsa_cert_file=/etc/shadow",
    "ftp.tlsCertificate: must be a PEM certificate",
  ],
  ["ftp.maxLoginFails", 0, "ftp.maxLoginFails: must be 1–20"],
  ["ftp.delayFailedLogin", 61, "ftp.delayFailedLogin: must be 0–60"],
  ["ftp.maxPerIp", 500, "ftp.maxPerIp: 500 exceeds ftp.maxClients (100)"],
  ["ftp.maxClients", 0, "ftp.maxClients: must be 1–10000"],
  ["http.locations.0.allow", ["10.0.0.0/33"], "http.locations[0].allow[0]: must be an IP address or CIDR"],
  [
    "http.locations.0.deny",
    ["all; allow 0.0.0.0/0"],
    "http.locations[0].deny[0]: must be an IP address or CIDR",
  ],
  [
    "http.locations.0.corsOrigins",
    ["ftp://player.example.com"],
    "http.locations[0].corsOrigins[0]: must be an origin",
  ],
  [
    "http.locations.0.corsOrigins",
    ["https://player.example.com/path"],
    "http.locations[0].corsOrigins[0]: must be an origin",
  ],
  ["http.locations.0.secureLink", true, "http.locations[0].secureLink: needs http.secureLinkSecret"],
  ["http.locations.0.basicAuth", true, "http.locations[0].basicAuth: needs at least one entry in http.users"],
  ["http.locations.0.limitRate", "fast", "http.locations[0].limitRate: must be a rate in bytes per second"],
  [
    "http.locations.0.limitRateAfter",
    "10m",
    "http.locations[0].limitRateAfter: has no effect without http.locations[0].limitRate",
  ],
  ["http.locations.0.limitConnPerIp", 0, "http.locations[0].limitConnPerIp: must be 1–10000"],
  ["http.locations.0.cacheSeconds", -1, "http.locations[0].cacheSeconds: must be 0–31536000"],
  ["http.secureLinkSecret", "short", "http.secureLinkSecret: must be 16–256 characters"],
  ["http.secureLinkSecret", 'a-long-secret-with"quote', "http.secureLinkSecret: must be 16–256 characters"],
  [
    "http.users",
    [{ name: "alice", password: "pw" }],
    "http.users[0].password: must be at least 8 characters",
  ],
  ["http.users", [{ name: "a b", password: "long-enough-1" }], "http.users[0].name: must match"],
  [
    "http.users",
    [
      { name: "al", password: "long-enough-1" },
      { name: "al", password: "long-enough-2" },
    ],
    "http.users[1].name: 'al' is already http.users[0].name",
  ],
  ["http.gallery.path", "/videos/", "http.gallery.path: '/videos/' is also http.locations[0].path"],
  ["http.gallery.path", "gallery", "http.gallery.path: must be / or a URL prefix"],
  [
    "http.gallery.path",
    "/videos/all/",
    "http.gallery.path: '/videos/all/' lies inside http.locations[0].path '/videos/'",
  ],
  ["http.directio", "4 m", "http.directio: must be off or a size such as 4m"],
  ["ftp.passiveAddress", "10.0.0.010", "ftp.passiveAddress: must be an IPv4 address or a host name"],
  [
    "target.dockerHost",
    "ssh://deploy@-oProxyCommand",
    "target.dockerHost: must be unix:///path/to/docker.sock or ssh://user@host[:port]",
  ],
  ["http.locations.0.allow", ["fe80::1%eth0"], "http.locations[0].allow[0]: must be an IP address or CIDR"],
  ["http.locations.0.deny", ["1:2:3:4:5:6:7::"], "http.locations[0].deny[0]: must be an IP address or CIDR"],
];

describe("stack config validation", () => {
  test.each(cases)("rejects %s = %j, naming the path, before any resource", async (at, value, message) => {
    const failed = await failure(withValue(base, at, value));
    expect(failed.message).toContain(message);
    expect(failed.message).toMatch(/^Invalid stack config for video-server \(stack test\):/);
    expect(failed.resources).toHaveLength(0);
  });

  it("requires a location with autoindex on while the gallery is on", async () => {
    const locations = [
      { path: "/videos/", directory: "videos" },
      { path: "/team-a/videos/", directory: "team-a/videos" },
    ];
    expect((await failure(withValue(base, "http.locations", locations))).message).toContain(
      "http.gallery.enabled: the gallery shows locations with autoindex on, and none has it",
    );
  });

  it("requires an absolute media path for an ssh target", async () => {
    const remote = withValue(
      withValue(base, "target.dockerHost", "ssh://deploy@media.example.com"),
      "media.hostPath",
      "media",
    );
    expect((await failure(remote)).message).toContain(
      "media.hostPath: must be absolute when target.dockerHost is an ssh:// host",
    );
  });

  it("lists every problem in one message, field rules and rules between fields alike", async () => {
    let config = withValue(base, "ftp.users.1.name", "root");
    config = withValue(config, "http.port", 21);
    config = withValue(config, "http.locations.0.path", "/a b/");
    const lines = (await failure(config)).message.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines).toEqual([
      "  - http.locations[0].path: must be a URL prefix like /videos/ (letters, digits, '.', '_', '-'; starts and ends with '/') (match ^(\\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\\/$)",
      "  - http.port: 21 is also ftp.port",
      "  - ftp.users[1].name: 'root' is reserved (root, ftp, nginx, www-data, nobody, vsftpd-media, daemon)",
    ]);
  });

  it("refuses a key the program does not read, such as ftp.port set without --path, with the other problems", async () => {
    const failed = await failure({ ...withValue(base, "http.port", 21), "ftp.port": 2121, htpp: {} });
    expect(failed.message.split("\n").filter((l) => l.startsWith("  - "))).toEqual([
      "  - ftp.port: not a config key; to set a field, use `pulumi config set --path ftp.port <value>` (and remove this key)",
      "  - htpp: not a config key (known: name, sshPrivateKey, target, media, ftp, http, images)",
      "  - http.port: 21 is also ftp.port",
    ]);
    expect(failed.resources).toHaveLength(0);
  });

  it("says how to set an object key that holds a plain string", async () => {
    const failed = await failure({ ...base, ftp: "port=21" });
    expect(failed.message).toContain(
      "ftp: must be an object (set fields with `pulumi config set --path ftp.<field> <value>`)",
    );
    expect(failed.resources).toHaveLength(0);
  });
});
