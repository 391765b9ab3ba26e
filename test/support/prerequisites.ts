/**
 * What the services tier needs on the machine. A missing piece fails the run with the command that
 * installs it; the tier is never skipped, locally or under CI.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { MEDIA_OWNER } from "../../spec";

const INSTALL = "apt-get install nginx vsftpd libpam-pwdfile";

const BINARIES = ["nginx", "vsftpd"] as const;
const BIN_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"];
const PAM_MODULE_DIRS = [
  "/lib/x86_64-linux-gnu/security",
  "/lib/aarch64-linux-gnu/security",
  "/usr/lib/x86_64-linux-gnu/security",
  "/usr/lib/aarch64-linux-gnu/security",
  "/lib/security",
  "/usr/lib/security",
];

export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), ...BIN_DIRS];
  return dirs.map((d) => `${d}/${name}`).find((p) => fs.existsSync(p));
}

function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) {
    missing.push("root privileges: vsftpd chroots every session and refuses a config file not owned by root");
  }
  for (const b of BINARIES) if (!findBinary(b)) missing.push(`the ${b} binary (package ${b})`);
  if (!PAM_MODULE_DIRS.some((d) => fs.existsSync(`${d}/pam_pwdfile.so`))) {
    missing.push("pam_pwdfile.so (package libpam-pwdfile)");
  }
  return missing;
}

let checked = false;

/** Throws, naming what is missing and how to install it. */
export function requirePrerequisites(): void {
  if (checked) return;
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    const ci = process.env.CI === "true";
    throw new Error(
      [
        "The services tier runs the real nginx and vsftpd and cannot start here:",
        ...missing.map((m) => `  - missing ${m}`),
        `It needs root and the Debian packages: ${INSTALL}`,
        ci
          ? "CI=true: a missing prerequisite fails the run."
          : "The tier is never skipped; `npm run test:unit` runs the tier without servers.",
      ].join("\n"),
    );
  }
  checked = true;
}

function getent(database: "passwd" | "group", key: string | number): string[] | undefined {
  try {
    const line = execFileSync("getent", [database, String(key)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return line.trim().split(":");
  } catch {
    return undefined;
  }
}

/** As vsftpd/Dockerfile makes it. The home must exist: vsftpd chdirs there before local_root. */
const GUEST_HOME = "/";

/**
 * vsftpd's guest_username must be a local account. Created as vsftpd/Dockerfile creates it (fixed
 * uid/gid 2121, home /, no shell) and left in place: later runs and other tiers reuse it.
 */
export function ensureGuestUser(): void {
  const { user, uid, gid } = MEDIA_OWNER;
  const existing = getent("passwd", user);
  if (existing) {
    if (existing[2] !== String(uid)) {
      throw new Error(
        `the guest user ${user} has uid ${existing[2]}; vsftpd/Dockerfile gives it ${uid}. ` +
          `Fix it with: usermod --uid ${uid} ${user}`,
      );
    }
    const home = existing[5];
    if (!fs.existsSync(home)) {
      throw new Error(
        `the guest user ${user} has the home ${home}, which does not exist; vsftpd chdirs there on every ` +
          `login ("500 OOPS: cannot change directory"). Fix it with: usermod --home ${GUEST_HOME} ${user}`,
      );
    }
    return;
  }
  if (getent("passwd", uid) || (getent("group", gid) && !getent("group", user))) {
    throw new Error(
      `cannot create the guest user ${user}: uid or gid ${uid} belongs to another account on this machine`,
    );
  }
  const ids = ["--uid", String(uid), "--gid", String(gid)];
  const account = ["--no-create-home", "--home-dir", GUEST_HOME, "--shell", "/usr/sbin/nologin"];
  try {
    if (!getent("group", user))
      execFileSync("groupadd", ["--system", "--gid", String(gid), user], { stdio: "pipe" });
    execFileSync("useradd", ["--system", ...ids, ...account, user], { stdio: "pipe" });
  } catch (e) {
    // Another jest worker may have created it meanwhile.
    if (!getent("passwd", user)) throw e;
  }
}
