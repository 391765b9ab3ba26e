/**
 * Swarm mode's two nginx configs (issue 15): the edge cache (nginx/edge.ts) and the origin
 * behind it (renderOriginConf), and what each container gets. The services tier runs both
 * (test/services/edge.test.ts); here, what each file says.
 */
import fc from "fast-check";
import { edgeContainerFiles, webContainerFiles } from "../../containerFiles";
import { renderOriginConf } from "../../nginx/conf";
import { derivedKinds, derivedRules } from "../../nginx/derived";
import { keysZoneMegabytes, lockSeconds, renderEdgeConf } from "../../nginx/edge";
import { locationRules } from "../../nginx/location";
import {
  DERIVED_URLS,
  EDGE_CONTAINER_LAYOUT,
  WEB_CONTAINER_LAYOUT,
  type EdgeSpec,
  type ParsedConfig,
} from "../../spec";
import { SEED, validConfig } from "../support/arbitraries";
import { withSections } from "../support/layout";
import type { StackConfig } from "../support/project";
import { parseConfig, threeUserConfig, withValue } from "../support/stacks";
import { PEM_CERTIFICATE, PEM_KEY } from "./everyField";
import { parseNginxConf, type Directive } from "./nginxSyntax";

const REGISTRY = { server: "registry.example.com:5000" };
const ORIGIN = { host: "vs-web", port: 80, resolver: "127.0.0.11" };

/** A stack config in swarm mode: the addresses Swarm publishes on, a registry, edge settings. */
function swarm(config: StackConfig, edge: Record<string, unknown> = {}): StackConfig {
  const ftp = (config.ftp ?? {}) as Record<string, unknown>;
  return withSections(config, {
    target: { mode: "swarm" },
    images: { registry: REGISTRY },
    ftp: { bindAddress: "0.0.0.0", passiveAddress: ftp.passiveAddress ?? "127.0.0.1" },
    http: { bindAddress: "0.0.0.0" },
    edge,
  });
}

function parsed(config: StackConfig): ParsedConfig & { edge: EdgeSpec } {
  const p = parseConfig(config);
  if (p.spec.edge === undefined) throw new Error("not a swarm stack");
  return { ...p, edge: p.spec.edge };
}

const edgeConf = ({ spec, secrets, edge }: ReturnType<typeof parsed>) =>
  renderEdgeConf(spec.http, edge, EDGE_CONTAINER_LAYOUT, ORIGIN, secrets.secureLinkSecret);
const originConf = ({ spec, edge }: ReturnType<typeof parsed>) =>
  renderOriginConf(spec.http, edge, WEB_CONTAINER_LAYOUT);

/** The http block's `server` blocks, in order: the media server first. */
function servers(conf: string): (readonly Directive[])[] {
  const http = parseNginxConf(conf).find((d) => d.name === "http");
  return (http?.block ?? []).filter((d) => d.name === "server").map((d) => d.block ?? []);
}
const httpBlock = (conf: string) => parseNginxConf(conf).find((d) => d.name === "http")?.block ?? [];
const args = (block: readonly Directive[], name: string) =>
  block.filter((d) => d.name === name).map((d) => d.args.join(" "));
/** The location blocks of a server, by their arguments (`/videos/`, `= /gallery/`). */
function locations(server: readonly Directive[]): Map<string, readonly Directive[]> {
  return new Map(server.filter((d) => d.name === "location").map((d) => [d.args.join(" "), d.block ?? []]));
}
/** A directive without its line numbers, nested ones too: where it is does not matter here. */
const placeless = (d: Directive): unknown => ({
  name: d.name,
  args: d.args,
  ...(d.block ? { block: d.block.map(placeless) } : {}),
});
/** A renderer's lines as nginx reads them, to compare with a block of a whole file. */
const text = (lines: readonly string[]) => parseNginxConf(lines.join("\n")).map(placeless);
/** Directives of a block, nested ones (`if`) included, by name. */
function every(block: readonly Directive[]): Directive[] {
  return block.flatMap((d) => [d, ...every(d.block ?? [])]);
}

const locationOf = (path: string, fields: Record<string, unknown>) => ({
  path,
  directory: path.replace(/^\/|\/$/g, ""),
  ...fields,
});

