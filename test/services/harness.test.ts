/** The harness leaves nothing behind: no server process, no PAM service file, no temp dir. */
import * as fs from "node:fs";
import * as os from "node:os";
import { ConfigError } from "../../spec";
import { ftpConnect } from "../support/ftp";
import { withSections } from "../support/layout";
import { processesMentioning } from "../support/processes";
import { PAM_PREFIX, startStack, TEMP_PREFIX } from "../support/servers";
import { DEFAULTS } from "./stacks";

/** This jest worker's temp dirs and PAM files; other workers' runs do not count. */
const leftovers = (): string[] => [
  ...fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`${TEMP_PREFIX}${process.pid}-`)),
  ...fs.readdirSync("/etc/pam.d").filter((f) => f.startsWith(`${PAM_PREFIX}${process.pid}-`)),
];

describe("the services harness", () => {
  it("stops nginx's workers and vsftpd's open sessions too, and removes the PAM file and temp dir", async () => {
    const stack = await startStack("services-harness", DEFAULTS);
    const client = await ftpConnect(stack, "uploader");
    try {
      await client.list("/");
      // vsftpd's listener and session, nginx's master and workers: all name the temp dir.
      expect(processesMentioning(stack.dirs.root).length).toBeGreaterThanOrEqual(4);
      expect(fs.existsSync(stack.ftpLayout.pamServiceFile)).toBe(true);
      await stack.stop();
      // The client has not hung up: stop() itself ended the FTP session, not the client's QUIT.
      expect(processesMentioning(stack.dirs.root)).toEqual([]);
    } finally {
      client.close();
    }
    expect(leftovers()).toEqual([]);
  });

  it("rejects an invalid stack config with its config path before starting anything, and cleans up", async () => {
    const invalid = withSections(DEFAULTS, {
      ftp: { passiveAddress: "127.0.0.1", users: [{ name: "root" }] },
    });
    const start = startStack("services-invalid", invalid);
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/ftp\.users\[0\]\.name: 'root' is reserved/);
    expect(leftovers()).toEqual([]);
  });
});
