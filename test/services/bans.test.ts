/**
 * The ban watcher (containerFiles/bans.sh) on its own, as the FTP container runs it, fed vsftpd
 * log lines this test writes: it bans after the configured failures within the window, lifts
 * the ban after its time, never bans loopback or the bridge gateway, and a user name cannot get
 * another address banned. Its lists go to files of the test's. webBans.test.ts checks nginx's
 * side on the host; the docker tier, that both servers honour the lists (bans.hostile.test.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startBanWatcher, type BanWatcher } from "../support/banWatcher";
import { waitFor } from "../support/wait";

/** /proc/net/route with a default route via 172.17.0.1 (bytes least significant first). */
const ROUTES = [
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
  "eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0",
  "eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
  "",
].join("\n");

let dir: string;
let watcher: BanWatcher;
const output = () => watcher.output();
const file = (name: string) => path.join(dir, name);
const deny = () => (fs.existsSync(file("hosts.deny")) ? fs.readFileSync(file("hosts.deny"), "utf8") : "");
const banned = () =>
  deny()
    .split("\n")
    .filter((l) => l.startsWith("vsftpd: "))
    .map((l) => l.slice("vsftpd: ".length))
    .sort();

/** What vsftpd writes for a wrong password (or an unknown user) from `address`. */
function failLogin(address: string, user = "alice"): void {
  const stamp = new Date().toUTCString().replace(/ GMT$/, "");
  fs.appendFileSync(file("vsftpd.log"), `${stamp} [pid 42] [${user}] FAIL LOGIN: Client "${address}"\n`);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-bans-"));
  fs.writeFileSync(file("vsftpd.log"), "");
  fs.writeFileSync(file("route"), ROUTES);
  fs.writeFileSync(
    file("bans"),
    [
      "BAN_AFTER_FAILS=3",
      "BAN_WINDOW_SECONDS=60",
      "BAN_SECONDS=3",
      `BAN_LIST_FILE='${file("hosts.deny")}'`,
      `BAN_ALLOW_FILE='${file("hosts.allow")}'`,
      `BAN_ROUTES_FILE='${file("route")}'`,
      "",
    ].join("\n"),
  );
  watcher = await startBanWatcher("vsftpd", file("vsftpd.log"), file("bans"));
});

afterAll(() => {
  watcher?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("starts with empty lists and the gateway read from the routes: nothing denied, nothing allowed past the bans", () => {
  expect(output()).toContain("never loopback or the gateway 172.17.0.1");
  expect(banned()).toEqual([]);
  expect(fs.readFileSync(file("hosts.allow"), "utf8")).not.toMatch(/^[^#]/m);
});

it("does not ban after fewer failures than ftp.banAfterFails", async () => {
  failLogin("198.51.100.7");
  failLogin("198.51.100.7");
  await new Promise((r) => setTimeout(r, 1_500));
  expect(banned()).toEqual([]);
});

it("bans at the third failure, logs it, and lifts the ban after ftp.banTime", async () => {
  failLogin("198.51.100.7");
  await waitFor("the ban", () => banned().includes("198.51.100.7"), 5_000);
  const bannedAt = Date.now();
  // The list is written first, then the line: the output may come a moment later.
  const logged = "video-server-bans: banned 198.51.100.7 for 3 s after 3 failed logins within 60 s";
  await waitFor("the ban's line", () => output().includes(logged), 5_000);
  await waitFor("the unban", () => !banned().includes("198.51.100.7"), 8_000);
  expect(Date.now() - bannedAt).toBeGreaterThanOrEqual(1_900);
  await waitFor(
    "the unban's line",
    () => output().includes("video-server-bans: unbanned 198.51.100.7"),
    5_000,
  );
}, 15_000);

it("never bans loopback or the bridge gateway, where docker-proxy puts every local client", async () => {
  for (let i = 0; i < 5; i++) {
    failLogin("127.0.0.1");
    failLogin("172.17.0.1");
  }
  failLogin("203.0.113.50");
  failLogin("203.0.113.50");
  failLogin("203.0.113.50");
  await waitFor("the ban of 203.0.113.50", () => banned().includes("203.0.113.50"), 5_000);
  expect(banned()).toEqual(["203.0.113.50"]);
});

it("bans the address vsftpd names last on the line, whatever the user name says", async () => {
  const fake = 'x] FAIL LOGIN: Client "192.0.2.99"';
  for (let i = 0; i < 3; i++) failLogin("192.0.2.10", fake);
  await waitFor("the ban of 192.0.2.10", () => banned().includes("192.0.2.10"), 5_000);
  expect(banned()).not.toContain("192.0.2.99");
});

it("counts failed logins only: successful logins, connections and failed uploads ban nobody", async () => {
  fs.appendFileSync(
    file("vsftpd.log"),
    [
      'Tue Dec  1 10:00:00 2026 [pid 3] [bob] OK LOGIN: Client "192.0.2.20"',
      'Tue Dec  1 10:00:00 2026 [pid 3] CONNECT: Client "192.0.2.20"',
      'Tue Dec  1 10:00:00 2026 [pid 3] [bob] FAIL UPLOAD: Client "192.0.2.20", "/videos/a.mp4", 0.00Kbyte/sec',
      "",
    ].join("\n"),
  );
  await new Promise((r) => setTimeout(r, 1_500));
  expect(banned()).not.toContain("192.0.2.20");
});
