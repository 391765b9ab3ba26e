/**
 * Bans across connections on the real containers: a test host in a network namespace of this
 * test's own reaches the FTP and HTTP ports published on its side of a veth pair, through
 * Docker's NAT, so vsftpd and nginx see its real addresses. Repeated wrong passwords from one
 * address ban it (vsftpd refuses it at connect through tcp_wrappers; nginx answers 403) while a
 * good user from the other address goes on working; the ban ends after ban*Time. A user name
 * naming the other address does not get it banned.
 */
import { createTestHost, type TestHost } from "../support/testHost";
import { pollUntil } from "../support/wait";
import { exec } from "./containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const VIEWER = { name: "viewer", password: "viewer-http-password" };
const BAN_SECONDS = 6;

let stack: DockerStack;
let host: TestHost;
let attacker: string;
let neighbour: string;

/** One FTP session by hand from the host's first address; prints each reply's first line. */
const SESSION = String.raw`
exec 3<>"/dev/tcp/$1/$2" || exit 1
IFS= read -r -t 5 line <&3 || { echo "closed"; exit 0; }
echo "$line"
case "$line" in 220*) ;; *) exit 0 ;; esac
[ -n "$3" ] || { printf 'QUIT\r\n' >&3; exit 0; }
printf 'USER %s\r\n' "$3" >&3; IFS= read -r -t 5 line <&3; echo "$line"
printf 'PASS %s\r\n' "$4" >&3; IFS= read -r -t 10 line <&3; echo "$line"
printf 'QUIT\r\n' >&3
`;

async function session(user = "", password = ""): Promise<string[]> {
  const r = await host.run([
    "bash",
    "-c",
    SESSION,
    "ftp",
    host.gateway,
    String(stack.ports.ftp),
    user,
    password,
  ]);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => l.trim());
}

/** A listing as the neighbour, from its own address, with curl (passive data through the NAT too). */
async function neighbourLists(): Promise<number> {
  const url = `ftp://${host.gateway}:${stack.ports.ftp}/`;
  const r = await host.run([
    "curl",
    "-sS",
    "--max-time",
    "10",
    "--interface",
    neighbour,
    "-u",
    `uploader:${PASSWORD}`,
    "-l",
    url,
  ]);
  return r.code;
}

/** The status of one HTTP request from `from` (an address of the test host), with basic auth. */
async function httpStatus(from: string, password: string, urlPath = "/members/"): Promise<number> {
  const url = `http://${host.gateway}:${stack.ports.http}${urlPath}`;
  const r = await host.run([
    "curl",
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--max-time",
    "10",
    "--interface",
    from,
    "-u",
    `${VIEWER.name}:${password}`,
    url,
  ]);
  return Number(r.stdout.trim());
}

const greetingWithin = (ms: number, wanted: (greeting: string) => boolean): Promise<string> =>
  pollUntil(async () => (await session())[0], wanted, ms);

/** A container's output once it holds `line` (the watcher writes its lists first), at most 5 s. */
const logsWith = (line: string, role: "ftp" | "web" = "ftp"): Promise<string> =>
  pollUntil(
    async () => (await stack.container(role).logs({ stdout: true, stderr: true })).toString("utf8"),
    (logs) => logs.includes(line),
    5_000,
  );
const webLogsWith = (line: string) => logsWith(line, "web");
const hostsDeny = async () =>
  (await exec(stack.engine.docker, stack.container("ftp"), ["cat", "/etc/hosts.deny"])).output;

beforeAll(async () => {
  host = await createTestHost("bans", 2);
  [attacker, neighbour] = host.addresses;
  stack = await startDockerStack("bans", 4);
  await stack.realize(
    loopbackConfig(stack, {
      ftp: {
        bindAddress: host.gateway,
        passiveAddress: host.gateway,
        users: [{ name: "uploader", password: PASSWORD }],
        delayFailedLogin: 0,
        maxLoginFails: 1,
        banAfterFails: 3,
        banWindow: 60,
        banTime: BAN_SECONDS,
      },
      http: {
        bindAddress: host.gateway,
        gallery: { enabled: false },
        users: [VIEWER],
        locations: [
          // Listed, so a 403 can only be the ban.
          { path: "/videos/", directory: "videos", autoindex: true },
          { path: "/members/", directory: "members", autoindex: true, basicAuth: true },
        ],
        banAfterFails: 3,
        banWindow: 60,
        banTime: BAN_SECONDS,
      },
    }),
  );
}, 900_000);

