/**
 * Stand-ins for secrets, so a stack can be rendered without its passphrase.
 *
 * Two kinds, never mixed up:
 * - config placeholders replace `secure:` values (which only the Pulumi CLI can decrypt) and the
 *   secrets validation requires but the stack file lacks; each passes the schema's rule for its
 *   field, so the Spec comes out as it would with the real secrets;
 * - file placeholders are what the rendered files hold wherever a secret goes: the text
 *   SECRET_PLACEHOLDER, so no secret, hash or key material is ever written.
 */
import { configPath } from "../spec";

/** What every rendered file holds in place of a secret. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A PEM block whose body is `text`, base64-encoded: the shape the schema asks for. */
function pem(label: string, text: string): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(text).toString("base64")}\n-----END ${label}-----\n`;
}

/** Values that stand in for secrets during validation. */
export const CONFIG_PLACEHOLDERS = {
  /** ftp.users[i].password, http.users[i].password: 8–72 bytes, one line. */
  password: `${SECRET_PLACEHOLDER} placeholder password`,
  tlsCertificate: pem("CERTIFICATE", `${SECRET_PLACEHOLDER} placeholder certificate`),
  tlsKey: pem("PRIVATE KEY", `${SECRET_PLACEHOLDER} placeholder private key`),
  /** http.secureLinkSecret: 16+ characters from a small alphabet without brackets. */
  secureLinkSecret: "placeholder.secure-link.secret",
  /** Any other encrypted value. */
  other: SECRET_PLACEHOLDER,
} as const;

export type Segment = string | number;

/** A secret the render could not read, and what stood in for it. */
export interface Substitution {
  /** Config path such as `ftp.users[0].password`. */
  readonly path: string;
  /** `encrypted`: a `secure:` value in the stack file; `missing`: required but not set. */
  readonly reason: "encrypted" | "missing";
}

export function placeholderFor(path: readonly Segment[]): string {
  const [top, second, , field] = path;
  if ((top === "ftp" || top === "http") && second === "users" && field === "password" && path.length === 4) {
    return CONFIG_PLACEHOLDERS.password;
  }
  const at = configPath(path);
  if (at === "ftp.tlsCertificate" || at === "http.tlsCertificate") return CONFIG_PLACEHOLDERS.tlsCertificate;
  if (at === "ftp.tlsKey" || at === "http.tlsKey") return CONFIG_PLACEHOLDERS.tlsKey;
  if (at === "http.secureLinkSecret") return CONFIG_PLACEHOLDERS.secureLinkSecret;
  return CONFIG_PLACEHOLDERS.other;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How the Pulumi CLI writes a secret into the stack file: `{ secure: <ciphertext> }`. */
function isEncrypted(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** A copy of `value` with every `secure:` value replaced by its config placeholder. */
export function replaceEncrypted(
  value: unknown,
  found: Substitution[],
  path: readonly Segment[] = [],
): unknown {
  if (isEncrypted(value)) {
    found.push({ path: configPath(path), reason: "encrypted" });
    return placeholderFor(path);
  }
  if (Array.isArray(value)) return value.map((v, i) => replaceEncrypted(v, found, [...path, i]));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceEncrypted(v, found, [...path, k])]),
    );
  }
  return value;
}

/**
 * Adds the secrets that validation requires and the stack file does not set: the TLS pair when
 * ftp.tls is not off, the secure-link secret when a location uses it, basic-auth passwords.
 * FTP passwords are optional (the program generates them), so they stay unset.
 * Works on a copy; anything of the wrong shape is left for validation to report.
 */
export function fillRequiredSecrets(
  config: Readonly<Record<string, unknown>>,
  found: Substitution[],
): Record<string, unknown> {
  const copy = structuredClone(config) as Record<string, unknown>;
  const fill = (node: Record<string, unknown>, key: string, path: readonly Segment[]) => {
    if (node[key] !== undefined) return;
    node[key] = placeholderFor(path);
    found.push({ path: configPath(path), reason: "missing" });
  };
  const { ftp, http } = copy;
  if (isRecord(ftp) && (ftp.tls === "enabled" || ftp.tls === "required")) {
    fill(ftp, "tlsCertificate", ["ftp", "tlsCertificate"]);
    fill(ftp, "tlsKey", ["ftp", "tlsKey"]);
  }
  if (isRecord(http) && (http.tls === "enabled" || http.tls === "required")) {
    fill(http, "tlsCertificate", ["http", "tlsCertificate"]);
    fill(http, "tlsKey", ["http", "tlsKey"]);
  }
  if (isRecord(http)) {
    const locations = Array.isArray(http.locations) ? http.locations : [];
    if (locations.some((l) => isRecord(l) && l.secureLink === true))
      fill(http, "secureLinkSecret", ["http", "secureLinkSecret"]);
    if (Array.isArray(http.users)) {
      http.users.forEach((user, i) => {
        if (isRecord(user)) fill(user, "password", ["http", "users", i, "password"]);
      });
    }
  }
  return copy;
}

/** Replaces every occurrence of each secret in `text` by SECRET_PLACEHOLDER, longest first. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const ordered = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return ordered.reduce((acc, secret) => acc.split(secret).join(SECRET_PLACEHOLDER), text);
}
