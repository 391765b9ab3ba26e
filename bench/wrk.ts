/**
 * HTTP load with wrk (Debian's): a load generator in Node would be the bottleneck on two cores.
 * Each script is bench/lua/report.lua (totals as JSON) followed by the workload's script.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HttpTarget } from "./env";
import { runOk } from "./exec";
import { cpuFigures, type CpuFigures } from "./stats";

const LUA = path.join(__dirname, "lua");

export interface WrkTotals {
  readonly requests: number;
  readonly bytes: number;
  readonly durationUs: number;
  /** Responses with status ≥ 400, plus connect, read, write errors and timeouts. */
  readonly errors: number;
  readonly latencyUs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface WrkFigures {
  readonly requests_per_s: number;
  readonly throughput: number;
  readonly latency_p50: number;
  readonly latency_p99: number;
  readonly errors: number;
}

const MARKER = "WRK_JSON ";

/** The totals line report.lua prints; throws with wrk's output when it is missing. */
export function parseWrkOutput(stdout: string): WrkTotals {
  const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no ${MARKER.trim()} line:\n${stdout.slice(-2000)}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as {
    requests: number;
    bytes: number;
    duration_us: number;
    errors: Record<"connect" | "read" | "write" | "status" | "timeout", number>;
    latency_us: { p50: number; p99: number; max: number };
  };
  const errors = Object.values(raw.errors).reduce((s, e) => s + e, 0);
  return {
    requests: raw.requests,
    bytes: raw.bytes,
    durationUs: raw.duration_us,
    errors,
    latencyUs: raw.latency_us,
  };
}

/** Requests/s, MB/s (10^6 bytes), latency in ms. */
export function wrkFigures(t: WrkTotals): WrkFigures {
  const seconds = t.durationUs / 1e6;
  return {
    requests_per_s: t.requests / seconds,
    throughput: t.bytes / 1e6 / seconds,
    latency_p50: t.latencyUs.p50 / 1000,
    latency_p99: t.latencyUs.p99 / 1000,
    errors: t.errors,
  };
}

export const WRK_UNITS: Record<keyof WrkFigures, string> = {
  requests_per_s: "req/s",
  throughput: "MB/s",
  latency_p50: "ms",
  latency_p99: "ms",
  errors: "count",
};

export interface WrkRun {
  readonly server: HttpTarget;
  readonly urlPath: string;
  readonly connections: number;
  readonly seconds: number;
  readonly script: "ranges" | "paths";
  readonly scriptArgs: readonly string[];
  /** Where the combined script is written. */
  readonly tmpDir: string;
}

/** wrk's totals for one run; one thread, on the client core (or in a test host). */
export async function runWrkTotals(w: WrkRun): Promise<WrkTotals> {
  const script = path.join(w.tmpDir, `wrk-${w.script}.lua`);
  const text = [
    fs.readFileSync(path.join(LUA, "report.lua"), "utf8"),
    fs.readFileSync(path.join(LUA, `${w.script}.lua`), "utf8"),
  ];
  fs.writeFileSync(script, text.join("\n"));
  const args = [
    ...["-t", "1", "-c", String(w.connections), "-d", `${w.seconds}s`, "--timeout", "10s", "-s", script],
    `http://${w.server.host}:${w.server.port}${w.urlPath}`,
    "--",
    ...w.scriptArgs,
  ];
  const [command, full] = w.server.client("wrk", args);
  const done = await runOk(command, full, { timeoutMs: (w.seconds + 30) * 1000 });
  return parseWrkOutput(done.stdout);
}

/** One wrk run and what the server spent on it (its CPU before and after). */
export async function runWrk(w: WrkRun): Promise<WrkFigures & CpuFigures> {
  const before = w.server.cpu();
  const totals = await runWrkTotals(w);
  return { ...wrkFigures(totals), ...cpuFigures(w.server.cpu() - before, totals.bytes, totals.requests) };
}

export const WRK_CPU_UNITS = { ...WRK_UNITS, cpu_s_per_gb: "s/GB", cpu_s_per_1000_requests: "s/1000 req" };