/** One location per client rule, each on a location of its own. */
const RULES: StackConfig = swarm(
  withSections(threeUserConfig(), {
    http: {
      port: 80,
      serverName: "media.example.com",
      users: [{ name: "viewer", password: "viewer-password" }],
      secureLinkSecret: "an-edge-secure-link-secret",
      gallery: { enabled: true, path: "/gallery/" },
      locations: [
        locationOf("/videos/", { autoindex: true, mp4: true, corsOrigins: ["https://player.example.com"] }),
        locationOf("/members/", { basicAuth: true }),
        locationOf("/lan/", { allow: ["10.0.0.0/8"], deny: ["10.9.0.0/16"] }),
        locationOf("/signed/", { secureLink: true, mp4: true }),
        locationOf("/slow/", { limitRate: "256k", limitRateAfter: "1m", limitConnPerIp: 2 }),
        locationOf("/hls/", { autoindex: true, hls: {} }),
        locationOf("/team-a/videos/", {}),
      ],
    },
  }),
  { sliceSize: "2m", cacheSize: "20g", cacheInactive: "12h", cacheSeconds: 90, subnet: "10.250.0.0/24" },
);

/** Valid stacks of every shape, in swarm mode with edge settings of every kind. */
const swarmConfigs = fc
  .tuple(
    validConfig(),
    fc.record({
      sliceSize: fc.constantFrom("64k", "512k", "1m", "4m", "64m"),
      cacheSize: fc.constantFrom("512m", "10g", "2048g"),
      cacheInactive: fc.constantFrom("30m", "12h", "7d"),
      cacheSeconds: fc.integer({ min: 1, max: 86_400 }),
      subnet: fc.constantFrom("10.249.0.0/24", "172.20.0.0/16", "10.0.0.16/28"),
    }),
  )
  .map(([config, edge]) => swarm(config, edge));
const RUNS = { numRuns: 40, seed: SEED };

