/**
 * A valid stack config that sets every field of the schema, each array with at least one entry:
 * the base the bad-config matrix changes one field of at a time.
 */
import type { StackConfig } from "../support/project";
import { ed25519KeyPair } from "../support/sshKeys";

/** Shaped like PEM, which is all the schema checks; the mocks never hand them to OpenSSL. */
export const PEM_CERTIFICATE =
  "-----BEGIN CERTIFICATE-----\nTUlJQmFLRUNFUlRJRklDQVRF\n-----END CERTIFICATE-----\n";
export const PEM_KEY =
  "-----BEGIN PRIVATE KEY-----\nTUlJRXZBSUJBREFORkFLRUtFWQ==\n-----END PRIVATE KEY-----\n";
/** The HTTPS key: another body, so a leak of either is told apart. */
export const PEM_HTTPS_KEY =
  "-----BEGIN PRIVATE KEY-----\nSFRUUFMtS0VZLUZPUi1USEUtV0VC\n-----END PRIVATE KEY-----\n";

/** The SFTP server's host key: shaped like a PKCS#8 PEM, which is all the schema checks. */
export const PEM_SSH_HOST_KEY =
  "-----BEGIN PRIVATE KEY-----\nU1NILUhPU1QtS0VZLUZPUi1TRlRQ\n-----END PRIVATE KEY-----\n";

/** The remote host's key, as `ssh-keyscan` would print it. */
export const HOST_KEY = ed25519KeyPair("media.example.com").publicKey;

export function everyFieldConfig(): StackConfig {
  return {
    name: "vs-hostile",
    // An ssh:// host: the only kind of target that takes every target field.
    target: {
      dockerHost: "ssh://deploy@media.example.com:2222",
      sshOpts: ["-o", "ConnectTimeout=5"],
      sshHostKey: HOST_KEY,
      platform: "linux/arm64",
      // Swarm: the only mode that takes the edge and registry fields.
      mode: "swarm",
    },
    media: { hostPath: "/srv/video-server/media" },
    ftp: {
      port: 2121,
      bindAddress: "0.0.0.0",
      passiveAddress: "127.0.0.1",
      passivePorts: { min: 30000, max: 30009 },
      users: [
        {
          name: "editor",
          password: "editor-password-1",
          root: "",
          write: true,
          maxRate: "5m",
          sshKeys: [ed25519KeyPair("editor@laptop").publicKey],
        },
        { name: "team-a", password: "team-a-password-2", root: "team-a", write: true },
        { name: "reader", password: "reader-password-3", root: "", write: false },
      ],
      tls: "enabled",
      tlsCertificate: PEM_CERTIFICATE,
      tlsKey: PEM_KEY,
      maxLoginFails: 3,
      delayFailedLogin: 1,
      maxPerIp: 4,
      maxClients: 5,
      banAfterFails: 5,
      banWindow: 300,
      banTime: 600,
      memoryLimit: 256,
    },
    http: {
      port: 8080,
      bindAddress: "0.0.0.0",
      serverName: "media.example.com",
      locations: [
        {
          path: "/videos/",
          directory: "videos",
          autoindex: true,
          mp4: true,
          // Not here: HLS ladders cannot carry signatures (/team-a/videos/ has them).
          secureLink: false,
          allow: ["10.0.0.0/8"],
          deny: ["10.9.0.0/16"],
          basicAuth: true,
          corsOrigins: ["https://player.example.com"],
          cacheSeconds: 600,
          limitRate: "2m",
          limitRateAfter: "10m",
          limitConnPerIp: 4,
          publish: "verified",
          hls: {
            renditions: [
              { height: 360, videoBitrate: 800, maxRate: 856, audioBitrate: 96 },
              { height: 720, videoBitrate: 2800, maxRate: 2996, audioBitrate: 128 },
            ],
            segmentSeconds: 4,
          },
        },
        // The gallery lists the autoindex locations that need no signature.
        { path: "/images/", directory: "images", autoindex: true },
        { path: "/team-a/videos/", directory: "team-a/videos", secureLink: true },
      ],
      users: [{ name: "viewer", password: "viewer-http-password" }],
      secureLinkSecret: "hostile-secure-link-secret",
      gallery: { enabled: true, path: "/gallery/" },
      directio: "4m",
      maxConnections: 8192,
      aioThreads: true,
      accessLog: "unbuffered",
      tls: "required",
      httpsPort: 8443,
      tlsCertificate: PEM_CERTIFICATE,
      tlsKey: PEM_HTTPS_KEY,
      hstsMaxAge: 86400,
      memoryLimit: 1024,
      banAfterFails: 4,
      banWindow: 120,
      banTime: 300,
    },
    sftp: {
      enabled: true,
      port: 2222,
      hostKey: PEM_SSH_HOST_KEY,
      maxAuthTries: 3,
      loginGraceTime: 20,
      maxStartups: 5,
      maxSessions: 4,
      memoryLimit: 128,
    },
    processing: {
      enabled: true,
      rescanMinutes: 5,
      concurrency: 2,
      maxFileSize: "20g",
      posterWidth: 480,
      previews: true,
      cpus: 1.5,
      memoryLimit: 768,
      webhooks: [
        {
          url: "https://hooks.example.com/video-server",
          secret: "hostile-webhook-secret-0",
          events: ["file.published", "file.rejected"],
        },
      ],
      webhookRetrySeconds: 3600,
    },
    edge: {
      replicas: 2,
      sliceSize: "2m",
      cacheSize: "20g",
      cacheInactive: "3d",
      cacheSeconds: 300,
      memoryLimit: 512,
      subnet: "10.250.0.0/24",
      encrypted: true,
    },
    images: {
      registry: {
        server: "registry.example.com:5000",
        username: "deployer",
        password: "registry-password-0",
      },
      ftp: "registry.example.com/video-server/vsftpd:1.0",
      web: "nginx:1.27",
      worker: "registry.example.com/video-server/worker:1.0",
      sftp: "registry.example.com/video-server/sftp:1.0",
    },
  };
}
