/**
 * The FTP container's log is bounded inside the container and its output carries the sessions,
 * not the health probes. curl is the FTP client.
 */
import { execFile } from "node:child_process";
import { exec } from "./containers";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const LOG = "/var/log/vsftpd/vsftpd.log";
const LOG_MAX_BYTES = 8 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: DockerStack;

beforeAll(async () => {
  stack = await startDockerStack("logs", 2);
  await stack.realize(
    loopbackConfig(stack, {
      ftp: { users: [{ name: "uploader", password: PASSWORD }] },
      http: { locations: [{ path: "/videos/", directory: "videos", autoindex: true }] },
    }),
  );
}, 600_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

const inFtp = (cmd: string) => exec(stack.engine.docker, stack.container("ftp"), ["sh", "-c", cmd]);
const logSize = async () => Number((await inFtp(`stat -c %s ${LOG}`)).output.trim());
const containerOutput = async () =>
  (await stack.container("ftp").logs({ stdout: true, stderr: true })).toString();

function ftpList(): Promise<number> {
  const url = `ftp://127.0.0.1:${stack.ports.ftp}/videos/`;
  return new Promise((resolve) =>
    execFile("curl", ["-sS", "--max-time", "20", "--user", `uploader:${PASSWORD}`, url], (error) =>
      resolve(error ? Number((error as { code?: number }).code ?? 1) : 0),
    ),
  );
}

describe("the FTP container's log", () => {
  it("keeps health probes out of the container's output, and the sessions in it", async () => {
    // The healthcheck has run at least twice by now (every 10 s).
    await sleep(12_000);
    expect(
      Number((await inFtp(`grep -c 'CONNECT: Client "127.0.0.1"' ${LOG}`)).output.trim()),
    ).toBeGreaterThan(1);
    expect(await ftpList()).toBe(0);
    await sleep(1_000);
    const output = await containerOutput();
    expect(output).not.toContain('CONNECT: Client "127.0.0.1"');
    expect(output).toMatch(/\[uploader\] OK LOGIN/);
  }, 60_000);

  it(`stays under ${LOG_MAX_BYTES} bytes however much is written, keeping the rest in one copy, and vsftpd goes on logging`, async () => {
    // 12 MiB of log lines, as a long day of sessions would write.
    await inFtp(
      `yes 'Tue Dec  1 00:00:00 2026 [pid 1] [uploader] OK DOWNLOAD: Client "192.0.2.1", "/videos/x.mp4", 1 bytes' | head -c 12582912 >> ${LOG}`,
    );
    expect(await logSize()).toBeGreaterThan(LOG_MAX_BYTES);
    const deadline = Date.now() + 25_000;
    while ((await logSize()) > LOG_MAX_BYTES && Date.now() < deadline) await sleep(1_000);
    expect(await logSize()).toBeLessThanOrEqual(LOG_MAX_BYTES);
    // The worker reads what it had not yet read from the copy: the old log, whole.
    const copy = Number((await inFtp(`stat -c %s ${LOG}.1`)).output.trim());
    expect(copy).toBeGreaterThan(LOG_MAX_BYTES);

    expect(await ftpList()).toBe(0);
    await sleep(1_000);
    expect((await inFtp(`grep -c 'OK LOGIN' ${LOG}`)).output.trim()).not.toBe("0");
    expect((await containerOutput()).match(/\[uploader\] OK LOGIN/g)?.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
