/**
 * Any valid config, drawn by fast-check from the schema's patterns: nginx -t accepts the
 * nginx.conf rendered from it (host layout, as the services tier runs it), and vsftpd starts
 * with its rendered files, greets, logs a user in and offers a passive port at the configured
 * address. The seed is fixed (test/support/arbitraries.ts SEED) and printed by fast-check on
 * failure; that the spec module accepts every drawn config is the unit tier's
 * validConfigs.hostile.test.ts.
 */
import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FTP_CONTAINER_LAYOUT } from "../../spec";
import { serverFiles, writeServerFiles } from "../support/files";
import { ControlConnection } from "../support/ftpControl";
import { hostDirs, hostWebLayout } from "../support/layout";
import { findFreePorts } from "../support/ports";
import { requirePrerequisites } from "../support/prerequisites";
import type { StackConfig } from "../support/project";
import { SEED, validConfig } from "../support/arbitraries";
import { nginxTest, startStack } from "../support/servers";
import { parseConfig } from "../support/stacks";
import { testCertificate } from "../support/tls";

const NGINX_RUNS = 100;
const VSFTPD_RUNS = 10;
/** Bounds a run, shrinking included; reaching it fails the test. */
const TIME_LIMIT = { interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true };

/**
 * A session that got 220. The harness's readiness probe (waitForPorts) is a session too, and
 * vsftpd counts it until its process ends: with ftp.maxClients 1 the next connection may get
 * 421 for a moment. Retried for at most 5 s.
 */
async function greeting220(port: number): Promise<ControlConnection> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const opened = await ControlConnection.open(port);
    if (opened.greeting.code !== 421 || Date.now() > deadline) return opened;
    opened.close();
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("any valid stack config", () => {
  let scratch: string;
  beforeAll(() => {
    requirePrerequisites();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-hostile-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it(`renders an nginx.conf that nginx -t accepts (${NGINX_RUNS} configs)`, async () => {
    const ports = await findFreePorts(1);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(validConfig(), async (config) => {
        const root = path.join(scratch, `nginx-${run++}`);
        const dirs = hostDirs(root);
        try {
          for (const d of [root, dirs.media, dirs.vsftpd, dirs.nginx]) fs.mkdirSync(d, { recursive: true });
          const layout = hostWebLayout(dirs, ports);
          // Only nginx runs here: the FTP side is rendered for the container and not written.
          const { web } = serverFiles(parseConfig(config), FTP_CONTAINER_LAYOUT, layout);
          writeServerFiles(web, { dirs: [root], files: [] });
          fs.mkdirSync(layout.tempPrefix, { recursive: true });
          const result = await nginxTest(layout.configFile);
          expect(result.output).toContain("test is successful");
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { seed: SEED, numRuns: NGINX_RUNS, ...TIME_LIMIT },
    );
  });

  it(`starts vsftpd (and nginx) with the rendered files: 220, login, PASV at the passive address (${VSFTPD_RUNS} configs)`, async () => {
    const pem = testCertificate();
    // Host names other than localhost would make vsftpd ask DNS; every test stays on 127.0.0.1.
    const configs = validConfig({ pem, passiveAddresses: "no-dns" });
    await fc.assert(
      fc.asyncProperty(configs, async (config: StackConfig) => {
        // As many passive ports as the config has: ftp.maxClients may use half of them.
        const { min, max } = (config.ftp as { passivePorts: { min: number; max: number } }).passivePorts;
        const stack = await startStack("hostile-valid", config, { passivePorts: max - min + 1 });
        try {
          const ftp = stack.spec.ftp;
          const user = ftp.users[0];
          const session = await greeting220(stack.ftpPort);
          try {
            expect(session.greeting.code).toBe(220);
            if (ftp.tls === "required") {
              // Offers TLS before any login (a USER in the clear would be refused, and count
              // against ftp.maxLoginFails); the handshake itself is the FTPS tests' business.
              expect((await session.send("AUTH TLS")).code).toBe(234);
              return;
            }
            expect((await session.send(`USER ${user.name}`)).code).toBe(331);
            expect((await session.send(`PASS ${stack.passwords[user.name]}`)).code).toBe(230);
            expect((await session.send("PWD")).text).toBe('257 "/" is the current directory');
            const pasv = await session.send("PASV");
            const announced = /\((\d+),(\d+),(\d+),(\d+),\d+,\d+\)/.exec(pasv.text)?.slice(1, 5).join(".");
            const expected = ftp.passiveAddress === "localhost" ? "127.0.0.1" : ftp.passiveAddress;
            expect({ code: pasv.code, announced }).toEqual({ code: 227, announced: expected });
          } finally {
            session.close();
          }
        } catch (e) {
          throw new Error(`${String(e)}\n${stack.describe()}`, { cause: e });
        } finally {
          await stack.stop();
        }
      }),
      { seed: SEED, numRuns: VSFTPD_RUNS, ...TIME_LIMIT },
    );
  }, 120_000);
});
