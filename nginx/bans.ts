import type { HttpSpec, WebLayout } from "../spec";
import { block } from "./block";

const on = (http: HttpSpec) => http.bans.afterFails > 0;

/**
 * A failed basic-auth request is a 401 to a request that sent credentials (a 401 without them
 * is a browser asking). Each is logged as the client's address alone, in a file of its own: the
 * error log's `password mismatch` line holds the user name, request and host as the client sent
 * them, which a watcher cannot parse safely. The geo file lists the banned addresses.
 */
export function banDirectives(
  http: HttpSpec,
  layout: Pick<WebLayout, "authFailureLog" | "bansFile">,
): string[] {
  if (!on(http)) return [];
  return [
    ...block("map $status:$http_authorization $vs_auth_failed", ['"~^401:." 1;', "default 0;"]),
    "log_format vs_auth_failure '$remote_addr';",
    `access_log ${layout.authFailureLog} vs_auth_failure if=$vs_auth_failed;`,
    ...block("geo $vs_banned", ["default 0;", `include ${layout.bansFile};`]),
  ];
}

/** First in the server: a banned address gets 403 for everything, before any location. */
export function banCheck(http: HttpSpec): string[] {
  return on(http) ? block("if ($vs_banned)", ["return 403;"]) : [];
}
