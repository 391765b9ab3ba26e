/**
 * More FTP clients than the passive range carries, on the real vsftpd. Each one either completes
 * with identical bytes or is refused with a 4xx reply; none gets vsftpd's `500 OOPS:
 * vsf_sysutil_bind`, which ends a session whose PASV found no free port. ftp.maxClients defaults
 * to half the passive range, which is what keeps the refusals clean.
 */
import { FTPError, type Client } from "basic-ftp";
import { MB, payloadSha256, payloadStream, type Payload } from "../support/data";
import { ftpConnect, upload } from "../support/ftp";
import { ControlConnection, type FtpReply } from "../support/ftpControl";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";

const PASSIVE_PORTS = 10;
const PASSWORD = "crowd-password";
const STACK = {
  ftp: { bindAddress: "127.0.0.1", users: [{ name: "crowd", password: PASSWORD }] },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [{ path: "/videos/", directory: "videos" }],
  },
};

let stack: RunningStack;
beforeAll(async () => {
  stack = await startStack("hostile-overload", STACK, { passivePorts: PASSIVE_PORTS });
}, 60_000);
afterAll(() => stack?.stop());

/** What became of one client: the final reply's code, or the code it was refused with. */
async function attempt(payload: Payload): Promise<number> {
  let client: Client | undefined;
  try {
    client = await ftpConnect(stack, "crowd", PASSWORD, { timeoutMs: 30_000 });
    return await upload(client, payloadStream(payload), `/videos/${payload.seed}.bin`);
  } catch (e) {
    if (e instanceof FTPError) return e.code;
    throw e;
  } finally {
    client?.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("allows half the passive range at once by default: 5 sessions for 10 ports, and 5 per address", () => {
  expect(stack.spec.ftp.maxClients).toBe(PASSIVE_PORTS / 2);
  expect(stack.spec.ftp.maxPerIp).toBe(PASSIVE_PORTS / 2);
});

describe("three rounds of 15 uploads at once (three times ftp.maxClients)", () => {
  const ROUNDS = 3;
  const CLIENTS = 15;
  const outcomes: { payload: Payload; code: number }[] = [];

  beforeAll(async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const payloads = Array.from({ length: CLIENTS }, (_, i) => ({ seed: `crowd-${round}-${i}`, size: MB }));
      const codes = await Promise.all(payloads.map(attempt));
      payloads.forEach((payload, i) => outcomes.push({ payload, code: codes[i] }));
      // vsftpd counts a session until its process is reaped.
      await sleep(500);
    }
  }, 120_000);

  it("ends every client with 226 or a 4xx refusal, never a 5xx", () => {
    const codes = outcomes.map((o) => o.code);
    expect(codes.filter((c) => c !== 226 && (c < 400 || c > 499))).toEqual([]);
    // Both kinds happened: the load really went past the limit, and the limit let work through.
    expect(codes.filter((c) => c === 226).length).toBeGreaterThanOrEqual(ROUNDS * 2);
    expect(codes.filter((c) => c === 421).length).toBeGreaterThanOrEqual(ROUNDS);
  });

  it("stores every completed upload byte for byte", async () => {
    const wrong: string[] = [];
    for (const { payload } of outcomes.filter((o) => o.code === 226)) {
      const got = await request(stack, `/videos/${payload.seed}.bin`, { keepBody: false });
      if (got.status !== 200 || got.sha256 !== (await payloadSha256(payload))) wrong.push(payload.seed);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe("every admitted session holding a passive port it never connects to", () => {
  /** PASV replies of `maxClients` sessions that each send PASV and keep the port open, 20 times. */
  const replies: FtpReply[] = [];
  let extra: FtpReply | undefined;

  beforeAll(async () => {
    for (let round = 0; round < 20; round++) {
      const sessions: ControlConnection[] = [];
      try {
        for (let i = 0; i < stack.spec.ftp.maxClients; i++)
          sessions.push(await ControlConnection.login(stack.ftpPort, "crowd", PASSWORD));
        for (const s of sessions) replies.push(await s.send("PASV"));
        if (round === 0) {
          const late = await ControlConnection.open(stack.ftpPort);
          extra = late.greeting;
          late.close();
        }
      } finally {
        for (const s of sessions) s.close();
      }
      await sleep(300);
    }
  }, 120_000);

  it("answers every PASV with 227: a free port is always found", () => {
    expect(replies.filter((r) => r.code !== 227)).toEqual([]);
    expect(replies.length).toBe(20 * stack.spec.ftp.maxClients);
  });

  it("refuses one more client at connect with a clean 421", () => {
    expect(extra?.code).toBe(421);
  });
});
