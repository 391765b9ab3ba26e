/**
 * One HTTP/1.1 request written byte for byte on a node:net socket to 127.0.0.1: HTTP clients
 * normalise `..`, percent-encoding and backslashes before sending; this sends the target as given.
 */
import * as net from "node:net";
import { HOST } from "../support/ports";

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: Buffer;
}

export function rawRequest(port: number, target: string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
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
