/** Rules that relate several config fields; each message starts with the field to change. */
import * as path from "node:path";
import {
  MAX_PASSIVE_PORTS,
  PATTERNS,
  RESERVED_USER_NAMES,
  SFTP_LOG_FOLDER,
  SFTP_RESERVED_USER_NAMES,
  passiveClientLimit,
  sizeBytes,
  type RawConfig,
} from "./schema";

export function isInside(child: string, parent: string): boolean {
  return parent === "" || child === parent || child.startsWith(`${parent}/`);
}

/** `at[i]: 'x' is already at[j]` for every repeated key. */
function duplicates<T>(items: readonly T[], key: (t: T) => string, at: (i: number) => string): string[] {
  const first = new Map<string, number>();
  const problems: string[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const j = first.get(k);
    if (j !== undefined) problems.push(`${at(i)}: '${k}' is already ${at(j)}`);
    else first.set(k, i);
  });
  return problems;
}

function targetRules(c: RawConfig): string[] {
  const problems: string[] = [];
  const ssh = PATTERNS.sshHost.exec(c.target.dockerHost);
  if (ssh && ssh[4] !== undefined && (Number(ssh[4]) < 1 || Number(ssh[4]) > 65535)) {
    problems.push("target.dockerHost: the ssh port must be 1–65535");
  }
  if (!ssh && c.target.sshHostKey !== undefined) {
    problems.push("target.sshHostKey: only used with an ssh:// target.dockerHost; remove it");
  }
  if (ssh && !path.posix.isAbsolute(c.media.hostPath)) {
    problems.push("media.hostPath: must be absolute when target.dockerHost is an ssh:// host");
  }
  return problems;
}

function portRules({ ftp, http, sftp }: RawConfig): string[] {
  const problems: string[] = [];
  const { min, max } = ftp.passivePorts;
  const passive = (p: number) => p >= min && p <= max;
  if (min > max) {
    problems.push(`ftp.passivePorts: min (${min}) must not be greater than max (${max})`);
  } else if (max - min + 1 > MAX_PASSIVE_PORTS) {
    problems.push(
      `ftp.passivePorts: ${max - min + 1} ports; at most ${MAX_PASSIVE_PORTS} (each is published separately)`,
    );
  } else if (max === min) {
    problems.push(
      `ftp.passivePorts: one port (${min}); at least 2 (FTP sessions may use half the range at once)`,
    );
  }
  if (passive(ftp.port)) problems.push(`ftp.port: ${ftp.port} lies inside ftp.passivePorts ${min}–${max}`);
  if (http.port === ftp.port) problems.push(`http.port: ${http.port} is also ftp.port`);
  if (passive(http.port)) problems.push(`http.port: ${http.port} lies inside ftp.passivePorts ${min}–${max}`);
  if (sftp.enabled) {
    const at = `sftp.port: ${sftp.port}`;
    if (sftp.port === ftp.port) problems.push(`${at} is also ftp.port`);
    if (sftp.port === http.port) problems.push(`${at} is also http.port`);
    if (http.tls !== "off" && sftp.port === http.httpsPort) problems.push(`${at} is also http.httpsPort`);
    if (passive(sftp.port)) problems.push(`${at} lies inside ftp.passivePorts ${min}–${max}`);
  }
  if (http.tls !== "off") {
    const at = `http.httpsPort: ${http.httpsPort}`;
    if (http.httpsPort === http.port) problems.push(`${at} is also http.port`);
    if (http.httpsPort === ftp.port) problems.push(`${at} is also ftp.port`);
    if (passive(http.httpsPort)) problems.push(`${at} lies inside ftp.passivePorts ${min}–${max}`);
  }
  return problems;
}

/** A certificate and a key wherever TLS is on, each with the command that sets it. */
function tlsPair(
  section: "ftp" | "http",
  c: { readonly tls: string; readonly tlsCertificate?: string; readonly tlsKey?: string },
): string[] {
  if (c.tls === "off") return [];
  const missing = (field: string) =>
    `${section}.${field}: required when ${section}.tls is ${c.tls}; ` +
    `set it with \`pulumi config set --secret --path ${section}.${field} -- "$(cat FILE.pem)"\``;
  return [
    ...(c.tlsCertificate === undefined ? [missing("tlsCertificate")] : []),
    ...(c.tlsKey === undefined ? [missing("tlsKey")] : []),
  ];
}

