/**
 * The FTP client of every tier (basic-ftp): log in, upload, download, and see which data
 * connections a transfer used. Only ever to 127.0.0.1; every operation has a timeout. For what a
 * client library hides or refuses to send, see ftpControl.ts.
 */
import { Client, FTPError, enterPassiveModeIPv4, enterPassiveModeIPv6, type FTPContext } from "basic-ftp";
import { PassThrough, Readable } from "node:stream";
import { TLSSocket, type ConnectionOptions } from "node:tls";
import { HOST } from "./ports";

/** Idle limit of one FTP operation, unless the caller sets another. */
export const FTP_TIMEOUT_MS = 10_000;

/** Where a running vsftpd and nginx answer on 127.0.0.1, and the FTP users' passwords. */
export interface Endpoint {
  readonly ftpPort: number;
  readonly httpPort: number;
  readonly passwords: Readonly<Record<string, string>>;
  /**
   * The FTPS certificate (PEM) when the server offers TLS (ftp.tls not "off"): clients then log
   * in over explicit TLS by default, trusting this certificate only.
   */
  readonly ftpsCertificate?: string;
}

export interface FtpConnectOptions {
  /** Explicit TLS (AUTH TLS); defaults to on exactly when the endpoint has an FTPS certificate. */
  readonly secure?: boolean;
  /** Extra TLS client options, such as maxVersion; `ca` is the endpoint's certificate. */
  readonly tls?: Readonly<Omit<ConnectionOptions, "ca">>;
  /** Idle limit of each operation (default FTP_TIMEOUT_MS); long for tests that load the server. */
  readonly timeoutMs?: number;
}

export async function ftpConnect(
  endpoint: Endpoint,
  user: string,
  password = endpoint.passwords[user],
  options: FtpConnectOptions = {},
): Promise<Client> {
  const secure = options.secure ?? endpoint.ftpsCertificate !== undefined;
  if (secure && endpoint.ftpsCertificate === undefined) {
    throw new Error("ftpConnect: secure: true needs the endpoint's ftpsCertificate to trust");
  }
  const secureOptions = secure ? { ...options.tls, ca: [endpoint.ftpsCertificate ?? ""] } : undefined;
  const client = new Client(options.timeoutMs ?? FTP_TIMEOUT_MS);
  try {
    await client.access({ host: HOST, port: endpoint.ftpPort, user, password, secure, secureOptions });
    return client;
  } catch (e) {
    client.close();
    throw e;
  }
}

/** Runs fn with a logged-in client and always closes it. */
export async function withFtp<T>(
  endpoint: Endpoint,
  user: string,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  const client = await ftpConnect(endpoint, user);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** The FTP reply code an operation is refused with; fails the test when it succeeds. */
export async function refusalCode(operation: Promise<unknown>): Promise<number> {
  try {
    await operation;
  } catch (e) {
    if (e instanceof FTPError) return e.code;
    throw e;
  }
  throw new Error("expected the FTP server to refuse, but it accepted");
}

/** STOR of a buffer or a stream (such as data.ts payloadStream); resolves to the final reply's code. */
export async function upload(client: Client, data: Buffer | Readable, remotePath: string): Promise<number> {
  const source = Buffer.isBuffer(data) ? Readable.from([data]) : data;
  return (await client.uploadFrom(source, remotePath)).code;
}

export async function download(client: Client, remotePath: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  await client.downloadTo(sink, remotePath);
  return Buffer.concat(chunks);
}

export interface DataConnection {
  readonly command: "PASV" | "EPSV";
  readonly reply: string;
  /** The server port the data socket connected to. */
  readonly port: number | undefined;
  /** Whether the data socket speaks TLS (basic-ftp upgrades it when the control connection does). */
  readonly encrypted: boolean;
}

/** Makes every transfer of `client` use PASV or EPSV and records each data connection. */
export function recordDataConnections(client: Client, command: "PASV" | "EPSV"): DataConnection[] {
  const seen: DataConnection[] = [];
  const strategy = command === "PASV" ? enterPassiveModeIPv4 : enterPassiveModeIPv6;
  client.prepareTransfer = async (ftp: FTPContext) => {
    const res = await strategy(ftp);
    seen.push({
      command,
      reply: res.message,
      port: ftp.dataSocket?.remotePort,
      encrypted: ftp.dataSocket instanceof TLSSocket,
    });
    return res;
  };
  return seen;
}
