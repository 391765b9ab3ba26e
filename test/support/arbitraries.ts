/**
 * fast-check arbitraries of VALID stack configs, built from the schema's own patterns
 * (spec/schema.ts PATTERNS) and shaped to satisfy the rules between fields: distinct
 * location paths, non-overlapping location folders, user roots that hold a location folder,
 * ports outside the passive range. Sizes are bounded: at most 5 locations, 3 FTP users.
 */
import fc from "fast-check";
import {
  isCidr,
  isHostName,
  MAX_PASSIVE_PORTS,
  passiveClientLimit,
  PATTERNS,
  RESERVED_USER_NAMES,
} from "../../spec";
import type { StackConfig } from "./project";

/** The run's seed: fixed, printed by fast-check on failure; RELIABILITY_SEED replays another. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20_240_808);

const small = { size: "xsmall" } as const;
export const segment = fc.stringMatching(PATTERNS.segment, small);
export const urlPrefix = fc.stringMatching(PATTERNS.urlPrefix, small);
export const userName = fc
  .stringMatching(PATTERNS.userName, small)
  .filter((n) => !RESERVED_USER_NAMES.includes(n));
export const ipv4 = fc.stringMatching(PATTERNS.ipv4);
/** PATTERNS.hostname has a length lookahead fast-check cannot generate from: labels joined by dots. */
const label = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, small);
export const hostname = fc
  .array(label, { minLength: 1, maxLength: 3 })
  .map((l) => l.join("."))
  .filter(isHostName);
export const serverName = fc.oneof(
  fc.constant("_"),
  hostname,
  hostname.map((h) => `*.${h}`),
);
/** A password: 8–72 bytes, no line break or NUL; any other character, spaces and quotes included. */
export const password = fc
  .string({ minLength: 8, maxLength: 40, unit: "grapheme" })
  .filter((p) => Buffer.byteLength(p) <= 72 && !/[\r\n\0]/.test(p));
export const cidr = fc
  .oneof(
    ipv4,
    fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
    fc.ipV6(),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
  )
  .filter((c) => isCidr(c));
export const origin = fc.stringMatching(PATTERNS.origin, small);
// Built once: making a stringMatching arbitrary parses its regex, too slow to repeat per draw.
const physicalName = fc.stringMatching(PATTERNS.physicalName, small);
const secret = fc.stringMatching(PATTERNS.secret);
const size = fc.stringMatching(PATTERNS.size);
const imageRef = fc.stringMatching(PATTERNS.imageRef, small);

export interface PemPair {
  readonly certificate: string;
  readonly key: string;
}

export interface ValidConfigOptions {
  /** FTPS certificate and key; without them ftp.tls stays "off". */
  readonly pem?: PemPair;
  /** Passive addresses: every kind the schema takes, or only what resolves without DNS. */
  readonly passiveAddresses?: "any" | "no-dns";
}

interface Folders {
  /** Location folders, relative to the media. */
  readonly directories: string[];
  /** Folders that hold some location folders and lie inside none: where a user may be rooted. */
  readonly parents: string[];
}

/** Distinct segments: the first few are parent folders, the rest leaves, so no two folders overlap. */
const folders: fc.Arbitrary<Folders> = fc.uniqueArray(segment, { minLength: 2, maxLength: 7 }).chain((segs) =>
  fc.integer({ min: 0, max: Math.min(2, segs.length - 1) }).chain((groupCount) => {
    const groups = segs.slice(0, groupCount);
    const leaves = segs.slice(groupCount, groupCount + 5);
    return fc
      .array(fc.constantFrom("", ...groups), { minLength: leaves.length, maxLength: leaves.length })
      .map((parentOf) => {
        const directories = leaves.map((leaf, i) => (parentOf[i] ? `${parentOf[i]}/${leaf}` : leaf));
        return { directories, parents: [...new Set(parentOf.filter((p) => p !== ""))] };
      });
  }),
);

const ports = fc
  .record({
    min: fc.integer({ min: 1024, max: 65535 }),
    count: fc.integer({ min: 2, max: MAX_PASSIVE_PORTS }),
    ftp: fc.integer({ min: 1, max: 65535 }),
    http: fc.integer({ min: 1, max: 65535 }),
    https: fc.integer({ min: 1, max: 65535 }),
  })
  .map(({ min, count, ...rest }) => ({ ...rest, min: Math.min(min, 65534), count }))
  .map(({ min, count, ...rest }) => ({ ...rest, min, max: Math.min(65535, min + count - 1) }))
  .filter(
    ({ min, max, ftp, http, https }) =>
      new Set([ftp, http, https]).size === 3 && [ftp, http, https].every((p) => p < min || p > max),
  );

/** ftp.maxClients within half the passive range and ftp.maxPerIp within that, from two picks. */
function clientLimits(
  range: { readonly min: number; readonly max: number },
  picks: readonly [number, number] | undefined,
): { maxClients?: number; maxPerIp?: number } {
  if (picks === undefined) return {};
  const maxClients = 1 + (picks[0] % passiveClientLimit(range));
  return { maxClients, maxPerIp: 1 + (picks[1] % maxClients) };
}

/** http.tls and what it needs; HSTS only where it has an effect. */
function httpsFields(
  tls: string,
  httpsPort: number,
  hstsMaxAge: number | undefined,
  pem: PemPair | undefined,
): Record<string, unknown> {
  if (tls === "off" || pem === undefined) return {};
  return {
    tls,
    httpsPort,
    tlsCertificate: pem.certificate,
    tlsKey: pem.key,
    ...(tls === "required" && hstsMaxAge !== undefined ? { hstsMaxAge } : {}),
  };
}

