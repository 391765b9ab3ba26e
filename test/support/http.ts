/**
 * HTTP requests to 127.0.0.1 for every tier: any method, headers, basic auth, a chosen loopback
 * source address (127.0.0.2 and friends reach 127.0.0.1 like any local client), the body's
 * sha256 and timing. Each request has a connection of its own and a timeout. `rawRequest` writes
 * a request byte for byte, for the malformed targets HTTP clients would clean up first.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { HOST } from "./ports";

const TIMEOUT_MS = 20_000;

export interface HttpEndpoint {
  readonly httpPort: number;
}

export interface RequestOptions {
  readonly method?: "GET" | "HEAD" | "OPTIONS";
  readonly headers?: http.OutgoingHttpHeaders;
  /** `user:password` for basic auth. */
  readonly auth?: string;
  /** Where the server is: 127.0.0.1 unless a test host (a namespace the test made) is meant. */
  readonly host?: string;
  /** Source address, such as 127.0.0.2 (any 127/8 address is local on Linux). */
  readonly localAddress?: string;
  /** Idle limit of the connection. */
  readonly timeoutMs?: number;
  /** false: hash the body as it arrives and keep none of it (for files of many MB). */
  readonly keepBody?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body; empty when the request said keepBody: false. */
  readonly body: Buffer;
  readonly bytes: number;
  readonly sha256: string;
  /** Milliseconds from the request to the response head, and to the end of the body. */
  readonly headMs: number;
  readonly totalMs: number;
}

export function request(
  endpoint: HttpEndpoint,
  urlPath: string,
  options: RequestOptions = {},
): Promise<HttpResponse> {
  const method = options.method ?? "GET";
  const timeout = options.timeoutMs ?? TIMEOUT_MS;
  const keepBody = options.keepBody ?? true;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: options.host ?? HOST,
        port: endpoint.httpPort,
        path: urlPath,
        method,
        headers: options.headers,
        auth: options.auth,
        localAddress: options.localAddress,
        // A fresh connection per request: limit_conn and allow/deny see exactly this client.
        agent: false,
        timeout,
      },
      (res) => {
        const headMs = elapsed();
        const hash = createHash("sha256");
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on("data", (c: Buffer) => {
          hash.update(c);
          bytes += c.length;
          if (keepBody) chunks.push(c);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            bytes,
            sha256: hash.digest("hex"),
            headMs,
            totalMs: elapsed(),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: idle for ${timeout} ms`)));
    req.on("error", reject);
    req.end();
  });
}

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: Buffer;
}

/** `GET <target> HTTP/1.1` exactly as given: no `..` resolved, no percent-encoding touched. */
export function rawRequest(endpoint: HttpEndpoint, target: string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port: endpoint.httpPort });
    const chunks: Buffer[] = [];
    const timer = setTimeout(
      () => socket.destroy(new Error(`GET ${target}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("connect", () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`, "latin1"),
    );
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const head = all.subarray(0, split < 0 ? all.length : split).toString("latin1");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4) });
    });
  });
}
