/** What the benchmark reads from wrk and curl, and the baseline config it derives. */
import * as fs from "node:fs";
import { BASELINE_CONF, renderBaselineConf } from "../../bench/baseline";
import { aggregateMBps, parseCurlWriteOut } from "../../bench/transfers";
import { parseWrkOutput, wrkFigures } from "../../bench/wrk";
import { WEB_CONTAINER_LAYOUT } from "../../spec";
import { withFlags } from "../../bench/dockerProxy";
import { renderCaddyfile, renderCeilingConf } from "../../bench/peers";
import { cpuFigures } from "../../bench/stats";
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

describe("the bench's peers", () => {
  it("renders a ceiling nginx with sendfile, no logs and one alias of the media folder", () => {
    const conf = renderCeilingConf(
      { pidFile: "/b/nginx.pid", errorLog: "/b/error.log", listen: "127.0.0.1:2001", tempPrefix: "/b/tmp" },
      "/b/media",
    );
    expect(conf).toContain("listen 127.0.0.1:2001;");
    expect(conf).toContain("alias /b/media/;");
    expect(conf).toContain("access_log off;");
    expect(conf).toContain("sendfile on;");
    expect(conf).toContain("client_body_temp_path /b/tmp/client_body;");
    expect(conf.match(/location /g)).toHaveLength(1);
    expect(conf).not.toMatch(/add_header|include|autoindex/);
  });

  it("renders a Caddyfile serving the folder with listings on one address, no admin, no HTTPS", () => {
    const file = renderCaddyfile({ host: "127.0.0.1", port: 2002 }, "/b/media", "/b/caddy/data");
    expect(file).toContain("http://127.0.0.1:2002 {");
    expect(file).toContain("\tbind 127.0.0.1");
    expect(file).toContain("\troot * /b/media");
    expect(file).toContain("\tfile_server browse");
    expect(file).toMatch(/\tadmin off\n\tauto_https off\n/);
    expect(file).toContain("\tstorage file_system /b/caddy/data");
  });
});

describe("the deployed path's docker-proxy copy", () => {
  it("replaces the host address and port of dockerd's command line, and refuses a missing flag", () => {
    const argv = [
      "/usr/sbin/docker-proxy",
      "-proto",
      "tcp",
      "-host-ip",
      "10.1.2.1",
      "-host-port",
      "8080",
      "-container-ip",
      "172.17.0.2",
      "-container-port",
      "80",
    ];
    expect(withFlags(argv, { "-host-ip": "127.0.0.1", "-host-port": "2003" })).toEqual([
      ...argv.slice(0, 4),
      "127.0.0.1",
      "-host-port",
      "2003",
      ...argv.slice(7),
    ]);
    expect(() => withFlags(argv.slice(0, 3), { "-host-ip": "127.0.0.1" })).toThrow("no -host-ip");
  });
});

describe("CPU per byte and per request", () => {
  it("divides the server's CPU seconds by the bytes (per 10^9) and the responses (per 1,000)", () => {
    expect(cpuFigures(0.5, 2e9, 500)).toEqual({ cpu_s_per_gb: 0.25, cpu_s_per_1000_requests: 1 });
    expect(() => cpuFigures(0.5, 0, 1)).toThrow("no CPU per byte");
  });
});
