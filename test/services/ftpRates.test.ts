/**
 * Per-user transfer rates (ftp.users[i].maxRate, vsftpd's local_max_rate in the user's file) on
 * the real vsftpd: a limited user's upload and download take at least about as long as the rate
 * says. Only a lower bound is asserted (a busy machine makes transfers slower, never faster);
 * the figures are printed.
 */
import { MB, payloadSha256, payloadStream, sha256 } from "../support/data";
import { download, upload, withFtp } from "../support/ftp";
import { startStack, type RunningStack } from "../support/servers";

const SIZE = 3 * MB;
/** 1 MiB/s: the 3 MiB take 3 s; below 2 s the limit did not hold. */
const RATE = "1m";
const AT_LEAST_S = 2;

describe("a per-user FTP rate", () => {
  let stack: RunningStack;
  const payload = { seed: "rate-limited", size: SIZE };

  beforeAll(async () => {
    stack = await startStack("services-ftp-rates", {
      ftp: {
        bindAddress: "127.0.0.1",
        users: [
          { name: "slow", password: "slow-password", maxRate: RATE },
          { name: "fast", password: "fast-password" },
        ],
      },
      http: { bindAddress: "127.0.0.1", gallery: { enabled: false } },
      processing: { enabled: false },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const timed = async <T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> => {
    const started = performance.now();
    const value = await fn();
    return { seconds: (performance.now() - started) / 1000, value };
  };

  it("holds the limited user's upload and download to about maxRate, the other user's not", async () => {
    const up = await timed(() =>
      withFtp(stack, "slow", (c) => upload(c, payloadStream(payload), "/videos/slow.bin")),
    );
    const down = await timed(() => withFtp(stack, "slow", (c) => download(c, "/videos/slow.bin")));
    const free = await timed(() =>
      withFtp(stack, "fast", (c) => upload(c, payloadStream(payload), "/videos/fast.bin")),
    );
    process.stdout.write(
      `ftp rates: ${SIZE / MB} MiB at maxRate ${RATE}: upload ${up.seconds.toFixed(2)} s, ` +
        `download ${down.seconds.toFixed(2)} s; without a limit: upload ${free.seconds.toFixed(2)} s\n`,
    );
    expect(sha256(down.value)).toBe(await payloadSha256(payload));
    expect(up.seconds).toBeGreaterThanOrEqual(AT_LEAST_S);
    expect(down.seconds).toBeGreaterThanOrEqual(AT_LEAST_S);
    expect(free.seconds).toBeLessThan(up.seconds);
  }, 60_000);
});
