/**
 * Stacks for the delivery tests (issue 5, HTTP side): a location per feature, so each test sees
 * one behaviour at a time. layout.ts fills in ports and the media folder, as for stacks.ts.
 */
import type { StackConfig } from "../support/project";

export const SECURE_LINK_SECRET = "delivery-secure-link-secret";
export const VIEWER = { name: "viewer", password: "viewer-http-password" } as const;
/** An origin the /videos/ location allows; nothing ever connects to it. */
export const PLAYER_ORIGIN = "https://player.example.com";

export const DELIVERY: StackConfig = {
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
  http: {
    bindAddress: "127.0.0.1",
    users: [VIEWER, { name: "editor", password: "editor-http-password" }],
    secureLinkSecret: SECURE_LINK_SECRET,
    // Below the fixture MP4 (22 KiB): every test file is read with O_DIRECT through the thread pool.
    directio: "16k",
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
      { path: "/images/", directory: "images", autoindex: true, corsOrigins: ["*"], cacheSeconds: 0 },
      { path: "/members/", directory: "members", autoindex: true, basicAuth: true },
      // Loopback may, except 127.0.0.2: deny entries come before allow entries.
      { path: "/lan/", directory: "lan", allow: ["127.0.0.0/8"], deny: ["127.0.0.2"] },
      { path: "/office/", directory: "office", autoindex: true, allow: ["203.0.113.0/24"] },
      { path: "/blocked/", directory: "blocked", deny: ["127.0.0.0/8"] },
      { path: "/signed/", directory: "signed", secureLink: true, mp4: true },
      { path: "/slow/", directory: "slow", limitRate: "256k", limitRateAfter: "64k", limitConnPerIp: 1 },
    ],
  },
};

/** The gallery at /, as most people run it: videos and images listed, one location refused. */
export const GALLERY: StackConfig = {
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }] },
  http: {
    bindAddress: "127.0.0.1",
    locations: [
      { path: "/videos/", directory: "videos", autoindex: true, mp4: true },
      { path: "/images/", directory: "images", autoindex: true },
      { path: "/office/", directory: "office", autoindex: true, allow: ["203.0.113.0/24"] },
    ],
  },
};

/** The same gallery with processing off: no media worker, so no posters and no metadata. */
export const GALLERY_WITHOUT_WORKER: StackConfig = { ...GALLERY, processing: { enabled: false } };
