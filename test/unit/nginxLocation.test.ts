/**
 * The media location renderer, pinned once as exact lines with every option on, and the variants
 * of its pieces that location does not show. The http-level maps a plain location needs are in
 * nginxConf.test.ts's whole file.
 */
import type { LocationSpec } from "../../spec";
import { accessLines } from "../../nginx/access";
import {
  cacheHeader,
  corsHeaders,
  fileCacheControl,
  locationMaps,
  preflightLines,
} from "../../nginx/headers";
import { limitZone, renderLocation } from "../../nginx/location";
import { mp4SeekGuard, mp4SeekMap } from "../../nginx/mp4";

const HTPASSWD = "/etc/nginx/video-server/htpasswd";
const context = {
  mediaRoot: "/srv/media",
  htpasswdFile: HTPASSWD,
  secureLinkSecret: "a-secure-link-secret-0123",
  tls: { mode: "off", httpsPort: 443, hstsMaxAge: 0 },
} as const;

const base: LocationSpec = {
  path: "/videos/",
  directory: "videos",
  autoindex: false,
  publish: "immediate",
  mp4: false,
  secureLink: false,
  allow: [],
  deny: [],
  basicAuth: false,
  corsOrigins: [],
  cacheSeconds: 3600,
};
const loc = (fields: Partial<LocationSpec>): LocationSpec => ({ ...base, ...fields });

const SECURITY = [
  "add_header X-Content-Type-Options nosniff always;",
  "add_header Referrer-Policy no-referrer always;",
  "add_header X-Frame-Options SAMEORIGIN always;",
  "add_header Content-Security-Policy $vs_sandbox always;",
];

describe("renderLocation", () => {
  it("writes every option of a location in phase order: access, preflight, signature, seek guard, limits, headers", () => {
    const all = loc({
      autoindex: true,
      mp4: true,
      secureLink: true,
      allow: ["127.0.0.1", "10.0.0.0/8"],
      deny: ["10.9.0.0/16"],
      basicAuth: true,
      corsOrigins: ["https://player.example.com"],
      cacheSeconds: 60,
      limitRate: "2m",
      limitRateAfter: "10m",
      limitConnPerIp: 4,
    });
    const body = (lines: string[]) => lines.map((l) => `    ${l}`);
    expect(renderLocation(all, 3, context)).toEqual([
      "location /videos/ {",
      ...body([
        "alias /srv/media/videos/;",
        "autoindex on;",
        "mp4;",
        "deny 10.9.0.0/16;",
        "allow 127.0.0.1;",
        "allow 10.0.0.0/8;",
        "deny all;",
        'auth_basic "video-server";',
        `auth_basic_user_file ${HTPASSWD};`,
        "if ($request_method = OPTIONS) {",
        "    return 204;",
        "}",
        "secure_link $arg_md5,$arg_expires;",
        'secure_link_md5 "$secure_link_expires$uri a-secure-link-secret-0123";',
        'if ($secure_link = "") {',
        "    return 403;",
        "}",
        'if ($secure_link = "0") {',
        "    return 410;",
        "}",
        "if ($vs_seek_not_mp4) {",
        "    return 400;",
        "}",
        "limit_conn vs_conn_3 4;",
        "limit_rate 2m;",
        "limit_rate_after 10m;",
        "add_header Cache-Control $vs_cache_3;",
        ...SECURITY,
        "add_header Access-Control-Allow-Origin $vs_cors_3 always;",
        'add_header Access-Control-Allow-Methods "GET, HEAD, OPTIONS" always;',
        'add_header Access-Control-Allow-Headers "Range" always;',
        'add_header Access-Control-Expose-Headers "Content-Range, Accept-Ranges, Content-Length" always;',
        "add_header Access-Control-Max-Age 86400 always;",
        "add_header Vary Origin always;",
      ]),
      "}",
    ]);
  });

  it("refuses to render a secure-link location without the secret", () => {
    expect(() =>
      renderLocation(loc({ secureLink: true }), 0, { ...context, secureLinkSecret: undefined }),
    ).toThrow("location /videos/ has secureLink on but no http.secureLinkSecret was given");
  });
});

