/**
 * media.hostPath is the one config value that reaches a shell: MediaStore's `mkdir` command.
 * For any string, the program refuses it before declaring a resource, or the command holds it
 * (normalised) as one single-quoted word, and the volume binds exactly that folder.
 */
import fc from "fast-check";
import { ProgramFailed, runProgram, type ProgramRun } from "../support/program";
import { withValue } from "../support/stacks";
import { anyStringFor, INJECTION_BASE, STRING_FIELDS } from "./stringFields";
import { SEED } from "../support/arbitraries";

const RUNS = 12;
const hostPathField = STRING_FIELDS.find((f) => f.path === "media.hostPath");

describe("any string as media.hostPath", () => {
  it(`is refused before any resource, or is one single-quoted word of the mkdir command (${RUNS} programs)`, async () => {
    if (!hostPathField) throw new Error("stringFields.ts lost media.hostPath");
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(anyStringFor(hostPathField), async (hostPath) => {
        let run: ProgramRun;
        try {
          run = await runProgram(withValue(INJECTION_BASE, "media.hostPath", hostPath), {
            stack: "hostile",
          });
        } catch (e) {
          if (!(e instanceof ProgramFailed)) throw e;
          seen.refused++;
          expect(e.resources).toHaveLength(0);
          expect(e.message).toMatch(/\n {2}- media\.hostPath: /);
          return;
        }
        seen.accepted++;
        const folder = String(run.outputs.mediaHostPath);
        const mkdir = run.resources
          .filter((r) => r.type === "command:local:Command" && String(r.inputs.create).startsWith("mkdir"))
          .map((r) => r.inputs.create);
        const volume = run.resources.find((r) => r.type === "docker:index/volume:Volume")?.inputs.driverOpts;
        expect(folder).not.toMatch(/['\\\s]/);
        expect(mkdir).toEqual([`mkdir -p -- '${folder}'`]);
        expect(volume).toEqual({ type: "none", o: "bind", device: folder });
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, 120_000);
});
