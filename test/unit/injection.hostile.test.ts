/**
 * For any string in any string field: the spec module refuses it (naming the field), or the
 * files the containers receive hold it exactly where they hold a harmless canary value, inside
 * one nginx word or one vsftpd value, and nowhere else.
 */
import * as bcrypt from "bcryptjs";
import fc from "fast-check";
import { FTP_CONTAINER_LAYOUT, WEB_CONTAINER_LAYOUT, type ContainerFile } from "../../spec";
import { ConfigError } from "../../spec";
import { SEED } from "../support/arbitraries";
import { parseConfig } from "../support/stacks";
import { configFields, messagePathAtFirst } from "./configFields";
import { compareRenderings, renderFiles } from "./renderedFiles";
import { anyStringFor, STRING_FIELDS, type StringField } from "./stringFields";

// bcrypt is a pure function of password and salt: memoizing it changes no byte of any file and
// keeps a hundred renderings per field fast (each FTP hash costs ~80 ms); each distinct password
// is hashed for real once.
jest.mock("bcryptjs", () => {
  const real = jest.requireActual<typeof import("bcryptjs")>("bcryptjs");
  const memo = new Map<string, string>();
  const hashSync = (password: string, salt: string): string => {
    const key = `${salt}\0${password}`;
    const hash = memo.get(key) ?? real.hashSync(password, salt);
    memo.set(key, hash);
    return hash;
  };
  return { ...real, hashSync };
});

const canaryFiles = new Map<string, ContainerFile[]>();
function renderedCanary(field: StringField, canary: string): ContainerFile[] {
  const key = `${field.path}\0${canary}`;
  const files = canaryFiles.get(key) ?? renderFiles(parseConfig(field.place(canary)));
  canaryFiles.set(key, files);
  return files;
}

/**
 * The user's line in the password file verifies the password: it is bcrypt of the password with
 * the salt the line carries (what bcrypt's compare computes). Through the memo this costs nothing
 * when the renderer hashed exactly this password, and a real hash that differs when it did not.
 */
function hashVerifies(files: readonly ContainerFile[], service: "ftp" | "http", password: string): boolean {
  const file = service === "ftp" ? FTP_CONTAINER_LAYOUT.passwordFile : WEB_CONTAINER_LAYOUT.htpasswdFile;
  const line = files.find((f) => f.file === file)?.content.split("\n")[0] ?? "";
  const hash = line.slice(line.indexOf(":") + 1);
  return /^\$2[aby]\$\d\d\$/.test(hash) && bcrypt.hashSync(password, hash.slice(0, 29)) === hash;
}

const totals = { accepted: 0, refused: 0 };
afterAll(() => {
  const tried = totals.accepted + totals.refused;
  process.stdout.write(
    `injection: ${tried} strings in ${STRING_FIELDS.length} fields, ${totals.accepted} accepted and placed, ${totals.refused} refused\n`,
  );
});

it("covers every string field of the schema", () => {
  const strings = configFields().filter((f) => f.kind === "string" || f.kind === "enum");
  expect(strings.map((f) => messagePathAtFirst(f.path)).sort()).toEqual(
    STRING_FIELDS.map((f) => f.path).sort(),
  );
});

describe.each(STRING_FIELDS.map((f) => [f.path, f] as const))("any string in %s", (path, field) => {
  it("is refused naming the field, or lands only where the canary does, inside one word", () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(anyStringFor(field), (value) => {
        let files: ContainerFile[];
        try {
          files = renderFiles(parseConfig(field.place(value)));
        } catch (e) {
          // Anything but the spec module's own error is a crash on that input.
          if (!(e instanceof ConfigError)) throw e;
          seen.refused++;
          expect(e.problems.some((p) => p.startsWith(`${path}: `))).toBe(true);
          return;
        }
        seen.accepted++;
        const canary = field.canary(value);
        const core = field.core ?? ((v: string) => v);
        expect(compareRenderings(renderedCanary(field, canary), files, core(canary), core(value))).toEqual(
          [],
        );
        if (field.secret) expect(hashVerifies(files, field.secret, value)).toBe(true);
      }),
      { seed: SEED, numRuns: field.secret === "ftp" ? 25 : 100 },
    );
    totals.accepted += seen.accepted;
    totals.refused += seen.refused;
    // Both sides of the property ran: it is not vacuous.
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