function ftpRules({ ftp, http }: RawConfig): string[] {
  const problems: string[] = [];
  if (ftp.passiveAddress === undefined && ftp.bindAddress === "0.0.0.0") {
    problems.push(
      "ftp.passiveAddress: required when ftp.bindAddress is 0.0.0.0 (the address FTP clients reach this host at)",
    );
  }
  problems.push(...tlsPair("ftp", ftp));
  const limit = passiveClientLimit(ftp.passivePorts);
  if (ftp.maxClients !== undefined && limit >= 1 && ftp.maxClients > limit) {
    const ports = ftp.passivePorts.max - ftp.passivePorts.min + 1;
    problems.push(
      `ftp.maxClients: ${ftp.maxClients} exceeds half of ftp.passivePorts (${ports} ports, so at most ${limit}): ` +
        "vsftpd picks passive ports at random and breaks a session with 500 OOPS when it misses a free one; " +
        "widen ftp.passivePorts or lower ftp.maxClients",
    );
  }
  const maxClients = ftp.maxClients ?? limit;
  if (ftp.maxPerIp !== undefined && ftp.maxPerIp > maxClients) {
    const why = ftp.maxClients === undefined ? ", half of ftp.passivePorts" : "";
    problems.push(`ftp.maxPerIp: ${ftp.maxPerIp} exceeds ftp.maxClients (${maxClients}${why})`);
  }
  ftp.users.forEach((u, i) => {
    if (RESERVED_USER_NAMES.includes(u.name)) {
      problems.push(`ftp.users[${i}].name: '${u.name}' is reserved (${RESERVED_USER_NAMES.join(", ")})`);
    }
  });
  problems.push(
    ...duplicates(
      ftp.users,
      (u) => u.name,
      (i) => `ftp.users[${i}].name`,
    ),
  );
  ftp.users.forEach((u, i) => {
    const containing = http.locations.find((l) => isInside(u.root, l.directory));
    if (containing) {
      problems.push(
        `ftp.users[${i}].root: '${u.root}' is inside the location directory '${containing.directory}'; ` +
          "vsftpd cannot chroot into a folder its user can write; use a parent folder",
      );
    } else if (!http.locations.some((l) => isInside(l.directory, u.root))) {
      problems.push(
        `ftp.users[${i}].root: no location directory lies inside '${u.root}', so nothing there would be served`,
      );
    }
  });
  return problems;
}

function httpRules({ http }: RawConfig): string[] {
  const problems: string[] = [...tlsPair("http", http)];
  if (http.hstsMaxAge !== undefined && http.tls !== "required") {
    problems.push(
      `http.hstsMaxAge: has no effect unless http.tls is required (it is ${http.tls}); HSTS is sent only then`,
    );
  }
  const locations = http.locations;
  problems.push(
    ...duplicates(
      locations,
      (l) => l.path,
      (i) => `http.locations[${i}].path`,
    ),
  );
  locations.forEach((l, i) => {
    locations.forEach((other, j) => {
      if (j < i && (isInside(l.directory, other.directory) || isInside(other.directory, l.directory))) {
        problems.push(
          `http.locations[${i}].directory: '${l.directory}' overlaps http.locations[${j}].directory '${other.directory}'`,
        );
      }
    });
    if (l.secureLink && http.secureLinkSecret === undefined) {
      problems.push(
        `http.locations[${i}].secureLink: needs http.secureLinkSecret (\`pulumi config set --secret --path http.secureLinkSecret …\`)`,
      );
    }
    if (l.basicAuth && http.users.length === 0) {
      problems.push(`http.locations[${i}].basicAuth: needs at least one entry in http.users`);
    }
    if (l.hls !== undefined && l.secureLink) {
      // A player fetches each playlist and segment by a relative URL, which drops the signed
      // link's query string: one signature cannot cover the ladder (docs/delivery.md#hls).
      problems.push(
        `http.locations[${i}].hls: cannot be combined with secureLink (players drop the signature on playlists and segments); use basicAuth or allow/deny`,
      );
    }
    if (l.limitRateAfter !== undefined && l.limitRate === undefined) {
      problems.push(
        `http.locations[${i}].limitRateAfter: has no effect without http.locations[${i}].limitRate`,
      );
    }
  });
  problems.push(
    ...duplicates(
      http.users,
      (u) => u.name,
      (i) => `http.users[${i}].name`,
    ),
  );
  if (http.gallery.enabled) {
    const clash = locations.findIndex((l) => l.path === http.gallery.path);
    if (clash >= 0)
      problems.push(`http.gallery.path: '${http.gallery.path}' is also http.locations[${clash}].path`);
    // An exact location for the page would hide the folder of that name from the location's listing.
    const inside = locations.findIndex(
      (l) => http.gallery.path !== l.path && http.gallery.path.startsWith(l.path),
    );
    if (inside >= 0)
      problems.push(
        `http.gallery.path: '${http.gallery.path}' lies inside http.locations[${inside}].path '${locations[inside].path}'`,
      );
    if (!locations.some((l) => l.autoindex)) {
      problems.push(
        "http.gallery.enabled: the gallery shows locations with autoindex on, and none has it; turn one on or the gallery off",
      );
    }
  }
  return problems;
}

