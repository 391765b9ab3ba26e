/**
 * The scrubbing preview: one sprite JPEG of thumbnails in a grid, and a WebVTT file whose cues
 * point at each thumbnail with a `#xywh=` media fragment (the form video.js and Plyr read).
 */

export interface SpriteLayout {
  /** Seconds between thumbnails. */
  readonly interval: number;
  readonly count: number;
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
}

const THUMB_WIDTH = 160;
const MAX_THUMBS = 100;
const COLUMNS = 10;

/** A thumbnail every second or more, at most MAX_THUMBS, 160 px wide, the video's aspect kept. */
export function spriteLayout(durationSeconds: number, width: number, height: number): SpriteLayout {
  const interval = Math.max(1, Math.ceil(durationSeconds / MAX_THUMBS));
  const count = Math.max(1, Math.ceil(durationSeconds / interval));
  const columns = Math.min(COLUMNS, count);
  // Even height: the JPEG encoder's 4:2:0 chroma wants it.
  const thumbHeight = Math.max(2, Math.round((THUMB_WIDTH * height) / width / 2) * 2);
  return {
    interval,
    count,
    columns,
    rows: Math.ceil(count / columns),
    width: THUMB_WIDTH,
    height: thumbHeight,
  };
}

export function renderVtt(layout: SpriteLayout, durationSeconds: number, spriteUrl: string): string {
  const cues: string[] = ["WEBVTT", ""];
  for (let i = 0; i < layout.count; i++) {
    const start = i * layout.interval;
    const end = Math.min((i + 1) * layout.interval, durationSeconds);
    const x = (i % layout.columns) * layout.width;
    const y = Math.floor(i / layout.columns) * layout.height;
    cues.push(`${timestamp(start)} --> ${timestamp(Math.max(end, start + 0.001))}`);
    cues.push(`${spriteUrl}#xywh=${x},${y},${layout.width},${layout.height}`, "");
  }
  return cues.join("\n");
}

function timestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}
