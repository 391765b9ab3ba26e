/**
 * Bulk transfers: HTTP downloads and FTP uploads with curl, on the client core (or in a test
 * host). Throughput is MB/s (10^6 bytes) over the data transfer itself, timed by curl.
 */
import { hostClient, type Client, type HttpTarget } from "./env";
import { runOk } from "./exec";
import { HOST } from "../test/support/ports";

/** curl's timings of one transfer, in seconds from the moment node started it. */
export interface Transfer {
  readonly bytes: number;
  /** When data started to flow: after connect, and for FTP after login, PASV and STOR. */
  readonly startS: number;
  readonly endS: number;
  /** The last HTTP or FTP status (200, 206, 226). */
  readonly status: number;
}

const WRITE_OUT = "%{response_code} %{size_download} %{size_upload} %{time_pretransfer} %{time_total}";

/** Parses WRITE_OUT; `offsetS` is when node spawned this curl, relative to the batch. */
export function parseCurlWriteOut(text: string, offsetS: number): Transfer {
  const [status, down, up, pretransfer, total] = text.trim().split(/\s+/).map(Number);
  if ([status, down, up, pretransfer, total].some((v) => v === undefined || !Number.isFinite(v))) {
    throw new Error(`unexpected curl --write-out output: '${text}'`);
  }
  return { status, bytes: down + up, startS: offsetS + pretransfer, endS: offsetS + total };
}

/** Runs the curls at once where `client` says and returns each one's transfer; any failure is an error. */
export async function curls(
  client: Client,
  argLists: readonly (readonly string[])[],
  timeoutMs: number,
): Promise<Transfer[]> {
  const t0 = performance.now();
  return Promise.all(
    argLists.map(async (args) => {
      const offsetS = (performance.now() - t0) / 1000;
      const [command, full] = client("curl", [
        ...["-sS", "--max-time", String(Math.ceil(timeoutMs / 1000)), "-w", WRITE_OUT],
        ...args,
      ]);
      const done = await runOk(command, full, { timeoutMs: timeoutMs + 5_000 });
      return parseCurlWriteOut(done.stdout, offsetS);
    }),
  );
}

/** Total bytes over the span from the first transfer's start to the last one's end. */
export function aggregateMBps(transfers: readonly Transfer[]): number {
  const start = Math.min(...transfers.map((t) => t.startS));
  const end = Math.max(...transfers.map((t) => t.endS));
  return transfers.reduce((s, t) => s + t.bytes, 0) / 1e6 / (end - start);
}

function expect(transfers: readonly Transfer[], status: number, bytes: number, what: string): void {
  const bad = transfers.find((t) => t.status !== status || t.bytes !== bytes);
  if (bad)
    throw new Error(
      `${what}: status ${bad.status} with ${bad.bytes} bytes, expected ${status} with ${bytes}`,
    );
}

/** `streams` simultaneous GETs of one URL; MB/s of them together. */
export async function httpDownloads(
  server: HttpTarget,
  urlPath: string,
  streams: number,
  bytes: number,
): Promise<number> {
  const url = `http://${server.host}:${server.port}${urlPath}`;
  const transfers = await curls(
    server.client,
    Array.from({ length: streams }, () => ["-o", "/dev/null", url]),
    300_000,
  );
  expect(transfers, 200, bytes, `GET ${url}`);
  return aggregateMBps(transfers);
}

export interface FtpTarget {
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** Uploads `source` to each remote path at once (passive mode); MB/s of them together. */
export async function ftpUploads(
  ftp: FtpTarget,
  source: string,
  remotePaths: readonly string[],
  bytes: number,
): Promise<number> {
  const lists = remotePaths.map((p) => [
    "--ftp-pasv",
    "-T",
    source,
    "--user",
    `${ftp.user}:${ftp.password}`,
    `ftp://${HOST}:${ftp.port}${p}`,
  ]);
  const transfers = await curls(hostClient, lists, 600_000);
  expect(transfers, 226, bytes, `FTP upload of ${source}`);
  return aggregateMBps(transfers);
}