/** What needs the media worker says so when it is off, rather than doing nothing. */
function processingRules({ processing, http, images }: RawConfig): string[] {
  if (processing.enabled) {
    return duplicates(
      processing.webhooks,
      (w) => w.url,
      (i) => `processing.webhooks[${i}].url`,
    );
  }
  const off = "needs the media worker, and processing.enabled is false";
  return [
    ...http.locations.flatMap((l, i) => [
      ...(l.publish === "verified" ? [`http.locations[${i}].publish: verified ${off}`] : []),
      ...(l.hls !== undefined ? [`http.locations[${i}].hls: ${off}`] : []),
    ]),
    ...(processing.webhooks.length > 0 ? [`processing.webhooks: ${off}`] : []),
    ...(images.worker !== undefined ? [`images.worker: ${off}`] : []),
  ];
}

/** SFTP settings without the SFTP server say so; with it, names and folders it needs. */
function sftpRules({ sftp, ftp, http, images }: RawConfig): string[] {
  if (sftp.enabled) {
    const problems: string[] = [];
    ftp.users.forEach((u, i) => {
      if (SFTP_RESERVED_USER_NAMES.includes(u.name)) {
        problems.push(`ftp.users[${i}].name: '${u.name}' is an account of the SFTP image; pick another name`);
      }
      const dev = u.root === "" ? SFTP_LOG_FOLDER : `${u.root}/${SFTP_LOG_FOLDER}`;
      http.locations.forEach((l, j) => {
        if (isInside(l.directory, dev)) {
          problems.push(
            `http.locations[${j}].directory: '${l.directory}' is the folder '${dev}' where SFTP logs for ftp.users[${i}]; use another name`,
          );
        }
      });
    });
    return problems;
  }
  const off = "has no effect while sftp.enabled is false";
  return [
    ...ftp.users.flatMap((u, i) => (u.sshKeys.length > 0 ? [`ftp.users[${i}].sshKeys: ${off}`] : [])),
    ...(sftp.hostKey !== undefined ? [`sftp.hostKey: ${off}`] : []),
    ...(images.sftp !== undefined ? [`images.sftp: ${off}`] : []),
  ];
}

/**
 * Swarm mode: the nodes pull images by name, so what the program builds goes to a registry;
 * Swarm publishes host-mode ports on every address of a node. Swarm settings say so in host mode.
 */
function swarmRules({ target, edge, images, ftp, http, processing, sftp }: RawConfig): string[] {
  const { registry } = images;
  if (target.mode === "host") {
    const off = "only with target.mode swarm (it is host)";
    return [
      ...(edge !== undefined ? [`edge: ${off}`] : []),
      ...(registry !== undefined ? [`images.registry: ${off}`] : []),
    ];
  }
  const problems: string[] = [];
  const built = [
    ["ftp", images.ftp],
    ["web", images.web],
    ...(processing.enabled ? [["worker", images.worker]] : []),
    ...(sftp.enabled ? [["sftp", images.sftp]] : []),
  ].filter(([, ref]) => ref === undefined);
  if (registry === undefined && built.length > 0) {
    problems.push(
      "images.registry: target.mode swarm pushes the images it builds for every node to pull; set " +
        "images.registry.server (with username and password if it needs them), or prebuilt references in " +
        built.map(([role]) => `images.${role}`).join(", "),
    );
  }
  if (registry?.username !== undefined && registry.password === undefined) {
    problems.push(
      "images.registry.password: required with images.registry.username (`pulumi config set --secret --path images.registry.password`)",
    );
  }
  if (registry?.password !== undefined && registry.username === undefined) {
    problems.push("images.registry.username: required with images.registry.password");
  }
  if (
    edge !== undefined &&
    PATTERNS.edgeSize.test(edge.cacheSize) &&
    PATTERNS.edgeSize.test(edge.sliceSize)
  ) {
    if (sizeBytes(edge.cacheSize) < sizeBytes(edge.sliceSize)) {
      problems.push(
        `edge.cacheSize: ${edge.cacheSize} holds less than one slice (edge.sliceSize ${edge.sliceSize})`,
      );
    }
  }
  const everyAddress = "with target.mode swarm; Swarm publishes a node's ports on all its addresses";
  if (ftp.bindAddress !== "0.0.0.0")
    problems.push(`ftp.bindAddress: must be 0.0.0.0 (the default) ${everyAddress}`);
  if (http.bindAddress !== "0.0.0.0")
    problems.push(`http.bindAddress: must be 0.0.0.0 (the default) ${everyAddress}`);
  return problems;
}

export function crossCheck(c: RawConfig): string[] {
  return [
    ...swarmRules(c),
    ...targetRules(c),
    ...portRules(c),
    ...ftpRules(c),
    ...httpRules(c),
    ...processingRules(c),
    ...sftpRules(c),
  ];
}
