/** What happened to a file, as the worker logs it and posts it to webhooks. */
import { randomUUID } from "node:crypto";
import type { MediaMetadata, WebhookEvent } from "./settings";

export interface WorkerEvent {
  readonly id: string;
  readonly type: WebhookEvent;
  /** ISO 8601. */
  readonly time: string;
  /** URL path of the file (where a verified upload is, or will be, published). */
  readonly path: string;
  readonly size: number | null;
  readonly metadata: MediaMetadata | null;
  readonly reason?: string;
}

export function makeEvent(
  type: WebhookEvent,
  path: string,
  details: { size?: number | null; metadata?: MediaMetadata | null; reason?: string },
  now = new Date(),
): WorkerEvent {
  return {
    id: randomUUID(),
    type,
    time: now.toISOString(),
    path,
    size: details.size ?? null,
    metadata: details.metadata ?? null,
    ...(details.reason === undefined ? {} : { reason: details.reason }),
  };
}

/** One line of the container's output for an event. */
export function eventLine(event: WorkerEvent): string {
  const size = event.size === null ? "" : ` size=${event.size}`;
  const reason = event.reason === undefined ? "" : ` reason=${JSON.stringify(event.reason)}`;
  return `event ${event.type} ${JSON.stringify(event.path)}${size}${reason} id=${event.id}`;
}

/** Where events go: the log, the counters and the webhooks' outbox. */
export type EmitEvent = (event: WorkerEvent) => void;

/** Logs a line on stdout with a time stamp (the container's log keeps none of its own). */
export function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}