describe("access", () => {
  test.each<[string, Partial<LocationSpec>, string[]]>([
    ["nothing for an open location", {}, []],
    [
      "deny entries alone, without deny all",
      { deny: ["203.0.113.7", "2001:db8::/32"] },
      ["deny 203.0.113.7;", "deny 2001:db8::/32;"],
    ],
    ["allow entries then deny all", { allow: ["192.0.2.0/24"] }, ["allow 192.0.2.0/24;", "deny all;"]],
  ])("writes %s", (_, fields, lines) => {
    expect(accessLines(loc(fields), HTPASSWD)).toEqual(lines);
  });
});

describe("headers", () => {
  test.each<[string, Partial<LocationSpec>, string]>([
    ["public for an open location", {}, "public, max-age=3600"],
    ["no-cache for cacheSeconds 0", { cacheSeconds: 0 }, "no-cache"],
    ["private behind basic auth", { basicAuth: true }, "private, max-age=3600"],
    ["private behind a secure link", { secureLink: true }, "private, max-age=3600"],
    ["private behind an allow list", { allow: ["10.0.0.0/8"] }, "private, max-age=3600"],
    ["private behind a deny list", { deny: ["10.0.0.0/8"] }, "private, max-age=3600"],
  ])("caches files %s", (_, fields, value) => {
    expect(fileCacheControl(loc(fields))).toBe(value);
  });

  it("needs no map and sends no-cache everywhere for cacheSeconds 0", () => {
    expect(locationMaps(loc({ cacheSeconds: 0 }), 1)).toEqual([]);
    expect(cacheHeader(loc({ cacheSeconds: 0 }), 1)).toBe('add_header Cache-Control "no-cache";');
  });

  it("echoes only listed origins, lower-cased as browsers send them", () => {
    const l = loc({ cacheSeconds: 0, corsOrigins: ["http://localhost:3000", "https://Player.Example.com"] });
    expect(locationMaps(l, 0)).toEqual([
      "map $http_origin $vs_cors_0 {",
      '    default "";',
      '    "http://localhost:3000" $http_origin;',
      '    "https://player.example.com" $http_origin;',
      "}",
    ]);
  });

  it("allows any origin with '*', with no map and no Vary", () => {
    const l = loc({ cacheSeconds: 0, corsOrigins: ["*", "https://player.example.com"] });
    expect(locationMaps(l, 0)).toEqual([]);
    expect(corsHeaders(l, 0)[0]).toBe('add_header Access-Control-Allow-Origin "*" always;');
    expect(corsHeaders(l, 0)).not.toContain("add_header Vary Origin always;");
  });

  it("writes no CORS header and no preflight answer without origins", () => {
    expect(corsHeaders(loc({}), 0)).toEqual([]);
    expect(preflightLines(loc({}))).toEqual([]);
  });
});

describe("limits and mp4", () => {
  it("gives each limited location a connection zone of its own, keyed by client address", () => {
    expect(limitZone(loc({ limitConnPerIp: 2 }), 5)).toEqual([
      "limit_conn_zone $binary_remote_addr zone=vs_conn_5:1m;",
    ]);
    expect(limitZone(loc({}), 5)).toEqual([]);
  });

  it("maps a seek on anything but an MP4-family file to the 400 guard", () => {
    expect(mp4SeekMap()).toEqual([
      'map "$arg_start$arg_end:$uri" $vs_seek_not_mp4 {',
      '    "~^:" 0;',
      '    "~*\\.(mp4|m4v|m4a|mov)$" 0;',
      "    default 1;",
      "}",
    ]);
    expect(mp4SeekGuard(loc({ mp4: false }))).toEqual([]);
  });

  it("hands an MP4 location's reads to the thread pool only with http.aioThreads", () => {
    const lines = (aioThreads: boolean, mp4: boolean) =>
      renderLocation(loc({ mp4 }), 0, { ...context, aioThreads }).map((l) => l.trim());
    expect(lines(true, true)).toEqual(expect.arrayContaining(["mp4;", "aio threads;"]));
    expect(lines(false, true)).toContain("mp4;");
    expect(lines(false, true)).not.toContain("aio threads;");
    expect(lines(true, false)).not.toContain("aio threads;");
  });
});
