/**
 * HTTP requests for the delivery tests: any method, basic auth, a chosen loopback source address
 * (127.0.0.2 and friends reach 127.0.0.1 like any local client), and timing of the body. Only
 * ever to 127.0.0.1; every request has a timeout.
 */
import * as http from "node:http";
import type { Endpoint, HttpResponse } from "./clients";
import { HOST } from "./ports";

const TIMEOUT_MS = 20_000;

export interface RequestOptions {
  readonly method?: "GET" | "HEAD" | "OPTIONS";
  readonly headers?: http.OutgoingHttpHeaders;
  /** `user:password` for basic auth. */
  readonly auth?: string;
  /** Source address, such as 127.0.0.2 (any 127/8 address is local on Linux). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

export interface TimedResponse extends HttpResponse {
  /** Milliseconds from the request to the response head, and to the end of the body. */
  readonly headMs: number;
  readonly totalMs: number;
}

export function request(
  endpoint: Pick<Endpoint, "httpPort">,
  urlPath: string,
  options: RequestOptions = {},
): Promise<TimedResponse> {
  const timeout = options.timeoutMs ?? TIMEOUT_MS;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: HOST,
        port: endpoint.httpPort,
        path: urlPath,
        method: options.method ?? "GET",
        headers: options.headers,
        auth: options.auth,
        localAddress: options.localAddress,
        // A fresh connection per request: limit_conn and allow/deny see exactly this client.
        agent: false,
        timeout,
      },
      (res) => {
        const headMs = elapsed();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            headMs,
            totalMs: elapsed(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`${options.method ?? "GET"} ${urlPath}: no answer within ${timeout} ms`)),
    );
    req.on("error", reject);
    req.end();
  });
}
