/**
 * `node main.js <settings.json>`: the media worker's entry point. SIGTERM (docker stop) lets
 * running jobs finish for up to 20 s, saves the state and exits 0; the container's stop timeout
 * must be longer than that.
 */
import { log } from "./events";
import { readSettings, SettingsError } from "./loadSettings";
import { startWorker } from "./worker";

async function main(args: readonly string[]): Promise<number> {
  if (args.length !== 1) {
    process.stderr.write("usage: node main.js <settings.json>\n");
    return 1;
  }
  const settings = readSettings(args[0]);
  const worker = await startWorker(settings);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping`);
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  await worker.stop();
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const message =
        e instanceof SettingsError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`video-server-worker: ${message}\n`);
      process.exit(1);
    },
  );
}
