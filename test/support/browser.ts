/**
 * Debian's Chromium, headless, through playwright-core, for pages served on 127.0.0.1 only: a
 * fresh profile per launch (removed on close), no background networking, every request to
 * another host aborted and recorded so a test can assert there was none.
 */
import { createHash, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { HOST } from "./ports";
import { pollUntil } from "./wait";

export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // No name resolves: a stray URL with a host name fails before any packet leaves.
  `--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE ${HOST}`,
];

export interface Browser {
  readonly context: BrowserContext;
  /** Requests the browser tried to send anywhere but `allowedOrigin`; all were aborted. */
  readonly blocked: readonly string[];
  close(): Promise<void>;
}

/**
 * The flag that makes Chromium trust one certificate's key and no other: the base64 SHA-256 of
 * its SubjectPublicKeyInfo, the pin Chromium's certificate verifier compares.
 */
export function trustFlag(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return `--ignore-certificate-errors-spki-list=${createHash("sha256").update(spki).digest("base64")}`;
}

export interface LaunchOptions {
  /** A PEM certificate the pages' HTTPS server presents; trusted by its key, nothing else is. */
  readonly trust?: string;
}

export async function launchChromium(allowedOrigin: string, options: LaunchOptions = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `the gallery test needs Debian's Chromium at ${CHROMIUM}: apt-get install chromium fonts-liberation`,
    );
  }
  if (new URL(allowedOrigin).hostname !== HOST)
    throw new Error(`launchChromium: ${allowedOrigin} is not on ${HOST}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-chromium-"));
  const blocked: string[] = [];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: options.trust === undefined ? ARGS : [...ARGS, trustFlag(options.trust)],
      timeout: 30_000,
      viewport: { width: 1280, height: 800 },
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === allowedOrigin) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  const close = async () => {
    try {
      await context.close();
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  };
  return { context, blocked, close };
}

/**
 * Polls a page expression from the test until it is true: Playwright's own waitForFunction
 * evaluates strings with eval after its first check, which the gallery's CSP refuses.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const holds = await pollUntil(
    () => page.evaluate(expression),
    (v) => v === true,
    timeoutMs,
    100,
  );
  if (holds !== true) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
}
