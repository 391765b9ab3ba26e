/**
 * The media worker as the services tier runs it: worker/src compiled with the project's
 * TypeScript (as the image build compiles it) into a cache folder keyed by the sources' hash,
 * then run by jest's own Node with the rendered settings.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "./project";
import { startServer, type Server } from "./processes";

const SOURCES = path.join(PROJECT_DIR, "worker");

function sourceHash(): string {
  const hash = createHash("sha256");
  const files = [
    "tsconfig.json",
    ...fs
      .readdirSync(path.join(SOURCES, "src"))
      .filter((f) => f.endsWith(".ts"))
      .sort()
      .map((f) => `src/${f}`),
  ];
  for (const f of files) hash.update(f).update(fs.readFileSync(path.join(SOURCES, f)));
  return hash.digest("hex").slice(0, 16);
}

/** The compiled worker's main.js, compiled once per version of its sources. */
export function compiledWorker(): string {
  const out = path.join(os.tmpdir(), `video-server-worker-${sourceHash()}`);
  const main = path.join(out, "main.js");
  if (fs.existsSync(main)) return main;
  const tsc = path.join(PROJECT_DIR, "node_modules", "typescript", "bin", "tsc");
  const scratch = `${out}.${process.pid}`;
  execFileSync(process.execPath, [tsc, "-p", path.join(SOURCES, "tsconfig.json"), "--outDir", scratch], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Another jest worker may have finished first; either copy is the same.
  fs.renameSync(scratch, out);
  return main;
}

export function startWorker(settingsFile: string): Server {
  return startServer("worker", process.execPath, [compiledWorker(), settingsFile], []);
}
