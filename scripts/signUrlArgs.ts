/**
 * The arguments of `npm run sign-url`, checked without side effects: the clock and environment
 * come in as values, so the unit tier covers every case without a process.
 */
import { parseArgs } from "node:util";
import { PATTERNS } from "../spec";
import { SignUrlError, uriOf } from "../nginx/secureLink";

export const SECRET_ENV = "SECURE_LINK_SECRET";

export const USAGE = [
  "usage: npm run sign-url -- <path> (--expires <unix time> | --ttl <duration>) [--secret <secret>] [--base-url <url>]",
  "  <path>      the file's URL path, such as /videos/clip.mp4",
  "  --expires   when the link stops working, in seconds since 1970-01-01 UTC",
  "  --ttl       how long it works from now: 90 (seconds), 90s, 15m, 12h or 7d",
  `  --secret    the stack's http.secureLinkSecret; default: the ${SECRET_ENV} environment variable`,
  "  --base-url  printed in front of the path, such as https://media.example.com",
].join("\n");

const UNIT_SECONDS: Readonly<Record<string, number>> = { "": 1, s: 1, m: 60, h: 3_600, d: 86_400 };
/** Ten years: a longer-lived link is a password nobody can revoke short of a new secret. */
export const MAX_TTL_SECONDS = 3_660 * 86_400;

export type SignUrlCommand =
  | { readonly kind: "help" }
  | {
      readonly kind: "sign";
      readonly path: string;
      readonly secret: string;
      readonly expires: number;
      readonly baseUrl: string;
    }
  | { readonly kind: "error"; readonly message: string };

/** `90`, `90s`, `15m`, `12h`, `7d` → seconds; anything else, zero or past the maximum → undefined. */
export function parseTtl(text: string): number | undefined {
  const m = /^([0-9]{1,10})([smhd]?)$/.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]];
  return seconds > 0 && seconds <= MAX_TTL_SECONDS ? seconds : undefined;
}

const error = (message: string): SignUrlCommand => ({ kind: "error", message });

function expiry(values: { expires?: string; ttl?: string }, nowUnix: number): number | string {
  if (values.expires !== undefined && values.ttl !== undefined) return "give --expires or --ttl, not both";
  if (values.expires !== undefined) {
    if (!/^[0-9]{1,12}$/.test(values.expires)) {
      return `--expires '${values.expires}' must be a unix time in seconds, such as ${nowUnix + 3_600} (an hour from now)`;
    }
    const expires = Number(values.expires);
    if (expires <= nowUnix)
      return `--expires ${expires} is in the past (now is ${nowUnix}); nginx would answer 410 Gone`;
    return expires;
  }
  if (values.ttl !== undefined) {
    const ttl = parseTtl(values.ttl);
    if (ttl === undefined)
      return `--ttl '${values.ttl}' must be a duration such as 90, 90s, 15m, 12h or 7d, above 0 and at most 3660d`;
    return nowUnix + ttl;
  }
  return "--expires <unix time> or --ttl <duration> is required";
}

export function parseSignUrlArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  nowUnix: number,
): SignUrlCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        secret: { type: "string" },
        expires: { type: "string" },
        ttl: { type: "string" },
        "base-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return error(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length !== 1) {
    return error(
      positionals.length === 0
        ? "give the path to sign, such as /videos/clip.mp4"
        : `give one path, not ${positionals.length}`,
    );
  }
  const path = positionals[0];
  try {
    uriOf(path);
  } catch (e) {
    if (e instanceof SignUrlError) return error(e.message);
    throw e;
  }
  const secret = values.secret ?? env[SECRET_ENV];
  if (secret === undefined || secret === "")
    return error(`--secret is required (or set ${SECRET_ENV}): the stack's http.secureLinkSecret`);
  if (!PATTERNS.secret.test(secret)) {
    return error(
      "--secret does not look like an http.secureLinkSecret (16–256 characters from A-Z a-z 0-9 _ . ~ + / = -)",
    );
  }
  const expires = expiry(values, nowUnix);
  if (typeof expires === "string") return error(expires);
  const baseUrl = (values["base-url"] ?? "").replace(/\/$/, "");
  if (baseUrl !== "" && !/^https?:\/\/[^/?#\s]+$/.test(baseUrl)) {
    return error(
      `--base-url '${values["base-url"]}' must be a scheme and host such as https://media.example.com`,
    );
  }
  return { kind: "sign", path, secret, expires, baseUrl };
}
