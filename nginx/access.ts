// nginx's default `satisfy all`: an allowed address still needs a password where basic auth is on.
import type { LocationSpec } from "../spec";

/** One realm for every location, so a browser asks once and reuses the credentials. */
export const BASIC_AUTH_REALM = "video-server";

/** Denies first: the first match wins, so they carve holes in the allow list. */
export function accessLines(l: LocationSpec, htpasswdFile: string): string[] {
  const lines = [...l.deny.map((c) => `deny ${c};`), ...l.allow.map((c) => `allow ${c};`)];
  if (l.allow.length > 0) lines.push("deny all;");
  if (l.basicAuth) lines.push(`auth_basic "${BASIC_AUTH_REALM}";`, `auth_basic_user_file ${htpasswdFile};`);
  return lines;
}
