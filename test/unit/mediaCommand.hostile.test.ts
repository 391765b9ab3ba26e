/**
 * media.hostPath is the one config value that reaches a shell: MediaStore's `mkdir` command.
 * For any string, the spec module refuses it naming the field, or MediaStore's command holds it
 * (normalised) as one single-quoted word, and its volume binds exactly that folder. That a
 * refused config declares no resource at all is the bad-config matrix's claim.
 */
import fc from "fast-check";
import { ConfigError, type Spec } from "../../spec";
import { SEED } from "../support/arbitraries";
import { runMocked, type DeclaredResource } from "../support/program";
import { parseConfig, withValue } from "../support/stacks";
import { anyStringFor, INJECTION_BASE, STRING_FIELDS } from "./stringFields";

const RUNS = 12;
const hostPathField = STRING_FIELDS.find((f) => f.path === "media.hostPath");

/** MediaStore alone under mocks: what it declares, and the folder it settled on. */
async function declareStore(spec: Spec): Promise<{ resources: readonly DeclaredResource[]; folder: string }> {
  let folder = "";
  const { resources } = await runMocked(async () => {
    const { MediaStore } = await import("../../components/mediaStore");
    folder = new MediaStore("store", { spec }).hostPath;
    return {};
  });
  return { resources, folder };
}

describe("any string as media.hostPath", () => {
  it(`is refused naming the field, or is one single-quoted word of the mkdir command (${RUNS} strings)`, async () => {
    if (!hostPathField) throw new Error("stringFields.ts lost media.hostPath");
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(anyStringFor(hostPathField), async (hostPath) => {
        let spec: Spec;
        try {
          spec = parseConfig(withValue(INJECTION_BASE, "media.hostPath", hostPath), "hostile").spec;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          seen.refused++;
          expect(e.problems.some((p) => p.startsWith("media.hostPath: "))).toBe(true);
          return;
        }
        seen.accepted++;
        const { resources, folder } = await declareStore(spec);
        const mkdir = resources.filter((r) => r.type === "command:local:Command").map((r) => r.inputs.create);
        const volume = resources.find(
          (r) => r.type === "docker:index/volume:Volume" && r.name.endsWith("-media"),
        )?.inputs.driverOpts;
        expect(folder).not.toMatch(/['\\\s]/);
        expect(mkdir).toEqual([`mkdir -p -- '${folder}'`]);
        expect(volume).toEqual({ type: "none", o: "bind", device: folder });
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
