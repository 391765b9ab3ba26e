/** The pipeline benchmark's figures: per-metric statistics over runs, and the printed table. Pure. */
import { round, summarize, type Stat } from "./stats";

/** One record of figures per run, such as { latency_ms: 412.3, polls: 19 }. */
export type Runs = Record<string, number>[];

/** A run's figures as the results file keeps them: three decimals, more than the machine resolves. */
export const rounded = (figures: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));

/** Median, min and max of every metric the runs have, rounded as a noisy machine warrants. */
export function summarizeRuns(runs: Runs): Record<string, Stat> {
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    metrics.map((m) => {
      const s = summarize(runs.map((r) => r[m]));
      const digits = Math.abs(s.median) >= 100 ? 0 : Math.abs(s.median) >= 1 ? 1 : 3;
      return [
        m,
        { median: round(s.median, digits), min: round(s.min, digits), max: round(s.max, digits), n: s.n },
      ];
    }),
  );
}

const shown = (s: Stat | undefined) => (s === undefined ? "" : `${s.median} (${s.min}–${s.max})`);

interface Latency {
  readonly bytes: number;
  readonly verified: Record<string, Stat>;
  readonly immediate: Record<string, Stat>;
}

interface Delivery {
  readonly idle: Record<string, Stat>;
  readonly busy: Record<string, Stat>;
  readonly busy_vs_idle: Record<string, number | null>;
}

interface HlsLadder {
  readonly source: { readonly seconds: number; readonly size: string };
  readonly host: Record<string, Stat>;
  readonly one_core: Record<string, Stat>;
  readonly one_core_vs_host: Record<string, number | null>;
}

interface HlsDelivery {
  readonly rendition: string;
  readonly files: number;
  readonly segments: Record<string, Stat>;
  readonly mp4: Record<string, Stat>;
  readonly segments_vs_mp4: Record<string, number | null>;
}

/** Rows as columns padded to their widest cell. */
function table(rows: readonly string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The tables run.ts-style benchmarks print: one row per figure, median (min–max). */
export function formatPipeline(file: {
  readonly upload_to_served: Record<string, unknown>;
  readonly delivery: Record<string, unknown>;
  readonly hls_ladder: Record<string, unknown>;
  readonly hls_delivery: Record<string, unknown>;
}): string {
  const rows: string[][] = [["figure", "unit", "verified | busy", "immediate | idle", "ratio"]];
  const row = (label: string, unit: string, a?: Stat, b?: Stat, r?: number | null) =>
    rows.push([label, unit, shown(a), shown(b), r === undefined ? "" : String(r)]);
  for (const [key, value] of Object.entries(file.upload_to_served)) {
    const { bytes, verified: v, immediate: i } = value as Latency;
    const file = `${key} (${bytes.toLocaleString("en")} B)`;
    row(`${file}: upload end → first 200`, "ms", v.latency_ms, i.latency_ms);
    row(`${file}: … → end of its body`, "ms", v.complete_ms, i.complete_ms);
    row(`${file}: upload end → metadata`, "ms", v.described_ms, i.described_ms);
  }
  const { busy, idle, busy_vs_idle: ratios } = file.delivery as unknown as Delivery;
  row("delivery, curl's speed", "MB/s", busy.mb_per_s, idle.mb_per_s, ratios.mb_per_s);
  row(
    "nginx CPU per GB delivered",
    "s/GB",
    busy.nginx_cpu_s_per_gb,
    idle.nginx_cpu_s_per_gb,
    ratios.nginx_cpu_s_per_gb,
  );
  row("the encode's share of core 0 meanwhile", "cores", busy.encoder_core_share);

  const ladder = file.hls_ladder as unknown as HlsLadder;
  const clip = `${ladder.source.size}, ${ladder.source.seconds} s`;
  const hls: string[][] = [["HLS figure", "unit", "1 core | segments", "host | MP4", "ratio"]];
  const hlsRow = (label: string, unit: string, a?: Stat, b?: Stat, r?: number | null) =>
    hls.push([label, unit, shown(a), shown(b), r === undefined || r === null ? "" : String(r)]);
  const { one_core: one, host, one_core_vs_host: vs } = ladder;
  hlsRow(`default ladder of ${clip}: metadata → hls`, "s", one.ladder_s, host.ladder_s);
  hlsRow(
    "encode factor (ladder s per source s)",
    "×",
    one.encode_factor,
    host.encode_factor,
    vs.encode_factor,
  );
  hlsRow("ffmpeg's wall time (worker metrics)", "s", one.metrics_encode_s, host.metrics_encode_s);
  hlsRow("ffmpeg CPU per source second", "s/s", one.cpu_s_per_source_s, host.cpu_s_per_source_s);
  hlsRow("cores ffmpeg kept busy", "cores", one.cores_used, host.cores_used);
  hlsRow("upload end → metadata (describe job)", "s", one.upload_to_described_s, host.upload_to_described_s);
  const d = file.hls_delivery as unknown as HlsDelivery;
  const r = d.segments_vs_mp4;
  hlsRow(
    `delivery, ${d.rendition}'s ${d.files} files | the MP4`,
    "MB/s",
    d.segments.mb_per_s,
    d.mp4.mb_per_s,
    r.mb_per_s,
  );
  hlsRow(
    "… the first pass alone",
    "MB/s",
    d.segments.first_pass_mb_per_s,
    d.mp4.first_pass_mb_per_s,
    r.first_pass_mb_per_s,
  );
  hlsRow("… time to first byte, later requests", "ms", d.segments.first_byte_ms, d.mp4.first_byte_ms);
  hlsRow("segment requests", "req/s", d.segments.requests_per_s);
  return `${table(rows)}\n\n${table(hls)}`;
}