describe("renderEdgeConf", () => {
  const rules = parsed(RULES);
  const conf = edgeConf(rules);
  const [media, relay, status] = servers(conf);
  const byPath = locations(media);

  it("renders the same bytes for the same stack, whatever the stack", () => {
    fc.assert(
      fc.property(swarmConfigs, (config) => {
        const a = edgeConf(parsed(config));
        expect(edgeConf(parsed(config))).toBe(a);
        expect(a).not.toMatch(/undefined|NaN|\[object/);
      }),
      RUNS,
    );
  });

  it("writes the configured slice size, cache size, inactivity and validity", () => {
    expect(args(httpBlock(conf), "proxy_cache_path")).toEqual([
      "/var/cache/video-server-edge levels=1:2 keys_zone=vs_edge:82m max_size=20g inactive=12h use_temp_path=off",
    ]);
    expect(args(media, "proxy_cache_valid")).toEqual(["200 206 301 302 90s"]);
    for (const path of ["/videos/", "/members/", "/lan/", "/signed/", "/slow/", "/hls/"])
      expect({ path, slice: args(byPath.get(path) ?? [], "slice") }).toEqual({ path, slice: ["2m"] });
    expect(args(byPath.get("/-/poster/videos/") ?? [], "slice")).toEqual(["2m"]);
  });

  it.each([
    // [sliceSize, cacheSize, keys zone MiB, lock seconds]
    ["1m", "10g", 41, 5],
    ["64k", "10g", 41, 5],
    ["64k", "2048g", 512, 5],
    ["64m", "512m", 3, 16],
    ["16m", "100g", 410, 5],
  ])(
    "sizes the keys zone and the cache lock for %s slices of a %s cache",
    (sliceSize, cacheSize, zone, lock) => {
      const edge = parsed(swarm(threeUserConfig(), { sliceSize, cacheSize })).edge;
      expect([keysZoneMegabytes(edge), lockSeconds(edge)]).toEqual([zone, lock]);
    },
  );

  it("locks each slice while one request fetches it, serves stale copies when the origin fails, and revalidates", () => {
    expect(args(media, "proxy_cache_lock")).toEqual(["on"]);
    expect(args(media, "proxy_cache_lock_timeout")).toEqual(["5s"]);
    expect(args(media, "proxy_cache_lock_age")).toEqual(["5s"]);
    expect(args(media, "proxy_cache_use_stale")).toEqual([
      "error timeout updating http_500 http_502 http_503 http_504",
    ]);
    expect(args(media, "proxy_cache_revalidate")).toEqual(["on"]);
    expect(args(media, "proxy_ignore_headers")).toEqual(["Cache-Control Expires"]);
    expect(args(media, "proxy_set_header")).toEqual([
      'Connection ""',
      "Host $host",
      "X-Forwarded-For $remote_addr",
      'Authorization ""',
      "Range $slice_range",
    ]);
  });

  it("enforces each location's rules at the edge, as the single server writes them", () => {
    fc.assert(
      fc.property(swarmConfigs, (config) => {
        const p = parsed(config);
        const { http } = p.spec;
        const ctx = {
          htpasswdFile: EDGE_CONTAINER_LAYOUT.htpasswdFile,
          secureLinkSecret: p.secrets.secureLinkSecret,
        };
        const found = locations(servers(edgeConf(p))[0]);
        http.locations.forEach((l, i) => {
          const expected = text(locationRules(l, i, ctx));
          expect(found.get(l.path)?.slice(0, expected.length).map(placeless)).toEqual(expected);
          if (!http.derived) return;
          for (const kind of derivedKinds(l)) {
            const derived = text(derivedRules(kind, l, ctx));
            const block = found.get(`${DERIVED_URLS[kind]}${l.path}`) ?? [];
            expect(block.slice(0, derived.length).map(placeless)).toEqual(derived);
          }
        });
      }),
      RUNS,
    );
  });

  it("checks a listing's access before the gallery reads it", () => {
    expect(args(byPath.get("/-/listing/videos/") ?? [], "proxy_pass")).toEqual([
      "http://vs_origin$vs_edge_path",
    ]);
    const members = withValue(RULES, "http.locations.1.autoindex", true);
    const listing = locations(servers(edgeConf(parsed(members)))[0]).get("/-/listing/members/") ?? [];
    expect(args(listing, "auth_basic")).toEqual(['"video-server"']);
  });

  it("keys the cache by path, slice and an mp4 location's cut only: signatures and other arguments share a copy", () => {
    const keys = every(media).filter((d) => d.name === "proxy_cache_key");
    expect(new Set(keys.map((d) => d.args.join(" ")))).toEqual(
      new Set(['"$slice_range $uri"', '"$vs_edge_seek $slice_range $uri"']),
    );
    expect(args(byPath.get("/signed/") ?? [], "proxy_cache_key")).toEqual([
      '"$vs_edge_seek $slice_range $uri"',
    ]);
    expect(args(byPath.get("/members/") ?? [], "proxy_cache_key")).toEqual([]);
    const seek = httpBlock(conf).find((d) => d.name === "map" && d.args[1] === "$vs_edge_seek");
    expect(seek?.args[0]).toBe('"$arg_start$arg_end"');
    expect(seek?.block?.map((d) => [d.name, ...d.args])).toEqual([
      ['""', '""'],
      ["default", '"?start=$arg_start&end=$arg_end"'],
    ]);
  });

  it("asks the origin for the client's path without its query, but an mp4 location's cut", () => {
    const passes = every(media)
      .filter((d) => d.name === "proxy_pass")
      .map((d) => d.args.join(" "));
    expect(new Set(passes)).toEqual(
      new Set(["http://vs_origin$vs_edge_path", "http://vs_origin$vs_edge_path$vs_edge_seek"]),
    );
    expect(args(byPath.get("/videos/") ?? [], "proxy_pass")).toEqual([
      "http://vs_origin$vs_edge_path$vs_edge_seek",
    ]);
    const path = httpBlock(conf).find((d) => d.name === "map" && d.args[1] === "$vs_edge_path");
    expect(path?.args[0]).toBe("$request_uri");
    expect(path?.block?.map((d) => [d.name, ...d.args])).toEqual([['"~^([^?]*)"', "$1"]]);
  });

  it("never stores folder listings, the gallery page and its listings, playlists or metadata", () => {
    const pass = httpBlock(conf).find((d) => d.name === "map" && d.args[1] === "$vs_edge_pass");
    expect(pass?.args[0]).toBe("$uri");
    expect(pass?.block?.map((d) => [d.name, ...d.args])).toEqual([
      ['"~/$"', "1"],
      ['"~\\.m3u8$"', "1"],
      ['"~^/-/meta/"', "1"],
      ["default", "0"],
    ]);
    expect(args(media, "proxy_no_cache")).toEqual(["$vs_edge_pass"]);
    expect(args(media, "proxy_cache_bypass")).toEqual(["$vs_edge_pass"]);
    // The gallery's page and listings are folders: every URL they answer ends in `/`.
    fc.assert(
      fc.property(swarmConfigs, (config) => {
        const { http } = parsed(config).spec;
        if (http.gallery.enabled) expect(http.gallery.path).toMatch(/\/$/);
      }),
      RUNS,
    );
  });

  it("adds its own security headers once, the origin's hidden, and the cache status", () => {
    const videos = byPath.get("/videos/") ?? [];
    expect(args(videos, "proxy_hide_header")).toEqual([
      "Content-Security-Policy",
      "Referrer-Policy",
      "X-Content-Type-Options",
      "X-Frame-Options",
    ]);
    expect(args(videos, "add_header")).toEqual(
      expect.arrayContaining([
        "X-Frame-Options SAMEORIGIN always",
        "Access-Control-Allow-Origin $vs_cors_6 always",
        "X-Cache-Status $upstream_cache_status always",
      ]),
    );
    // Elsewhere the origin's Content-Security-Policy (the gallery's) goes through.
    expect(args(media, "proxy_hide_header")).toEqual([
      "Referrer-Policy",
      "X-Content-Type-Options",
      "X-Frame-Options",
    ]);
    expect(args(byPath.get("= /gallery/") ?? [], "proxy_hide_header")).toEqual([]);
  });

  it("fetches through a loopback relay that asks Docker's DNS for the origin's name", () => {
    expect(args(httpBlock(conf).find((d) => d.name === "upstream")?.block ?? [], "server")).toEqual([
      "127.0.0.1:8082 max_fails=0",
    ]);
    expect(args(relay, "listen")).toEqual(["127.0.0.1:8082"]);
    expect(args(relay, "resolver")).toEqual(["127.0.0.11 valid=10s ipv6=off"]);
    expect(args(relay, "proxy_connect_timeout")).toEqual(["5s"]);
    expect(
      every(relay)
        .filter((d) => ["set", "proxy_pass"].includes(d.name))
        .map((d) => d.args.join(" ")),
    ).toEqual(["$vs_origin vs-web:80", "http://$vs_origin"]);
    expect(args(status, "listen")).toEqual(["127.0.0.1:8081"]);
    const origin = { host: "127.0.0.1", port: 8080 };
    const direct = renderEdgeConf(
      rules.spec.http,
      rules.edge,
      EDGE_CONTAINER_LAYOUT,
      origin,
      "a-secret-0123456789",
    );
    expect(direct).not.toContain("resolver");
  });

  it.each([
    [{ host: "vs-web;", port: 80 }, "edge origin host 'vs-web;'"],
    [{ host: "vs-web", port: 0 }, "edge origin port 0"],
    [{ host: "vs-web", port: 80, resolver: "127.0.0.11 valid=1s" }, "edge resolver '127.0.0.11 valid=1s'"],
  ])("refuses an origin %j that is not an address or a name", (origin, message) => {
    const secret = rules.secrets.secureLinkSecret;
    expect(() => renderEdgeConf(rules.spec.http, rules.edge, EDGE_CONTAINER_LAYOUT, origin, secret)).toThrow(
      message,
    );
  });

  it("terminates TLS and keeps the bans at the edge", () => {
    let config = withValue(RULES, "http.tls", "required");
    config = withValue(withValue(config, "http.tlsCertificate", PEM_CERTIFICATE), "http.tlsKey", PEM_KEY);
    const tls = edgeConf(parsed(config));
    const [server, redirect] = servers(tls);
    expect(args(server, "listen")).toEqual(["443 ssl"]);
    expect(args(server, "ssl_certificate")).toEqual(["/etc/nginx/video-server/tls-certificate.pem"]);
    expect(args(redirect, "listen")).toEqual(["80"]);
    expect(every(server).some((d) => d.name === "if" && d.args.join(" ") === "($vs_banned)")).toBe(true);
    expect(args(httpBlock(tls), "geo")).toEqual(["$vs_banned"]);
  });
});

describe("renderOriginConf", () => {
  const rules = parsed(RULES);
  const conf = originConf(rules);
  const [media] = servers(conf);
  const CLIENT_RULES = [
    "allow",
    "deny",
    "auth_basic",
    "auth_basic_user_file",
    "secure_link",
    "secure_link_md5",
    "limit_conn",
    "limit_rate",
    "limit_rate_after",
  ];

  it("accepts the edges' overlay only, in the server that serves the media", () => {
    expect(args(media, "allow")).toEqual(["10.250.0.0/24"]);
    expect(args(media, "deny")).toEqual(["all"]);
    expect(media.findIndex((d) => d.name === "allow")).toBeLessThan(
      media.findIndex((d) => d.name === "location"),
    );
  });

  it("writes none of a location's client rules, whatever the stack: the edges enforce them", () => {
    fc.assert(
      fc.property(swarmConfigs, (config) => {
        const p = parsed(config);
        const [server, ...rest] = servers(originConf(p));
        const inLocations = every(server.filter((d) => d.name === "location"));
        expect(inLocations.filter((d) => CLIENT_RULES.includes(d.name)).map((d) => d.name)).toEqual([]);
        const headers = inLocations.filter((d) => d.name === "add_header").map((d) => d.args[0]);
        expect(headers.filter((h) => h.startsWith("Access-Control-") || h === "Vary")).toEqual([]);
        expect(
          inLocations.some((d) => d.name === "if" && d.args.join(" ") === "($request_method = OPTIONS)"),
        ).toBe(false);
        // No TLS and no bans: the edges terminate the one and keep the other.
        expect(
          every(server).filter(
            (d) => /^ssl_|^http2$/.test(d.name) || (d.name === "if" && d.args[0] === "($vs_banned)"),
          ),
        ).toEqual([]);
        expect(args(server, "listen")).toEqual(["80"]);
        expect(rest).toHaveLength(1);
        expect(args(httpBlock(originConf(p)), "geo")).toEqual([]);
        expect(args(httpBlock(originConf(p)), "limit_conn_zone")).toEqual([]);
      }),
      RUNS,
    );
  });

  it("serves each location's folder as the single server does: alias, autoindex, mp4, headers", () => {
    const byPath = locations(media);
    expect(args(byPath.get("/videos/") ?? [], "alias")).toEqual(["/srv/media/videos/"]);
    expect(args(byPath.get("/videos/") ?? [], "autoindex")).toEqual(["on"]);
    expect(args(byPath.get("/videos/") ?? [], "mp4")).toEqual([""]);
    // Restricted at the edge, so still private for browsers and shared caches beyond it.
    expect(
      args(
        httpBlock(conf)
          .filter((d) => d.name === "map" && d.args[1] === "$vs_cache_1")
          .flatMap((d) => d.block ?? []),
        "default",
      ),
    ).toEqual(['"private, max-age=3600"']);
    expect(args(byPath.get("/-/listing/videos/") ?? [], "autoindex_format")).toEqual(["json"]);
    expect(byPath.has("/-/poster/videos/")).toBe(true);
    expect(byPath.has("/-/hls/hls/")).toBe(true);
  });

  it("logs the edge, the viewer it fetched for and the slice it asked for", () => {
    expect(args(httpBlock(conf), "access_log")).toEqual(["/dev/stdout vs_origin"]);
    expect(args(httpBlock(conf), "log_format")[0]).toMatch(
      /^vs_origin '\$remote_addr \$http_x_forwarded_for .*"\$http_range"/,
    );
  });
});

describe("container files in swarm mode", () => {
  let config = withValue(RULES, "http.tls", "enabled");
  config = withValue(withValue(config, "http.tlsCertificate", PEM_CERTIFICATE), "http.tlsKey", PEM_KEY);
  const { spec, edge } = parsed(config);
  const secrets = {
    httpHashes: { viewer: "$2b$05$x" },
    secureLinkSecret: "an-edge-secure-link-secret",
    tlsCertificate: PEM_CERTIFICATE,
    tlsKey: PEM_KEY,
  };

  it("gives the origin its nginx.conf and the gallery page alone: no password, key or ban list", () => {
    expect(
      webContainerFiles(spec, WEB_CONTAINER_LAYOUT, secrets).map((f) => [f.file, f.permissions]),
    ).toEqual([
      ["/etc/nginx/nginx.conf", "0644"],
      ["/etc/nginx/video-server/gallery.html", "0644"],
    ]);
  });

  it("gives each edge the passwords, the TLS pair and the ban files, and asks for the origin service by name", () => {
    const files = edgeContainerFiles(spec, edge, EDGE_CONTAINER_LAYOUT, secrets);
    expect(files.map((f) => [f.file, f.permissions])).toEqual([
      ["/etc/nginx/nginx.conf", "0644"],
      ["/etc/nginx/video-server/htpasswd", "0644"],
      ["/etc/nginx/video-server/tls-certificate.pem", "0644"],
      ["/etc/nginx/video-server/tls-key.pem", "0600"],
      ["/etc/nginx/video-server/bans.conf", "0644"],
      ["/usr/local/bin/video-server-bans", "0755"],
      ["/etc/nginx/video-server/bans", "0644"],
    ]);
    expect(files[0]?.content).toContain(`set $vs_origin ${spec.name}-web:80;`);
  });
});
