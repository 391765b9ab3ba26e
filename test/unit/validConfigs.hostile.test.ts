/**
 * The arbitrary of valid stack configs (test/support/arbitraries.ts) draws only configs the spec
 * module accepts, so the services tier's properties over it start servers, not error messages.
 */
import fc from "fast-check";
import { SEED, validConfig } from "../support/arbitraries";
import { parseConfig } from "../support/stacks";

describe("any valid stack config", () => {
  it("is accepted by the spec module as drawn", () => {
    fc.assert(
      fc.property(validConfig(), (config) => {
        expect(() => parseConfig(config)).not.toThrow();
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