afterAll(async () => {
  await stack?.stop();
  await host?.remove();
}, 120_000);

describe("three wrong passwords from one address", () => {
  const replies: string[][] = [];
  let banned = "";
  let bannedAt = 0;

  beforeAll(async () => {
    expect(await session()).toEqual(["220 video-server FTP ready"]);
    // The first names the neighbour in its user name, as if vsftpd had logged that address.
    replies.push(await session(`x] FAIL LOGIN: Client "${neighbour}"`, "wrong-password"));
    replies.push(await session("uploader", "wrong-password"));
    replies.push(await session("nobody-here", "wrong-password"));
    banned = await greetingWithin(5_000, (g) => !g.startsWith("220"));
    bannedAt = Date.now();
  }, 60_000);

  it("are each refused with 530", () => {
    expect(replies.map((r) => r[2])).toEqual([
      "530 Login incorrect.",
      "530 Login incorrect.",
      "530 Login incorrect.",
    ]);
  });

  it("ban the address: vsftpd refuses it at connect with 421, and the ban is in the container's output", async () => {
    expect(banned).toBe("421 Service not available.");
    const line = `video-server-bans: banned ${attacker} for ${BAN_SECONDS} s after 3 failed logins within 60 s`;
    expect(await logsWith(line)).toContain(line);
  });

  it("leave the neighbour, named in a user name, unbanned: it logs in and lists from its own address", async () => {
    expect(await hostsDeny()).not.toContain(neighbour);
    expect(await neighbourLists()).toBe(0);
  });

  it("end after ftp.banTime: the address is greeted with 220 again and the unban is logged", async () => {
    const greeting = await greetingWithin((BAN_SECONDS + 5) * 1000, (g) => g.startsWith("220"));
    expect(greeting).toBe("220 video-server FTP ready");
    expect(Date.now() - bannedAt).toBeGreaterThanOrEqual((BAN_SECONDS - 2) * 1000);
    expect(await logsWith(`video-server-bans: unbanned ${attacker}`)).toContain(
      `video-server-bans: unbanned ${attacker}`,
    );
    expect(await hostsDeny()).not.toContain(attacker);
  }, 30_000);
});

describe("three wrong basic-auth passwords from one address", () => {
  let statuses: number[] = [];
  let bannedAt = 0;

  beforeAll(async () => {
    // The FTP ban above has ended by now; this one counts nginx's failures only.
    statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await httpStatus(attacker, "wrong-password"));
    await pollUntil(
      () => httpStatus(attacker, VIEWER.password),
      (status) => status === 403,
      5_000,
    );
    bannedAt = Date.now();
  }, 60_000);

  it("are each answered 401", () => {
    expect(statuses).toEqual([401, 401, 401]);
  });

  it("ban the address: nginx answers it 403 for everything, even with the right password", async () => {
    expect(await httpStatus(attacker, VIEWER.password)).toBe(403);
    expect(await httpStatus(attacker, VIEWER.password, "/videos/")).toBe(403);
    const line = `video-server-bans: banned ${attacker} for ${BAN_SECONDS} s after 3 failed logins within 60 s`;
    expect(await webLogsWith(line)).toContain(line);
  });

  it("leave the other address served", async () => {
    expect(await httpStatus(neighbour, VIEWER.password)).toBe(200);
  });

  it("end after http.banTime", async () => {
    const status = pollUntil(
      () => httpStatus(attacker, VIEWER.password),
      (s) => s !== 403,
      (BAN_SECONDS + 5) * 1000,
    );
    expect(await status).toBe(200);
    expect(Date.now() - bannedAt).toBeGreaterThanOrEqual((BAN_SECONDS - 2) * 1000);
  }, 30_000);
});
