/**
 * The ban watcher (containerFiles/bans.sh) in its sshd mode, as the SFTP container runs it, fed
 * sshd lines this test writes: it bans after the configured failures with a DenyUsers line that
 * sshd_config includes, sends SIGHUP to the pid it is given, and a user name cannot get another
 * address banned. That sshd honours the list is sftp.test.ts's (the harness's host sshd).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBanWatcher, type BanWatcher } from "../support/banWatcher";
import { waitFor } from "../support/wait";

let dir: string;
let watcher: BanWatcher;
/** Stands in for sshd: counts the SIGHUPs it gets. */
let listener: ChildProcess;
let hangups = 0;
const file = (name: string) => path.join(dir, name);
const list = () => (fs.existsSync(file("bans.conf")) ? fs.readFileSync(file("bans.conf"), "utf8") : "");

/** What sshd writes for a wrong password from `address`. */
function failedPassword(address: string, user = "alice"): void {
  fs.appendFileSync(file("auth.log"), `Failed password for ${user} from ${address} port 50022 ssh2\n`);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-sftp-bans-"));
  fs.writeFileSync(file("auth.log"), "");
  listener = spawn("bash", ["-c", "trap 'echo HUP' HUP; while :; do sleep 0.1; done"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  listener.stdout?.on("data", (d: Buffer) => (hangups += (d.toString().match(/HUP/g) ?? []).length));
  fs.writeFileSync(file("sshd.pid"), `${listener.pid}\n`);
  fs.writeFileSync(
    file("bans"),
    [
      "BAN_AFTER_FAILS=3",
      "BAN_WINDOW_SECONDS=60",
      "BAN_SECONDS=30",
      `BAN_LIST_FILE='${file("bans.conf")}'`,
      `BAN_RELOAD_PID_FILE='${file("sshd.pid")}'`,
      "",
    ].join("\n"),
  );
  watcher = await startBanWatcher("sshd", file("auth.log"), file("bans"));
});

afterAll(() => {
  watcher?.stop();
  listener?.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

it("starts with a list that denies nobody, which sshd_config can include", () => {
  expect(list()).not.toMatch(/^[^#]/m);
});

it("bans at the third failed password with one DenyUsers line, and tells sshd", async () => {
  for (let i = 0; i < 3; i++) failedPassword("198.51.100.7");
  await waitFor("the ban", () => list().includes("DenyUsers *@198.51.100.7"), 5_000);
  await waitFor("sshd's SIGHUP", () => hangups >= 1, 5_000);
  failedPassword("203.0.113.9");
  failedPassword("203.0.113.9");
  failedPassword("203.0.113.9");
  await waitFor("the second ban", () => list().includes("*@203.0.113.9"), 5_000);
  const lines = list()
    .split("\n")
    .filter((l) => l.startsWith("DenyUsers"));
  expect(lines).toHaveLength(1);
  expect(lines[0].split(" ").slice(1).sort()).toEqual(["*@198.51.100.7", "*@203.0.113.9"]);
});

it("bans the address sshd names last on the line, whatever the user name says", async () => {
  const fake = "x from 192.0.2.99 port 1 ssh2 and";
  for (let i = 0; i < 3; i++) failedPassword("192.0.2.10", `invalid user ${fake}`);
  await waitFor("the ban of 192.0.2.10", () => list().includes("*@192.0.2.10"), 5_000);
  expect(list()).not.toContain("192.0.2.99");
});

it("never bans loopback", async () => {
  for (let i = 0; i < 5; i++) failedPassword("127.0.0.1");
  await new Promise((r) => setTimeout(r, 1_500));
  expect(list()).not.toContain("127.0.0.1");
});
