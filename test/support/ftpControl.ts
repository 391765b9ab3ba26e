/**
 * A bare FTP control connection to 127.0.0.1: one command line out, one reply in. For what
 * basic-ftp hides: the greeting's text, and whether the server closed the connection.
 */
import * as net from "node:net";
import { HOST } from "./ports";

export interface FtpReply {
  readonly code: number;
  /** Every line of the reply, joined with "\n". */
  readonly text: string;
}

export interface ControlConnection {
  /** The server's first reply: 220, or 421 when it refuses the connection. */
  readonly greeting: FtpReply;
  send(line: string): Promise<FtpReply>;
  /** Resolves once the server has closed the connection; rejects if it is still open after timeoutMs. */
  closedByServer(timeoutMs: number): Promise<void>;
  close(): void;
}

/** A complete reply at the start of `buffer`, and the rest; multi-line replies end with "ddd ". */
function takeReply(buffer: string): { reply: FtpReply; rest: string } | undefined {
  const lines: string[] = [];
  let offset = 0;
  for (;;) {
    const end = buffer.indexOf("\r\n", offset);
    if (end < 0) return undefined;
    const line = buffer.slice(offset, end);
    lines.push(line);
    offset = end + 2;
    const first = lines[0];
    if (/^\d{3} /.test(line) && (lines.length === 1 || line.startsWith(`${first.slice(0, 3)} `))) {
      return {
        reply: { code: Number(first.slice(0, 3)), text: lines.join("\n") },
        rest: buffer.slice(offset),
      };
    }
  }
}

export function openControl(port: number, timeoutMs = 10_000): Promise<ControlConnection> {
  const socket = net.connect({ host: HOST, port });
  let buffer = "";
  let closed = false;
  const waiting: { resolve: (r: FtpReply) => void; reject: (e: Error) => void }[] = [];
  const closeWaiters: (() => void)[] = [];

  const deliver = () => {
    for (let next = takeReply(buffer); next && waiting.length > 0; next = takeReply(buffer)) {
      buffer = next.rest;
      waiting.shift()?.resolve(next.reply);
    }
  };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    deliver();
  });
  socket.on("error", () => undefined); // a reset shows up as "close" below
  socket.on("close", () => {
    closed = true;
    for (const w of waiting.splice(0)) w.reject(new Error("the server closed the control connection"));
    for (const c of closeWaiters.splice(0)) c();
  });

  const nextReply = (what: string): Promise<FtpReply> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what}: no reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          clearTimeout(timer);
          f(v);
        };
      if (closed && takeReply(buffer) === undefined)
        return done(reject)(new Error("the server closed the control connection"));
      waiting.push({ resolve: done(resolve), reject: done(reject) });
      deliver();
    });

  return nextReply("greeting").then(
    (greeting) => ({
      greeting,
      send(line: string) {
        socket.write(`${line}\r\n`);
        return nextReply(line.startsWith("PASS ") ? "PASS" : line);
      },
      closedByServer(limitMs: number) {
        if (closed) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`the server kept the connection open for ${limitMs} ms`)),
            limitMs,
          );
          closeWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      },
      close: () => socket.destroy(),
    }),
    (e: unknown) => {
      socket.destroy();
      throw e;
    },
  );
}
