/**
 * How a bad stack config is reported: one message, naming the config path of every problem, with
 * the command that fixes a key set the wrong way. Which values each field refuses is the
 * bad-config matrix (badConfig.hostile.test.ts).
 */
import { programFailure, type ProgramFailed } from "../support/program";
import { threeUserConfig, withValue } from "../support/stacks";

const problems = (failed: ProgramFailed): string[] =>
  failed.message.split("\n").filter((l) => l.startsWith("  - "));

const base = threeUserConfig();

describe("stack config validation", () => {
  it("lists every problem in one message, field rules and rules between fields alike", async () => {
    let config = withValue(base, "ftp.users.1.name", "root");
    config = withValue(config, "http.port", 21);
    config = withValue(config, "http.locations.0.path", "/a b/");
    const failed = await programFailure(config);
    expect(failed.message).toMatch(/^Invalid stack config for video-server \(stack test\):\n/);
    expect(problems(failed)).toEqual([
      "  - http.locations[0].path: must be a URL prefix like /videos/ (letters, digits, '.', '_', '-'; starts and ends with '/') (match ^(\\/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+\\/$)",
      "  - http.port: 21 is also ftp.port",
      "  - ftp.users[1].name: 'root' is reserved (root, ftp, nginx, www-data, nobody, vsftpd-media, daemon)",
    ]);
    expect(failed.resources).toHaveLength(0);
  });

  it("says how to set an object key that holds a plain string", async () => {
    const failed = await programFailure({ ...base, ftp: "port=21" });
    expect(problems(failed)).toContain(
      "  - ftp: must be an object (set fields with `pulumi config set --path ftp.<field> <value>`)",
    );
    expect(failed.resources).toHaveLength(0);
  });
});
