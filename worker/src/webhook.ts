/**
 * The webhook contract, without I/O: the headers of a delivery, its signature, and what to do
 * after an attempt. A receiver checks `X-Video-Server-Signature` against
 * HMAC-SHA256(secret, "<X-Video-Server-Timestamp>.<raw body>") and may refuse old timestamps.
 */
import { createHmac } from "node:crypto";

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function deliveryHeaders(
  event: { readonly id: string; readonly type: string },
  secret: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Video-Server-Event": event.type,
    "X-Video-Server-Delivery": event.id,
    "X-Video-Server-Timestamp": String(timestamp),
    "X-Video-Server-Signature": signature(secret, timestamp, body),
  };
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 5 * 60_000;

/** Wait after the n-th failed attempt (1-based): 1 s, 2 s, 4 s, … at most 5 minutes. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

/** An attempt's outcome: an HTTP status, or null for a timeout or a connection error. */
export type Verdict = "delivered" | "retry" | "give-up";

export function verdictOf(status: number | null): Verdict {
  if (status !== null && status >= 200 && status < 300) return "delivered";
  // A 4xx is the receiver refusing this delivery (bad signature, unknown event): sending it again
  // would get the same answer. 3xx is not followed, and counts as a refusal too.
  if (status !== null && status < 500) return "give-up";
  return "retry";
}

/** When to try again after a failed attempt, or null once the retry window would be passed. */
export function nextAttemptAt(
  firstAttemptAt: number,
  failedAttempts: number,
  now: number,
  retrySeconds: number,
): number | null {
  const at = now + backoffMs(failedAttempts);
  return at > firstAttemptAt + retrySeconds * 1000 ? null : at;
}
