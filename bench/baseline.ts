/**
 * The baseline: bench/baseline-nginx.conf with the services tier's substitutions, made with the
 * host layout of test/support/layout.ts, so it differs from its container form exactly as the
 * generated config does: listen 127.0.0.1:<port>, the media root in the temp dir, and pid, logs and
 * temp paths in a folder of its own. Lines the original left to compiled-in defaults (pid, logs,
 * temp paths) are written out with the host paths; nothing else changes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTAINER_MEDIA_ROOT, WEB_CONTAINER_LAYOUT, type WebLayout } from "../spec";

export const BASELINE_CONF = path.join(__dirname, "baseline-nginx.conf");

/** nginx's temp folders, as the generated config relocates them under layout.tempPrefix. */
const TEMP_PATHS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"];

export function renderBaselineConf(template: string, layout: WebLayout): string {
  const http = [
    `    include ${layout.mimeTypesFile};`,
    `    access_log ${layout.accessLog};`,
    ...TEMP_PATHS.map((t) => `    ${t}_temp_path ${layout.tempPrefix}/${t};`),
  ];
  const edits: readonly { from: string; to: string; count: number }[] = [
    {
      from: "worker_processes auto;\n",
      to: `worker_processes auto;\npid ${layout.pidFile};\nerror_log ${layout.errorLog};\n`,
      count: 1,
    },
    // A relative include is read next to nginx.conf, which moved to the temp dir.
    { from: "    include mime.types;", to: http.join("\n"), count: 1 },
    { from: `listen ${WEB_CONTAINER_LAYOUT.listen};`, to: `listen ${layout.listen};`, count: 1 },
    { from: `root ${CONTAINER_MEDIA_ROOT};`, to: `root ${layout.mediaRoot};`, count: 2 },
  ];
  let conf = template;
  for (const e of edits) {
    const found = conf.split(e.from).length - 1;
    if (found !== e.count) {
      throw new Error(
        `${BASELINE_CONF}: expected '${e.from.trim()}' ${e.count} time(s), found ${found}; update bench/baseline.ts`,
      );
    }
    conf = conf.split(e.from).join(e.to);
  }
  return conf;
}

export function writeBaselineConf(layout: WebLayout): void {
  fs.mkdirSync(layout.tempPrefix, { recursive: true, mode: 0o755 });
  fs.writeFileSync(layout.configFile, renderBaselineConf(fs.readFileSync(BASELINE_CONF, "utf8"), layout), {
    mode: 0o644,
  });
}
