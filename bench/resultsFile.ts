/** Writing a bench's results file. */
import * as fs from "node:fs";
import * as prettier from "prettier";

/** Writes `value` as JSON in prettier's form, so `npm run format:check` passes on a fresh file. */
export async function writeResultsFile(file: string, value: unknown): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, filepath: file }));
}
