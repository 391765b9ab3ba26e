/**
 * npm run render -- --stack <name> --out <dir>
 *
 * Writes what the stack's containers would receive: <dir>/ftp/<path>, <dir>/web/<path>, and the
 * derived Spec as <dir>/spec.json. Secrets are placeholders (scripts/placeholders.ts).
 * Exit codes: 0 written, 1 the stack cannot be rendered, 2 bad arguments.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../spec";
import { RenderError, renderStack, writeRendered, type Rendered } from "./renderStack";

export const USAGE = "usage: npm run render -- --stack <name> --out <dir>";
const PROJECT_DIR = path.resolve(__dirname, "..");

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

function summary(rendered: Rendered, outDir: string): string[] {
  const { source, files, scrubbed } = rendered;
  const lines = [
    `Rendered stack ${source.stack} (${source.file}) into ${outDir}:`,
    ...files.map((f) => `  ${f.path}`),
  ];
  if (source.substitutions.length > 0) {
    lines.push("Placeholders stood in for these secrets (the files hold [secret] wherever a secret goes):");
    const why = { encrypted: "encrypted in the stack file", missing: "not set; pulumi up requires it" };
    lines.push(...source.substitutions.map((s) => `  ${s.path} (${why[s.reason]})`));
  }
  for (const key of source.ignoredKeys)
    lines.push(`Note: ${key} is not a setting the program reads; it is ignored.`);
  for (const file of scrubbed)
    lines.push(`Note: a configured secret value appeared in ${file} and was replaced by [secret].`);
  return lines;
}

export function main(argv: readonly string[], io: Io = consoleIo, projectDir: string = PROJECT_DIR): number {
  let stack: string | undefined;
  let out: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { stack: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    ({ stack, out } = values);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (!stack || !out) {
    io.err(`${!stack ? "--stack" : "--out"} is required\n${USAGE}`);
    return 2;
  }
  try {
    const rendered = renderStack(projectDir, stack);
    const outDir = path.resolve(out);
    writeRendered(outDir, rendered);
    for (const line of summary(rendered, outDir)) io.out(line);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RenderError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
