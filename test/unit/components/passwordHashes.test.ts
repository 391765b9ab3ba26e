/**
 * PasswordHashes on its own, under mocks: one hash command per bucket of users, not per user, so
 * the resources a `pulumi up` registers stop growing with the users; and scripts/bcrypt.js, the
 * command itself, prints what the mocks compute in process.
 */
import { execFileSync } from "node:child_process";
import {
  HASH_BUCKETS,
  HASH_COMMAND,
  hashBucket,
  hashCommandOutput,
  hashInput,
  hashPassword,
  parseHashOutput,
  saltFor,
} from "../../../containerFiles";
import { PROJECT_DIR, runMocked, type ProgramRun } from "../../support/program";
import { parseConfig, threeUserConfig } from "../../support/stacks";

const spec = parseConfig(threeUserConfig(), "dev").spec;
/** More users than buckets, so some share one. HTTP's bcrypt cost (5) keeps the hashing quick. */
const NAMES = Array.from({ length: 40 }, (_, i) => `user-${i}`);
const passwordsOf = (names: readonly string[], suffix = "") =>
  Object.fromEntries(names.map((n) => [n, `password-of-${n}${suffix}`]));

function declare(names: readonly string[], passwords: Record<string, string>): Promise<ProgramRun> {
  return runMocked(async () => {
    const { PasswordHashes } = await import("../../../components/passwordHashes");
    const { hashes } = new PasswordHashes("h", { spec, service: "http", names, passwords });
    return { hashes };
  });
}

const commands = (run: ProgramRun) => run.resources.filter((r) => r.type === "command:local:Command");
const inputsByName = (run: ProgramRun) =>
  Object.fromEntries(commands(run).map((r) => [r.name, JSON.stringify(r.inputs)]));

describe("PasswordHashes", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(NAMES, passwordsOf(NAMES));
  });

  it("declares one command per bucket in use, at most HASH_BUCKETS for any number of users", () => {
    const used = new Set(NAMES.map(hashBucket));
    expect(used.size).toBeLessThanOrEqual(HASH_BUCKETS);
    expect(
      commands(run)
        .map((r) => r.name)
        .sort(),
    ).toEqual([...used].map((b) => `h-bucket-${b}`).sort());
  });

  it("feeds each command its bucket's users, sorted by name, as salt and password lines on a secret stdin", () => {
    for (const r of commands(run)) {
      const users = NAMES.filter((n) => `h-bucket-${hashBucket(n)}` === r.name).sort();
      expect(r.inputs).toEqual({
        create: HASH_COMMAND,
        addPreviousOutputInEnv: false,
        stdin: hashInput(
          users.map((u) => saltFor(spec, "http", u)),
          users.map((u) => `password-of-${u}`),
        ),
        logging: "none",
      });
      expect(r.secretPaths).toEqual(["stdin"]);
    }
  });

  it("gives every user the hash of its own password with its own salt, keyed in the order of the names", () => {
    const hashes = run.outputs.hashes as Record<string, string>;
    expect(Object.keys(hashes)).toEqual(NAMES);
    for (const n of NAMES) expect(hashes[n]).toBe(hashPassword(`password-of-${n}`, saltFor(spec, "http", n)));
    expect(run.secretOutputs).toEqual(["hashes"]);
  });

  it("changes only the command of a new user's bucket when a user is added", async () => {
    const added = await declare([...NAMES, "newcomer"], passwordsOf([...NAMES, "newcomer"]));
    const before = inputsByName(run);
    const after = inputsByName(added);
    const changed = Object.keys(after).filter((name) => before[name] !== after[name]);
    expect(changed).toEqual([`h-bucket-${hashBucket("newcomer")}`]);
  });

  it("declares the same commands whatever the order of the names", async () => {
    const reversed = await declare([...NAMES].reverse(), passwordsOf(NAMES));
    expect(inputsByName(reversed)).toEqual(inputsByName(run));
  });

  it("fails, naming the service and user, when a user has no password", async () => {
    await expect(declare(["alice", "bob"], passwordsOf(["alice"]))).rejects.toThrow(
      "PasswordHashes: no http password for user 'bob'",
    );
  });
});

describe("scripts/bcrypt.js", () => {
  // Cost 5 (the HTTP cost) keeps the real command quick; FTP's lines differ only in the cost.
  const salts = ["alice", "bob"].map((u) => saltFor(spec, "http", u));
  const input = hashInput(salts, ["a password with spaces", "second-password"]);

  it("prints one hash per line, the same bcrypt the mocks compute in process", () => {
    const printed = execFileSync(process.execPath, ["scripts/bcrypt.js"], {
      cwd: PROJECT_DIR,
      input,
    }).toString();
    expect(printed).toBe(hashCommandOutput(input));
    expect(parseHashOutput(printed, ["alice", "bob"])).toEqual({
      alice: hashPassword("a password with spaces", salts[0]),
      bob: hashPassword("second-password", salts[1]),
    });
  });

  it("refuses a line without a salt, printing its usage and exiting 2", () => {
    const run = () =>
      execFileSync(process.execPath, ["scripts/bcrypt.js"], {
        cwd: PROJECT_DIR,
        input: "no salt",
        stdio: "pipe",
      });
    expect(run).toThrow(expect.objectContaining({ status: 2 }));
  });
});

describe("parseHashOutput", () => {
  const hash = hashPassword("password-1", saltFor(spec, "http", "alice"));

  it("refuses output with fewer hashes than users, rather than shifting users onto others' hashes", () => {
    expect(() => parseHashOutput(hash, ["alice", "bob"])).toThrow("printed no 2 bcrypt hashes");
  });

  it("refuses a line that is not a bcrypt hash", () => {
    expect(() => parseHashOutput(`${hash}\nnot a hash`, ["alice", "bob"])).toThrow("bcrypt hashes");
  });
});
