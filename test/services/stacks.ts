/**
 * Stack configs the services tier runs: the committed dev stack, and others written as they would be
 * in Pulumi.<stack>.yaml. layout.ts replaces their ports and media path. Every address is loopback
 * or a name nobody dials.
 */
import { stackFileConfig } from "../support/stacks";
import { testCertificate } from "../support/tls";
import type { StackConfig } from "../support/project";

/** The committed dev stack, Pulumi.dev.yaml, as `pulumi up` reads it. */
export const DEV: StackConfig = stackFileConfig("dev");

/** Defaults everywhere: one uploader, the default /videos/ and /images/ locations. */
export const DEFAULTS: StackConfig = {
  ftp: { passiveAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
};

/**
 * The stack the behaviour tests run: a user for the whole media, a read-only one, and two teams
 * chrooted to their own folders. Only /a/videos/ has autoindex; no gallery.
 */
export const TEAMS: StackConfig = {
  ftp: {
    bindAddress: "127.0.0.1",
    users: [
      { name: "uploader", password: "uploader-password" },
      { name: "viewer", password: "viewer-password", write: false },
      { name: "team-a", password: "team-a-password", root: "team-a" },
      { name: "team-b", password: "team-b-password", root: "team-b" },
    ],
    // Each wrong-password test waits this long for its 530 (the default is 3 s).
    delayFailedLogin: 1,
  },
  http: {
    bindAddress: "127.0.0.1",
    // No gallery: nothing but the four locations answers.
    gallery: { enabled: false },
    locations: [
      { path: "/videos/", directory: "videos" },
      { path: "/images/", directory: "images" },
      { path: "/a/videos/", directory: "team-a/videos", autoindex: true },
      { path: "/b/videos/", directory: "team-b/videos" },
    ],
  },
};

export const THREE_USERS: StackConfig = {
  ftp: {
    passiveAddress: "127.0.0.1",
    users: [
      { name: "alice", password: "alice-password", root: "alice" },
      { name: "bob", password: "bob-password", root: "bob", write: false },
      { name: "carol", password: "carol-password" },
    ],
  },
  http: {
    locations: [
      { path: "/alice/", directory: "alice/public" },
      { path: "/bob/", directory: "bob/public", autoindex: true },
      { path: "/shared/", directory: "shared" },
    ],
  },
};

const channels = Array.from({ length: 16 }, (_, i) => `c${String(i + 1).padStart(2, "0")}`);

export const MANY_LOCATIONS: StackConfig = {
  ftp: {
    passiveAddress: "127.0.0.1",
    users: [
      { name: "ingest", password: "ingest-password", root: "channels" },
      { name: "archivist", password: "archivist-password" },
    ],
  },
  http: {
    locations: [
      ...channels.map((c, i) => ({
        path: `/live/${c}/`,
        directory: `channels/${c}`,
        autoindex: i % 2 === 0,
      })),
      { path: "/archive/2023/", directory: "archive/2023" },
      { path: "/archive/2024/", directory: "archive/2024", autoindex: true },
      { path: "/a.b_c-d/", directory: "odd.names_-/x" },
    ],
  },
};

/**
 * Every optional setting given: a host name as passive address, FTPS required (with a
 * certificate made by openssl when this module loads, see test/support/tls.ts), FTP limits, and
 * every location option, the access-restricting ones (basic auth, secure links, allow/deny) on
 * locations of their own.
 */
export const EVERY_OPTION: StackConfig = {
  name: "vs-every-option",
  target: { dockerHost: "ssh://deploy@media.example.com:2222", sshOpts: ["-o", "StrictHostKeyChecking=yes"] },
  ftp: {
    bindAddress: "0.0.0.0",
    passiveAddress: "localhost",
    users: [
      { name: "editor", password: "editor-password", root: "", write: true },
      // No password: the program would generate one.
      { name: "reader", root: "", write: false },
    ],
    tls: "required",
    tlsCertificate: testCertificate().certificate,
    tlsKey: testCertificate().key,
    maxLoginFails: 5,
    delayFailedLogin: 1,
    maxPerIp: 4,
    maxClients: 5,
  },
  http: {
    bindAddress: "0.0.0.0",
    serverName: "videos.example.com",
    users: [{ name: "viewer", password: "viewer-http-password" }],
    secureLinkSecret: "every-option-secure-link-secret",
    gallery: { enabled: true, path: "/gallery/" },
    directio: "8m",
    locations: [
      {
        path: "/videos/",
        directory: "videos",
        autoindex: true,
        mp4: true,
        corsOrigins: ["https://player.example.com", "http://localhost:3000"],
        cacheSeconds: 600,
        limitRate: "2m",
        limitRateAfter: "10m",
        limitConnPerIp: 4,
        // The default ladder: nginx must accept the HLS location's types and cache map.
        hls: {},
      },
      { path: "/images/", directory: "images", autoindex: true, corsOrigins: ["*"], cacheSeconds: 0 },
      { path: "/clips/short/", directory: "clips/short", autoindex: true },
      { path: "/members/", directory: "members", basicAuth: true },
      { path: "/signed/", directory: "signed", secureLink: true, mp4: true },
      { path: "/lan/", directory: "lan", allow: ["127.0.0.1", "10.0.0.0/8", "::1"], deny: ["10.9.0.0/16"] },
      // Every HTTP option on one location: nginx must accept them together.
      {
        path: "/vault/",
        directory: "vault",
        autoindex: true,
        mp4: true,
        secureLink: true,
        allow: ["127.0.0.1", "2001:db8::/32"],
        deny: ["127.0.0.2"],
        basicAuth: true,
        corsOrigins: ["https://player.example.com"],
        cacheSeconds: 60,
        limitRate: "500k",
        limitRateAfter: "1m",
        limitConnPerIp: 2,
      },
    ],
  },
  images: { ftp: "registry.example.com/video-server/vsftpd:1.0", web: "nginx:1.27" },
};

export const MATRIX: readonly (readonly [string, StackConfig])[] = [
  ["dev", DEV],
  ["defaults", DEFAULTS],
  ["teams", TEAMS],
  ["three-users", THREE_USERS],
  ["many-locations", MANY_LOCATIONS],
  ["every-option", EVERY_OPTION],
];