/** The per-location switches and limits; path and directory come from the folder plan. */
const locationOptions = fc
  .record({
    autoindex: fc.boolean(),
    mp4: fc.boolean(),
    secureLink: fc.boolean(),
    allow: fc.array(cidr, { maxLength: 3 }),
    deny: fc.array(cidr, { maxLength: 3 }),
    basicAuth: fc.boolean(),
    corsOrigins: fc.oneof(
      fc.constant([]),
      fc.constant(["*"]),
      fc.uniqueArray(origin, { minLength: 1, maxLength: 3 }),
    ),
    cacheSeconds: fc.integer({ min: 0, max: 31_536_000 }),
    limitRate: fc.option(fc.stringMatching(PATTERNS.rate), { nil: undefined }),
    limitRateAfter: fc.option(size, { nil: undefined }),
    limitConnPerIp: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
  })
  // The rules: no limit_rate_after without limit_rate.
  .map((l) => ({ ...l, limitRateAfter: l.limitRate === undefined ? undefined : l.limitRateAfter }));

/** Any valid stack config: every field drawn, within the rules that relate fields. */
export function validConfig(options: ValidConfigOptions = {}): fc.Arbitrary<StackConfig> {
  const passive =
    options.passiveAddresses === "no-dns"
      ? fc.oneof(ipv4, fc.constant("localhost"))
      : fc.oneof(ipv4, hostname);
  const tls = options.pem ? fc.constantFrom("off", "enabled", "required") : fc.constant("off");
  const httpTls = options.pem ? fc.constantFrom("off", "enabled", "required") : fc.constant("off");
  return folders.chain(({ directories, parents }) =>
    fc
      .record({
        name: fc.option(physicalName, { nil: undefined }),
        ports,
        bindAddress: fc.oneof(fc.constant("0.0.0.0"), ipv4),
        passiveAddress: fc.option(passive, { nil: undefined }),
        users: fc.uniqueArray(
          fc.record({
            name: userName,
            password: fc.option(password, { nil: undefined }),
            root: fc.constantFrom("", ...parents),
            write: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3, selector: (u) => u.name },
        ),
        tls,
        httpTls,
        hstsMaxAge: fc.option(fc.integer({ min: 0, max: 63_072_000 }), { nil: undefined }),
        maxLoginFails: fc.integer({ min: 1, max: 20 }),
        delayFailedLogin: fc.integer({ min: 0, max: 60 }),
        /** Picks within the limits (see the map below), or unset for the defaults. */
        clients: fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
        httpBind: fc.oneof(fc.constant("0.0.0.0"), ipv4),
        serverName,
        paths: fc.uniqueArray(urlPrefix, {
          minLength: directories.length + 1,
          maxLength: directories.length + 1,
        }),
        galleryAtRoot: fc.boolean(),
        galleryEnabled: fc.boolean(),
        httpUsers: fc.uniqueArray(fc.record({ name: userName, password }), {
          maxLength: 2,
          selector: (u) => u.name,
        }),
        secureLinkSecret: secret,
        directio: fc.oneof(fc.constant("off"), size),
        images: fc.record({
          ftp: fc.option(imageRef, { nil: undefined }),
          web: fc.option(imageRef, { nil: undefined }),
        }),
      })
      .chain((d) =>
        fc
          .array(locationOptions, { minLength: directories.length, maxLength: directories.length })
          .map((drawn): StackConfig => {
            const locations = drawn.map((l, i) => ({
              path: d.paths[i],
              directory: directories[i],
              ...l,
              basicAuth: l.basicAuth && d.httpUsers.length > 0,
            }));
            const galleryPath = d.galleryAtRoot ? "/" : d.paths[directories.length];
            // The gallery needs a listed location, and must not lie inside one.
            const galleryEnabled =
              d.galleryEnabled &&
              locations.some((l) => l.autoindex) &&
              !locations.some((l) => galleryPath !== l.path && galleryPath.startsWith(l.path));
            const passiveAddress =
              d.passiveAddress ?? (d.bindAddress === "0.0.0.0" ? "127.0.0.1" : undefined);
            return {
              ...(d.name === undefined ? {} : { name: d.name }),
              media: { hostPath: "/srv/video-server/media" },
              ftp: {
                port: d.ports.ftp,
                bindAddress: d.bindAddress,
                ...(passiveAddress === undefined ? {} : { passiveAddress }),
                passivePorts: { min: d.ports.min, max: d.ports.max },
                users: d.users,
                tls: d.tls,
                ...(d.tls === "off" || !options.pem
                  ? {}
                  : { tlsCertificate: options.pem.certificate, tlsKey: options.pem.key }),
                maxLoginFails: d.maxLoginFails,
                delayFailedLogin: d.delayFailedLogin,
                ...clientLimits(d.ports, d.clients),
              },
              http: {
                port: d.ports.http,
                bindAddress: d.httpBind,
                serverName: d.serverName,
                locations,
                users: d.httpUsers,
                ...(locations.some((l) => l.secureLink) ? { secureLinkSecret: d.secureLinkSecret } : {}),
                gallery: { enabled: galleryEnabled, path: galleryPath },
                directio: d.directio,
                ...httpsFields(d.httpTls, d.ports.https, d.hstsMaxAge, options.pem),
              },
              images: d.images,
            };
          }),
      ),
  );
}
