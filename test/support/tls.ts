/**
 * A self-signed FTPS certificate for 127.0.0.1, made with openssl when a test run first asks for
 * one and never written anywhere but a temp dir that is removed at once (nothing is committed).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HOST } from "./ports";

export interface TestCertificate {
  /** PEM, without the trailing newline: what `pulumi config set … -- "$(cat cert.pem)"` stores. */
  readonly certificate: string;
  readonly key: string;
}

let cached: TestCertificate | undefined;

/** One certificate per test process (an RSA key takes a moment); clients trust it by `ca`. */
export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-tls-"));
  try {
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    // Node checks an IP host against the certificate's IP subjectAltName, not its CN.
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${HOST}`,
        "-addext",
        `subjectAltName=IP:${HOST}`,
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 },
    );
    cached = {
      certificate: fs.readFileSync(cert, "utf8").trimEnd(),
      key: fs.readFileSync(key, "utf8").trimEnd(),
    };
    return cached;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A PEM's body lines: a key leaks as much through any one of them as through the whole. */
export const pemBodyLines = (pem: string): string[] =>
  pem.split("\n").filter((l) => l && !l.startsWith("-----"));
