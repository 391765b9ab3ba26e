/** What the benchmark reads from wrk and curl, and the baseline config it derives. */
import * as fs from "node:fs";
import { BASELINE_CONF, renderBaselineConf } from "../../bench/baseline";
import { aggregateMBps, parseCurlWriteOut } from "../../bench/transfers";
import { parseWrkOutput, wrkFigures } from "../../bench/wrk";
import { WEB_CONTAINER_LAYOUT } from "../../spec";
import { hostDirs, hostWebLayout } from "../support/layout";

const WRK_STDOUT = [
  "Running 2s test @ http://127.0.0.1:21984/videos/stream.mp4",
  "  2 threads and 100 connections",
  "Requests/sec:   3428.10",
  'WRK_JSON {"requests":6856,"bytes":7190000000,"duration_us":2000000,' +
    '"errors":{"connect":0,"read":1,"write":0,"status":2,"timeout":3},"latency_us":{"p50":20100,"p99":54000,"max":90000}}',
  "",
].join("\n");

describe("wrk output", () => {
  it("reads the totals line of bench/lua/report.lua among wrk's own output", () => {
    expect(parseWrkOutput(WRK_STDOUT)).toEqual({
      requests: 6856,
      bytes: 7_190_000_000,
      durationUs: 2_000_000,
      errors: 6,
      latencyUs: { p50: 20100, p99: 54000, max: 90000 },
    });
  });

  it("turns the totals into requests/s, MB/s and latency in ms", () => {
    expect(wrkFigures(parseWrkOutput(WRK_STDOUT))).toEqual({
      requests_per_s: 3428,
      throughput: 3595,
      latency_p50: 20.1,
      latency_p99: 54,
      errors: 6,
    });
  });

  it("fails with wrk's output when the totals line is missing", () => {
    expect(() => parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused\n")).toThrow(
      /no WRK_JSON line[\s\S]*Connection refused/,
    );
  });
});

describe("curl transfers", () => {
  it("times the data transfer from its start after login, offset by when curl was spawned", () => {
    expect(parseCurlWriteOut("226 0 1073741824 0.100000 1.100000", 0.5)).toEqual({
      status: 226,
      bytes: 1073741824,
      startS: 0.6,
      endS: 1.6,
    });
  });

  it("refuses --write-out output it does not understand", () => {
    expect(() => parseCurlWriteOut("curl: (7) Failed to connect", 0)).toThrow(
      "unexpected curl --write-out output",
    );
  });

  it("adds the bytes of simultaneous transfers over the span from the first start to the last end", () => {
    const t = (startS: number, endS: number) => ({ status: 200, bytes: 1e6, startS, endS });
    expect(aggregateMBps([t(0, 1), t(0.5, 2)])).toBe(1);
  });
});

describe("the baseline nginx config", () => {
  const dirs = hostDirs("/tmp/bench-x/baseline");
  const layout = hostWebLayout(
    { ...dirs, media: "/tmp/bench-x/media" },
    { ftp: 1, http: 20001, status: 2, https: 4, metrics: 5, passiveMin: 3, passiveMax: 3 },
  );
  const conf = renderBaselineConf(fs.readFileSync(BASELINE_CONF, "utf8"), layout);

  it("keeps the original directives and nothing the generator adds", () => {
    for (const line of [
      "worker_processes auto;",
      "worker_connections 1024;",
      "default_type application/octet-stream;",
      "sendfile on;",
      "keepalive_timeout 65;",
      "autoindex on;",
    ]) {
      expect(conf).toContain(line);
    }
    for (const directive of [
      "tcp_nopush",
      "aio",
      "directio",
      "add_header",
      "server_tokens",
      "mp4",
      "limit_",
    ]) {
      expect(conf).not.toContain(directive);
    }
  });

  it("makes the services tier's substitutions: listen, media root, mime.types, pid, logs, temp paths", () => {
    expect(conf).toContain("listen 127.0.0.1:20001;");
    expect(conf.match(/root \/tmp\/bench-x\/media;/g)).toHaveLength(2);
    expect(conf).toContain(`include ${WEB_CONTAINER_LAYOUT.mimeTypesFile};`);
    expect(conf).toContain(`pid ${layout.pidFile};`);
    expect(conf).toContain(`error_log ${layout.errorLog};`);
    expect(conf).toContain(`access_log ${layout.accessLog};`);
    expect(conf).toContain(`client_body_temp_path ${layout.tempPrefix}/client_body;`);
    expect(conf).not.toMatch(/listen 80;|\/srv\/media/);
  });

  it("fails loudly when the baseline file changes shape", () => {
    expect(() => renderBaselineConf("worker_processes auto;\n", layout)).toThrow("update bench/baseline.ts");
  });
});
