/** Same config, same resource inputs: a second `pulumi up` has nothing to change. */
import { hashBucket } from "../../containerFiles";
import { runProgram, type ProgramRun } from "../support/program";
import { stackFileConfig, threeUserConfig, withValue } from "../support/stacks";

const inputsByName = (run: ProgramRun) => Object.fromEntries(run.resources.map((r) => [r.name, r.inputs]));

describe("determinism", () => {
  test.each([
    ["the dev stack", stackFileConfig("dev")],
    ["a three-user stack", threeUserConfig()],
  ])("declares byte-identical inputs on two runs of %s", async (_, config) => {
    const first = await runProgram(config, { stack: "dev", secretKeys: ["ftp"] });
    const second = await runProgram(config, { stack: "dev", secretKeys: ["ftp"] });
    expect(JSON.stringify(inputsByName(second))).toBe(JSON.stringify(inputsByName(first)));
  });

  it("declares the same inputs whatever the order of users and locations in the config", async () => {
    const config = threeUserConfig();
    const ftp = config.ftp as { users: unknown[] };
    const http = config.http as { locations: unknown[] };
    const shuffled = withValue(
      withValue(config, "ftp.users", [...ftp.users].reverse()),
      "http.locations",
      [...http.locations].reverse(),
    );
    const a = await runProgram(config);
    const b = await runProgram(shuffled);
    expect(JSON.stringify(inputsByName(b))).toBe(JSON.stringify(inputsByName(a)));
  });

  it("changes only the hash command of that user's bucket and the FTP container when a password changes", async () => {
    const before = inputsByName(await runProgram(threeUserConfig()));
    const after = inputsByName(
      await runProgram(withValue(threeUserConfig(), "ftp.users.0.password", "a-new-password-9")),
    );
    const changed = Object.keys(before).filter(
      (name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]),
    );
    expect(changed).toEqual([
      `video-server-ftp-hashes-bucket-${hashBucket("editor")}`,
      "video-server-ftp-container",
    ]);
  });
});
