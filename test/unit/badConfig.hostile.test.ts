/**
 * Bad config, field by field: the program stops before declaring any resource, with a message
 * naming the config path. The messages are kept under snapshot, so a change in wording is seen.
 */
import { parseSpec } from "../../spec";
import { PROJECT, PROJECT_DIR, ProgramFailed, runProgram, type StackConfig } from "../support/program";
import { badCases, typeCases, valueCases } from "./badConfigCases";
import { configFields, dottedAtFirst } from "./configFields";
import { everyFieldConfig } from "./everyField";

async function failure(config: StackConfig): Promise<ProgramFailed> {
  const outcome = await runProgram(config, { stack: "reliability" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof ProgramFailed))
    throw new Error("expected the program to reject the config, but it ran");
  return outcome;
}

const valueAt = (config: StackConfig, dotted: string): unknown =>
  dotted
    .split(".")
    .reduce<unknown>(
      (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      config,
    );

describe("the bad-config matrix", () => {
  it("starts from a valid config that sets every field of the schema", () => {
    const base = everyFieldConfig();
    const unset = configFields().filter((f) => valueAt(base, dottedAtFirst(f.path)) === undefined);
    expect(unset.map((f) => f.path)).toEqual([]);
    expect(() =>
      parseSpec(base, { project: PROJECT, stack: "reliability", projectDir: PROJECT_DIR }),
    ).not.toThrow();
  });

  it("has a wrong-type case for every field, and a refused value for every string and number field", () => {
    const fields = configFields();
    const typed = new Set(typeCases().map((c) => c.field));
    const valued = new Set(valueCases().map((c) => c.field));
    expect(fields.filter((f) => !typed.has(f.path)).map((f) => f.path)).toEqual([]);
    const needValue = fields.filter(
      (f) => (f.kind === "string" || f.kind === "number") && !valued.has(f.path),
    );
    expect(needValue.map((f) => f.path)).toEqual([]);
    expect(badCases().length).toBeGreaterThanOrEqual(40);
  });

  it("gives every case its own name", () => {
    const titles = badCases().map((c) => c.title);
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
  });
});

describe("a bad stack config", () => {
  test.each(badCases().map((c) => [c.title, c] as const))(
    "is refused before any resource is declared: %s",
    async (_title, c) => {
      const failed = await failure(c.config);
      expect(failed.resources).toHaveLength(0);
      // The spec module's own error, not a crash on the way.
      expect(failed.cause instanceof Error ? failed.cause.name : typeof failed.cause).toBe("ConfigError");
      expect(failed.message).toMatch(/^Invalid stack config for video-server \(stack reliability\):\n/);
      expect(failed.message.split("\n")).toContainEqual(
        expect.stringMatching(new RegExp(`^  - ${escapeRegExp(c.at)}: `)),
      );
      expect(failed.message).toMatchSnapshot();
    },
  );
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
