/**
 * curl, the client most users try first, against 127.0.0.1 only: one request, the status, the
 * HTTP version it spoke, the response headers and the body. For HTTPS it trusts exactly the
 * certificate it is given (a PEM written to a temp file for the call).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HOST } from "./ports";

export interface CurlResponse {
  readonly status: number;
  /** "1.1" or "2". */
  readonly httpVersion: string;
  /** Header names in lower case; the last value of a repeated header. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface CurlOptions {
  /** The PEM certificate to trust for https:// URLs; nothing else is trusted. */
  readonly trust?: string;
  /** Extra arguments, such as ["-r", "0-99"] or ["-u", "user:password"]. */
  readonly args?: readonly string[];
}

export async function curl(url: string, options: CurlOptions = {}): Promise<CurlResponse> {
  if (new URL(url).hostname !== HOST) throw new Error(`curl: ${url} is not on ${HOST}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-curl-"));
  try {
    const bodyFile = path.join(dir, "body");
    const trust = options.trust === undefined ? [] : ["--cacert", path.join(dir, "ca.pem")];
    if (options.trust !== undefined) fs.writeFileSync(path.join(dir, "ca.pem"), `${options.trust}\n`);
    const args = [
      "-sS",
      "--max-time",
      "20",
      ...trust,
      "-D",
      path.join(dir, "headers"),
      "-o",
      bodyFile,
      "-w",
      "%{http_code} %{http_version}",
      ...(options.args ?? []),
      url,
    ];
    const out = await new Promise<string>((resolve, reject) =>
      execFile("curl", args, { timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`curl ${url}: ${stderr.trim() || error.message}`)) : resolve(stdout),
      ),
    );
    const [status, httpVersion] = out.trim().split(" ");
    const headers: Record<string, string> = {};
    for (const line of fs.readFileSync(path.join(dir, "headers"), "utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(status), httpVersion, headers, body: fs.readFileSync(bodyFile) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
