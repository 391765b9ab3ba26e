/**
 * A webhook receiver on 127.0.0.1 for the media worker's events: it records every delivery (raw
 * body and headers) and answers each path with the statuses a test scripts, 200 once they run out.
 * Signatures are checked apart from the worker's code, with the openssl command (docs/processing.md).
 */
import { execFileSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { HOST } from "./ports";

export interface Delivery {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
  readonly at: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  readonly deliveries: readonly Delivery[];
  /** Statuses to answer the next requests to `path` with, in order. */
  answer(path: string, ...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const scripted = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const status = scripted.get(path)?.shift() ?? 200;
      deliveries.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status,
        at: Date.now(),
      });
      res.writeHead(status, { "Content-Type": "text/plain" }).end(`${status}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://${HOST}:${port}${path}`,
    deliveries,
    answer: (path, ...statuses) => scripted.set(path, [...(scripted.get(path) ?? []), ...statuses]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"), computed by openssl. */
export function opensslSignature(secret: string, timestamp: string, body: string): string {
  const out = execFileSync("openssl", ["dgst", "-sha256", "-hmac", secret], {
    input: `${timestamp}.${body}`,
  });
  return `sha256=${out.toString().trim().split(" ").pop() ?? ""}`;
}
