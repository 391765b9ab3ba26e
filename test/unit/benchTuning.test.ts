/** bench/tuningVariants.ts: each variant changes the generated nginx.conf in exactly the line it names. */
import { BENCH_STACK } from "../../bench/env";
import { applyVariant, relocate, TUNING_VARIANTS } from "../../bench/tuningVariants";
import { renderNginxConf } from "../../nginx/conf";
import { parseSpec } from "../../spec";
import { hostDirs, hostWebLayout, withHostValues } from "../support/layout";
import { PROJECT, PROJECT_DIR } from "../support/project";

const PORTS = {
  ftp: 2000,
  http: 2001,
  status: 2002,
  https: 2003,
  metrics: 2004,
  passiveMin: 2005,
  passiveMax: 2024,
};
const DIRS = hostDirs("/tmp/bench-tuning-x");

/** The bench stack's nginx.conf as the services harness writes it. */
function generated(): string {
  const { spec } = parseSpec(withHostValues(BENCH_STACK, PORTS, DIRS), {
    project: PROJECT,
    stack: "bench",
    projectDir: PROJECT_DIR,
  });
  return renderNginxConf(spec.http, hostWebLayout(DIRS, PORTS));
}

const lineDiff = (a: string, b: string) => {
  const before = new Set(a.split("\n"));
  const after = new Set(b.split("\n"));
  return {
    removed: [...before].filter((l) => !after.has(l)),
    added: [...after].filter((l) => !before.has(l)),
  };
};

describe("tuning variants of the generated nginx.conf", () => {
  const conf = generated();

  it.each(TUNING_VARIANTS.map((v) => [v.name, v] as const))(
    "%s changes only its own lines",
    (_name, variant) => {
      const changed = applyVariant(conf, variant);
      expect(changed).not.toBe(conf);
      const { removed, added } = lineDiff(conf, changed);
      // One directive at a time: at most two lines out, at most three in, and something changed.
      expect(removed.length).toBeLessThanOrEqual(2);
      expect(removed.length + added.length).toBeGreaterThanOrEqual(1);
      expect(added.length).toBeLessThanOrEqual(3);
    },
  );

  it("writes the directives each variant names", () => {
    const by = Object.fromEntries(TUNING_VARIANTS.map((v) => [v.name, applyVariant(conf, v)]));
    expect(conf).toMatch(/worker_rlimit_nofile 12288;\n[\s\S]*worker_connections 4096;/);
    expect(by.connections_1024).toContain("worker_connections 1024;");
    expect(by.connections_1024).not.toContain("worker_rlimit_nofile");
    expect(by.reuseport.match(/ reuseport;/g)).toHaveLength(2);
    expect(by.open_file_cache).toMatch(/^http \{\n {4}open_file_cache max=10000 inactive=30s;/m);
    expect(by.open_file_cache).not.toContain("open_file_cache_errors");
    expect(conf).toMatch(/^ {4}access_log \S+ combined buffer=4k flush=1s;$/m);
    expect(by.access_log_unbuffered).toMatch(/^ {4}access_log \S+\/access\.log;$/m);
    expect(by.access_log_off).toMatch(/^ {4}access_log off;$/m);
    expect(conf).not.toContain("aio threads;");
    expect(by.aio_threads).toContain("            mp4;\n            aio threads;\n");
  });

  it("fails loudly when the generated file no longer has the line a variant edits", () => {
    const variant = TUNING_VARIANTS.find((v) => v.name === "keepalive_requests_10000");
    if (!variant) throw new Error("the keepalive variant is gone");
    expect(() => applyVariant(conf.replace("keepalive_timeout 65;", ""), variant)).toThrow(
      "update bench/tuningVariants.ts",
    );
  });

  it("moves a copy to a folder and ports of its own", () => {
    const moved = relocate(
      conf,
      { dir: DIRS.nginx, ports: [PORTS.http, PORTS.status] },
      { dir: "/tmp/other", ports: [3001, 3002] },
    );
    expect(moved).not.toContain(`${DIRS.nginx}/`);
    expect(moved).toContain("pid /tmp/other/nginx.pid;");
    expect(moved).toContain("listen 127.0.0.1:3001;");
    expect(moved).toContain("listen 127.0.0.1:3002;");
    expect(moved).not.toMatch(/listen 127\.0\.0\.1:200[12];/);
    expect(() => relocate(conf, { dir: DIRS.nginx, ports: [9] }, { dir: "/x", ports: [1] })).toThrow(
      "no listen on port 9",
    );
  });
});
