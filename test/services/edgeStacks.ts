/**
 * Swarm stacks for the edge-cache tests (issue 15): an origin and one edge on 127.0.0.1, which
 * layout.ts gives ports and folders. The overlay subnet is loopback's first 16 addresses: the
 * edge reaches the origin from 127.0.0.1, and a client on 127.0.0.100 stands in for any host
 * outside the overlay. The registry is a name nobody dials (nothing is built here).
 */
import type { StackConfig } from "../support/project";
import { withSections } from "../support/layout";
import { testCertificate } from "../support/tls";
import { EVERY_OPTION } from "./stacks";

export const SECURE_LINK_SECRET = "edge-secure-link-secret";
export const VIEWER = { name: "viewer", password: "viewer-http-password" } as const;
export const PLAYER_ORIGIN = "https://player.example.com";
/** Seconds an edge keeps a copy before it revalidates: short, so the tests can wait it out. */
export const CACHE_SECONDS = 3;

const SWARM = {
  target: { mode: "swarm" },
  images: { registry: { server: "registry.example.com:5000" } },
};

export const EDGE: StackConfig = {
  ...SWARM,
  ftp: { passiveAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
  processing: { enabled: false },
  http: {
    users: [VIEWER],
    secureLinkSecret: SECURE_LINK_SECRET,
    gallery: { enabled: true, path: "/gallery/" },
    locations: [
      {
        path: "/videos/",
        directory: "videos",
        autoindex: true,
        mp4: true,
        corsOrigins: [PLAYER_ORIGIN],
        cacheSeconds: 600,
      },
      { path: "/members/", directory: "members", basicAuth: true },
      { path: "/lan/", directory: "lan", allow: ["127.0.0.1"] },
      { path: "/signed/", directory: "signed", secureLink: true },
    ],
  },
  edge: {
    sliceSize: "1m",
    cacheSize: "1g",
    cacheInactive: "1h",
    cacheSeconds: CACHE_SECONDS,
    subnet: "127.0.0.0/28",
  },
};

/** Every option of the services matrix in swarm mode, HTTPS required too: the edge terminates it. */
export const EVERY_OPTION_SWARM: StackConfig = withSections(EVERY_OPTION, {
  ...SWARM,
  http: {
    ...(EVERY_OPTION.http as object),
    tls: "required",
    tlsCertificate: testCertificate().certificate,
    tlsKey: testCertificate().key,
  },
  edge: { sliceSize: "4m", cacheSeconds: 120 },
});
