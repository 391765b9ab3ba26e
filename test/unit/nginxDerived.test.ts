/** The locations of the worker's derived files in nginx.conf (nginx/derived.ts), as exact text. */
import { renderNginxConf } from "../../nginx/conf";
import { WEB_CONTAINER_LAYOUT, parseSpec } from "../../spec";
import { PROJECT } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";

const ctx = { project: PROJECT, stack: "prod", projectDir: "/p" };
const confFor = (locations: unknown[], processing = true) => {
  let config = withValue(threeUserConfig(), "http.locations", locations);
  config = withValue(config, "http.gallery", { enabled: false });
  config = withValue(config, "http.users", [{ name: "viewer", password: "viewer-password" }]);
  config = withValue(config, "http.secureLinkSecret", "derived-secure-link-secret");
  config = withValue(config, "ftp.users", [{ name: "editor", password: "editor-password-1" }]);
  config = withValue(config, "processing.enabled", processing);
  return renderNginxConf(
    parseSpec(config, ctx).spec.http,
    WEB_CONTAINER_LAYOUT,
    "derived-secure-link-secret",
  );
};

/** The lines of the block that opens with `location <path> {`. */
function blockAt(conf: string, path: string): string[] {
  const lines = conf.split("\n");
  const start = lines.findIndex((l) => l.trim() === `location ${path} {`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === lines[start].replace(/location.*/, "}"));
  return lines.slice(start, end + 1).map((l) => l.trim());
}

describe("derived-file locations", () => {
  const open = [{ path: "/videos/", directory: "videos" }];

  it("serves a location's metadata from the derived volume, revalidated on every use", () => {
    expect(blockAt(confFor(open), "/-/meta/videos/")).toEqual([
      "location /-/meta/videos/ {",
      "alias /srv/derived/files/meta/videos/;",
      "autoindex off;",
      'add_header Cache-Control "no-cache";',
      "add_header X-Content-Type-Options nosniff always;",
      "add_header Referrer-Policy no-referrer always;",
      "add_header X-Frame-Options SAMEORIGIN always;",
      "}",
    ]);
  });

  it("serves posters and previews as immutable: their names change with the file", () => {
    for (const kind of ["poster", "preview"]) {
      expect(blockAt(confFor(open), `/-/${kind}/videos/`)).toContain(
        'add_header Cache-Control "public, max-age=31536000, immutable";',
      );
    }
  });

  it("applies the location's allow/deny, basic auth, signature and CORS to its derived files", () => {
    const restricted = [
      {
        path: "/vault/",
        directory: "vault",
        allow: ["10.0.0.0/8"],
        deny: ["10.9.0.0/16"],
        basicAuth: true,
        secureLink: true,
        corsOrigins: ["https://player.example.com"],
      },
    ];
    const block = blockAt(confFor(restricted), "/-/poster/vault/");
    expect(block).toEqual(
      expect.arrayContaining([
        "deny 10.9.0.0/16;",
        "allow 10.0.0.0/8;",
        "deny all;",
        'auth_basic "video-server";',
        "secure_link $arg_md5,$arg_expires;",
        'add_header Cache-Control "private, max-age=31536000, immutable";',
        "add_header Access-Control-Allow-Origin $vs_cors_0 always;",
      ]),
    );
  });

  it("serves a location's HLS ladders typed for players: playlists revalidated, segments immutable", () => {
    const withHls = [{ path: "/videos/", directory: "videos", hls: {}, corsOrigins: ["*"] }];
    const conf = confFor(withHls);
    expect(blockAt(conf, "/-/hls/videos/")).toEqual([
      "location /-/hls/videos/ {",
      "alias /srv/derived/files/hls/videos/;",
      "autoindex off;",
      "types {",
      "application/vnd.apple.mpegurl m3u8;",
      "video/mp4 mp4;",
      "video/iso.segment m4s;",
      "}",
      "if ($request_method = OPTIONS) {",
      "return 204;",
      "}",
      "add_header Cache-Control $vs_hls_cache_0;",
      "add_header X-Content-Type-Options nosniff always;",
      "add_header Referrer-Policy no-referrer always;",
      "add_header X-Frame-Options SAMEORIGIN always;",
      'add_header Access-Control-Allow-Origin "*" always;',
      'add_header Access-Control-Allow-Methods "GET, HEAD, OPTIONS" always;',
      'add_header Access-Control-Allow-Headers "Range" always;',
      'add_header Access-Control-Expose-Headers "Content-Range, Accept-Ranges, Content-Length" always;',
      "add_header Access-Control-Max-Age 86400 always;",
      "}",
    ]);
    expect(conf).toContain(
      [
        "    map $uri $vs_hls_cache_0 {",
        '        ~\\.m3u8$ "no-cache";',
        '        default "public, max-age=31536000, immutable";',
        "    }",
      ].join("\n"),
    );
  });

  it("has no HLS location where the location has no ladder", () => {
    expect(confFor(open)).not.toContain("/-/hls/");
  });

  it("adds nginx's connection counts to the status server", () => {
    expect(blockAt(confFor(open), "= /nginx_status")).toEqual([
      "location = /nginx_status {",
      "stub_status;",
      "}",
    ]);
  });

  it("has none of them without the media worker", () => {
    const conf = confFor(open, false);
    expect(conf).not.toContain("/-/meta/");
    expect(conf).not.toContain("/srv/derived");
    expect(conf).not.toContain("stub_status");
  });
});
