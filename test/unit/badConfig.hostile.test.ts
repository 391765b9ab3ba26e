/**
 * Bad config, field by field: the program stops before declaring any resource, with a message
 * naming the config path and, for the hand-written cases, saying what the spec module says about
 * it. A wrong-type value is zod's to word; there only the path is checked.
 */
import { programFailure, type StackConfig } from "../support/program";
import { parseConfig } from "../support/stacks";
import { badCases, typeCases, valueCases, type BadCase } from "./badConfigCases";
import { configFields, dottedAtFirst } from "./configFields";
import { everyFieldConfig } from "./everyField";

const STACK = "hostile";

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
    expect(() => parseConfig(base, STACK)).not.toThrow();
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
  });

  it("gives every case its own name", () => {
    const titles = badCases().map((c) => c.title);
    expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
  });
});

/** The message's lines about `at`, without the "  - at: " in front. */
function linesAbout(message: string, at: string): string[] {
  const prefix = `  - ${at}: `;
  return message
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));
}

describe("a bad stack config", () => {
  test.each(badCases().map((c) => [c.title, c] as const))(
    "is refused before any resource is declared: %s",
    async (_title, c: BadCase) => {
      const failed = await programFailure(c.config, { stack: STACK });
      expect(failed.resources).toHaveLength(0);
      // The spec module's own error, not a crash on the way.
      expect(failed.cause instanceof Error ? failed.cause.name : typeof failed.cause).toBe("ConfigError");
      expect(failed.message).toMatch(/^Invalid stack config for video-server \(stack hostile\):\n/);
      const about = linesAbout(failed.message, c.at);
      expect({ at: c.at, named: about.length > 0 }).toEqual({ at: c.at, named: true });
      if (typeof c.message === "string") expect(about).toContainEqual(expect.stringContaining(c.message));
    },
  );
});
