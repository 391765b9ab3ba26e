/**
 * What the media worker reads at start: one JSON file the program renders from the stack config
 * (worker/settings.ts) and uploads into the worker container (0600, it holds webhook secrets).
 * This file is the contract between the renderer and the worker; it imports nothing, so the
 * image build compiles worker/src alone.
 */

/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = [
  "upload.completed",
  "file.published",
  "file.rejected",
  "processing.failed",
  "file.deleted",
  "hls.ready",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export type PublishMode = "immediate" | "verified";

/**
 * Inside a verified location's folder: uploads go to INCOMING, files that fail the checks to
 * REJECTED. Both start with a dot, so nginx never serves them (its `location ~ /\.` refusal) and
 * its listings never show them.
 */
export const INCOMING_FOLDER = ".incoming";
export const REJECTED_FOLDER = ".rejected";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** One rung of an HLS ladder; the width follows the source's aspect ratio (even). */
export interface Rendition {
  /** Pixels; rungs above the source's height are left out. */
  readonly height: number;
  /** Kilobits per second: the target, and the most the encoder may spend (maxrate). */
  readonly videoBitrate: number;
  readonly maxRate: number;
  readonly audioBitrate: number;
}

/** An HLS ladder for every video of a location (H.264/AAC, fMP4 segments). */
export interface HlsSettings {
  /** Ascending by height, 1–6. */
  readonly renditions: readonly Rendition[];
  /** Target segment length; keyframes are aligned to it across renditions. */
  readonly segmentSeconds: number;
}

export interface WorkerLocation {
  /** URL prefix, such as /videos/. */
  readonly path: string;
  /** Folder under mediaRoot, relative, such as videos or team-a/videos. */
  readonly directory: string;
  readonly publish: PublishMode;
  /** Present when the location has `hls` on. */
  readonly hls?: HlsSettings;
}

export interface WorkerWebhook {
  readonly url: string;
  /** HMAC-SHA256 key of X-Video-Server-Signature. */
  readonly secret: string;
  readonly events: readonly WebhookEvent[];
}

export interface WorkerSettings {
  /** The media volume, read-write. */
  readonly mediaRoot: string;
  /**
   * Derived files: `meta/<directory>/<file>.json`, `poster/…`, `preview/…`, and the HLS ladders
   * `hls/<directory>/<file>/master.m3u8` (served by nginx).
   */
  readonly derivedRoot: string;
  /** Queue and webhook deliveries; survives restarts (a volume). */
  readonly stateDir: string;
  /** vsftpd's log (read-only). When it passes its size limit it is copied to `<ftpLog>.1` and emptied. */
  readonly ftpLog: string;
  /**
   * With SFTP on: the SFTP server's log (sshd and internal-sftp at INFO, read-only), rotated the
   * same way; completed SFTP uploads are its `close "…" bytes read … written …` lines.
   */
  readonly sftpLog?: string;
  /** Each FTP user's chroot under mediaRoot ("" for all of it): log paths are relative to it. */
  readonly users: readonly { readonly name: string; readonly root: string }[];
  readonly locations: readonly WorkerLocation[];
  /** Seconds between reconciling scans of every location (also one at start). */
  readonly rescanSeconds: number;
  /** Jobs run at once. */
  readonly concurrency: number;
  /** Bytes; a larger upload is rejected (verified) or not processed (immediate). */
  readonly maxFileSize: number;
  /** Poster width in pixels; height follows the aspect ratio. */
  readonly posterWidth: number;
  /** Preview sprite + WebVTT for scrubbing. */
  readonly previews: boolean;
  /** Niceness ffmpeg and ffprobe run at (19: lowest priority). */
  readonly nice: number;
  /** Prometheus text at GET /metrics; GET /healthz answers 204. */
  readonly metrics: { readonly host: string; readonly port: number };
  /** Owner of uploads (the FTP guest user) and of files published by the worker. */
  readonly owners: { readonly uploader: Owner; readonly published: Owner };
  readonly webhooks: readonly WorkerWebhook[];
  /** Seconds after an event's first attempt that its delivery is still retried. */
  readonly webhookRetrySeconds: number;
  /** URL prefixes of derived files, as nginx serves them: `${meta}${location.path}${file}.json`. */
  readonly urls: {
    readonly meta: string;
    readonly poster: string;
    readonly preview: string;
    readonly hls: string;
  };
}

/** File name suffixes the worker treats as videos and as images (lower case, without the dot). */
export const VIDEO_EXTENSIONS = ["mp4", "m4v", "mov", "webm", "mkv", "ogv"] as const;
export const IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"] as const;

/** What `GET ${urls.meta}${location.path}${file}.json` returns. */
export interface MediaMetadata {
  readonly version: 1;
  readonly kind: "video" | "image";
  /** URL path of the file, e.g. /videos/trips/alps.mp4. */
  readonly url: string;
  readonly location: string;
  /** Path below the location's folder, e.g. trips/alps.mp4. */
  readonly file: string;
  readonly size: number;
  /** ISO 8601. */
  readonly modifiedAt: string;
  readonly uploadedAt: string;
  /** FTP user who uploaded it, when the log said so. */
  readonly uploader: string | null;
  readonly sha256: string;
  readonly durationSeconds: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  /** Bits per second. */
  readonly bitRate: number | null;
  readonly frameRate: number | null;
  /** URL path of the JPEG poster; its name changes when the file does. */
  readonly poster: string | null;
  readonly preview: { readonly vtt: string; readonly sprite: string } | null;
  /**
   * The HLS ladder once complete (`hls.ready`): the master playlist's URL path
   * (`${urls.hls}${location.path}${file}/master.m3u8`) and the renditions it lists; null until
   * then, and for locations without `hls`.
   */
  readonly hls: {
    readonly master: string;
    readonly renditions: readonly {
      readonly width: number;
      readonly height: number;
      /** Bits per second, as the master playlist's BANDWIDTH. */
      readonly bandwidth: number;
    }[];
  } | null;
}
