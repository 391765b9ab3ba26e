/**
 * FTP spoken by hand over one control connection to 127.0.0.1: one command line out, one reply
 * in. For what basic-ftp hides or refuses to send: the greeting's text, whether the server closed
 * the connection, `CWD ..` past the root, `RETR ../../etc/passwd`, and transfers whose data
 * connection fails while the control connection still owes its final reply.
 */
import * as net from "node:net";
import { HOST } from "./ports";

const TIMEOUT_MS = 15_000;

export interface FtpReply {
  readonly code: number;
  /** Every line of the reply, joined with "\n". */
  readonly text: string;
}

/** A complete reply at the start of `buffer`, and the rest; a multi-line reply ends with "ddd ". */
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

interface Waiter {
  readonly resolve: (r: FtpReply) => void;
  readonly reject: (e: Error) => void;
}

export class ControlConnection {
  private buffer = "";
  private closed = false;
  private readonly waiting: Waiter[] = [];
  private readonly closeWaiters: (() => void)[] = [];
  private first: FtpReply | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    socket.on("error", () => undefined); // a reset shows up as "close" below
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error("the server closed the control connection"));
      for (const c of this.closeWaiters.splice(0)) c();
    });
  }

  /** Connects and reads the greeting (which may be a 421 refusal). */
  static async open(port: number, timeoutMs = TIMEOUT_MS): Promise<ControlConnection> {
    const connection = new ControlConnection(net.connect({ host: HOST, port }), timeoutMs);
    try {
      connection.first = await connection.reply("greeting");
      return connection;
    } catch (e) {
      connection.close();
      throw e;
    }
  }

  /** Opens a connection and logs in; throws unless the server answers 230. */
  static async login(port: number, user: string, password: string): Promise<ControlConnection> {
    const connection = await ControlConnection.open(port);
    const userReply = await connection.send(`USER ${user}`);
    const passReply = userReply.code === 331 ? await connection.send(`PASS ${password}`) : userReply;
    if (passReply.code !== 230) {
      connection.close();
      throw new Error(`login as ${user}: ${passReply.text}`);
    }
    return connection;
  }

  /** The server's first reply: 220, or 421 when it refuses the connection. */
  get greeting(): FtpReply {
    if (!this.first) throw new Error("no greeting read yet");
    return this.first;
  }

  private deliver(): void {
    while (this.waiting.length > 0) {
      const next = takeReply(this.buffer);
      if (!next) return;
      this.buffer = next.rest;
      this.waiting.shift()?.resolve(next.reply);
    }
  }

  /** The next reply, such as the 226 or 451 that ends a transfer. */
  reply(what = "reply", timeoutMs = this.timeoutMs): Promise<FtpReply> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      // A reply that comes after the timeout must not go to the next caller.
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`${what}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.push(waiter);
      this.deliver();
      if (this.closed && this.waiting.includes(waiter)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.reject(new Error(`${what}: the server closed the control connection`));
      }
    });
  }

  send(line: string): Promise<FtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply(line.startsWith("PASS ") ? "PASS" : line);
  }

  /** Resolves once the server has closed the connection; rejects if it is still open after timeoutMs. */
  closedByServer(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server kept the connection open for ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** EPSV, then a connected data socket to the port it names (on 127.0.0.1, never elsewhere). */
  async dataConnection(): Promise<net.Socket> {
    const epsv = await this.send("EPSV");
    const port = /\(\|\|\|(\d+)\|\)/.exec(epsv.text)?.[1];
    if (epsv.code !== 229 || port === undefined) throw new Error(`EPSV: ${epsv.text}`);
    return new Promise((resolve, reject) => {
      const data = net.connect({ host: HOST, port: Number(port) }, () => resolve(data));
      data.once("error", reject);
    });
  }

  /** RETR over a fresh data connection: the preliminary reply, the bytes, and the final reply. */
  async retrieve(path: string): Promise<{ first: FtpReply; data: Buffer; final?: FtpReply }> {
    await this.send("TYPE I");
    const data = await this.dataConnection();
    const chunks: Buffer[] = [];
    data.on("data", (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => data.once("close", () => resolve()));
    const first = await this.send(`RETR ${path}`);
    if (first.code !== 150 && first.code !== 125) {
      data.destroy();
      return { first, data: Buffer.alloc(0) };
    }
    const final = await this.reply(`RETR ${path} final`);
    await ended;
    return { first, data: Buffer.concat(chunks), final };
  }

  close(): void {
    this.socket.destroy();
  }
}
