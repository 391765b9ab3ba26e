/**
 * Brute-force and connection limits on the real vsftpd: max_login_fails, delay_failed_login,
 * max_per_ip and max_clients from the stack config. Every client connects from 127.0.0.1.
 */
import { FTPError, type Client } from "basic-ftp";
import { ftpConnect, refusalCode } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import type { StackConfig } from "../support/project";
import { startStack, type RunningStack } from "../support/servers";

const limited = (limits: Record<string, number>): StackConfig => ({
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "uploader", password: "uploader-password" }], ...limits },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [{ path: "/videos/", directory: "videos" }],
  },
});

const TOO_MANY_FROM_ADDRESS = "421 There are too many connections from your internet address.";
const TOO_MANY_USERS = "421 There are too many connected users, please try later.";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `count` logged-in clients. A session that just ended may still be counted until vsftpd reaps
 * it, so a 421 here is retried for up to 5 s; the limit under test is checked without retries.
 */
async function loggedIn(stack: RunningStack, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  const deadline = Date.now() + 5_000;
  try {
    while (clients.length < count) {
      try {
        clients.push(await ftpConnect(stack, "uploader"));
      } catch (e) {
        if (!(e instanceof FTPError && e.code === 421) || Date.now() > deadline) throw e;
        await sleep(100);
      }
    }
    return clients;
  } catch (e) {
    for (const c of clients) c.close();
    throw e;
  }
}

async function wrongPassword(control: ControlConnection): Promise<{ code: number; ms: number }> {
  expect((await control.send("USER uploader")).code).toBe(331);
  const start = Date.now();
  const reply = await control.send("PASS not-the-password");
  return { code: reply.code, ms: Date.now() - start };
}

describe("wrong passwords (maxLoginFails 2, delayFailedLogin 1)", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-login-limits", limited({ maxLoginFails: 2, delayFailedLogin: 1 }));
  });
  afterAll(() => stack?.stop());

  it("answers each wrong password after about 1 s and closes the connection at the second", async () => {
    const control = await ControlConnection.open(stack.ftpPort);
    try {
      const first = await wrongPassword(control);
      expect(first.code).toBe(530);
      // delay_failed_login, and no extra PAM delay on top (pam_pwdfile nodelay).
      expect(first.ms).toBeGreaterThanOrEqual(950);
      expect(first.ms).toBeLessThan(1_900);
      const second = await wrongPassword(control);
      expect(second.code).toBe(530);
      await control.closedByServer(3_000);
    } finally {
      control.close();
    }
  });

  it("still lets the right password in on a new connection afterwards", async () => {
    const client = await ftpConnect(stack, "uploader");
    try {
      expect(await client.pwd()).toBe("/");
    } finally {
      client.close();
    }
  });
});

describe("connections from one address (maxPerIp 3, maxClients 5)", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-per-ip-limit", limited({ maxPerIp: 3, maxClients: 5 }));
  });
  afterAll(() => stack?.stop());

  it("refuses a fourth connection from 127.0.0.1 with 421 while the first three keep working", async () => {
    const clients = await loggedIn(stack, 3);
    try {
      const extra = await ControlConnection.open(stack.ftpPort);
      try {
        expect(extra.greeting).toEqual({ code: 421, text: TOO_MANY_FROM_ADDRESS });
        await extra.closedByServer(3_000);
      } finally {
        extra.close();
      }
      expect(await refusalCode(ftpConnect(stack, "uploader"))).toBe(421);
      for (const c of clients) expect((await c.list("/")).map((f) => f.name)).toContain("videos");
    } finally {
      for (const c of clients) c.close();
    }
    // With the three gone, a new connection is let in again.
    const [again] = await loggedIn(stack, 1);
    again.close();
  });
});

describe("connections in all (maxClients 2)", () => {
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await startStack("services-clients-limit", limited({ maxPerIp: 2, maxClients: 2 }));
  });
  afterAll(() => stack?.stop());

  it("refuses a third connection with vsftpd's max_clients 421, which it checks before max_per_ip", async () => {
    const clients = await loggedIn(stack, 2);
    try {
      const extra = await ControlConnection.open(stack.ftpPort);
      extra.close();
      expect(extra.greeting).toEqual({ code: 421, text: TOO_MANY_USERS });
    } finally {
      for (const c of clients) c.close();
    }
  });
});
