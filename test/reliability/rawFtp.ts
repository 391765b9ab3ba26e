/**
 * FTP spoken by hand over node:net, to 127.0.0.1 only: for what a client library would hide or
 * refuse to send (`CWD ..` past the root, `RETR ../../etc/passwd`), and for transfers whose data
 * connection fails while the control connection still owes its final reply.
 */
import * as net from "node:net";
import { HOST } from "../support/ports";

export interface Reply {
  readonly code: number;
  readonly text: string;
}

const TIMEOUT_MS = 15_000;

export class FtpSession {
  private buffer = "";
  private closed = false;
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    socket.on("error", () => undefined); // shows up as "close"
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error("the server closed the control connection"));
    });
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<{ session: FtpSession; greeting: Reply }> {
    const socket = net.connect({ host: HOST, port });
    const session = new FtpSession(socket);
    try {
      return { session, greeting: await session.reply("greeting") };
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  /** Opens a session and logs in; throws unless the server answers 230. */
  static async login(port: number, user: string, password: string): Promise<FtpSession> {
    const { session } = await FtpSession.open(port);
    const userReply = await session.send(`USER ${user}`);
    const passReply = userReply.code === 331 ? await session.send(`PASS ${password}`) : userReply;
    if (passReply.code !== 230) {
      session.close();
      throw new Error(`login as ${user}: ${passReply.text}`);
    }
    return session;
  }

  /** A complete reply at the start of the buffer; multi-line replies end with "ddd ". */
  private take(): Reply | undefined {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf("\r\n", offset);
      if (end < 0) return undefined;
      const line = this.buffer.slice(offset, end);
      lines.push(line);
      offset = end + 2;
      if (/^\d{3} /.test(line) && (lines.length === 1 || line.startsWith(`${lines[0].slice(0, 3)} `))) {
        this.buffer = this.buffer.slice(offset);
        return { code: Number(lines[0].slice(0, 3)), text: lines.join("\n") };
      }
    }
  }

  private deliver(): void {
    while (this.waiting.length > 0) {
      const reply = this.take();
      if (!reply) return;
      this.waiting.shift()?.resolve(reply);
    }
  }

  /** The next reply, e.g. the 226 or 451 that ends a transfer. */
  reply(what = "reply", timeoutMs = TIMEOUT_MS): Promise<Reply> {
    return new Promise((resolve, reject) => {
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
      this.waiting.push({ resolve: done(resolve), reject: done(reject) });
      this.deliver();
      if (this.closed && this.waiting.length > 0) {
        this.waiting
          .splice(0)
          .forEach((w) => w.reject(new Error(`${what}: the server closed the control connection`)));
      }
    });
  }

  send(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.reply(line.startsWith("PASS ") ? "PASS" : line);
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
  async retrieve(path: string): Promise<{ first: Reply; data: Buffer; final?: Reply }> {
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
