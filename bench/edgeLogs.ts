/**
 * What the edge benchmark reads besides wrk: the edges' access log (nginx/edge.ts's vs_edge
 * format) and /proc/stat, and the figures drawn from them. Pure.
 */

/** One line of an edge's access log: what it sent a viewer, and whether its cache answered. */
export interface EdgeLogLine {
  readonly status: number;
  /** $body_bytes_sent. */
  readonly bytes: number;
  /** $upstream_cache_status: HIT, MISS, EXPIRED, REVALIDATED, STALE, UPDATING, BYPASS or "-". */
  readonly cacheStatus: string;
}

// combined, then $upstream_cache_status; nginx writes a `"` inside a variable as \x22.
const EDGE_LINE = /^\S+ - \S+ \[[^\]]+\] "[^"]*" (\d{3}) (\d+) "[^"]*" "[^"]*" (\S+)$/;

export function parseEdgeLog(text: string): EdgeLogLine[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const m = EDGE_LINE.exec(l);
      if (m === null) throw new Error(`not an edge log line: ${l}`);
      return { status: Number(m[1]), bytes: Number(m[2]), cacheStatus: m[3] };
    });
}

export interface EdgeTally {
  readonly requests: number;
  readonly bytes: number;
  /** Responses with a status of 400 or more. */
  readonly failed: number;
  /** Requests per cache status. */
  readonly cache: Readonly<Record<string, number>>;
}

export function tallyEdgeLog(lines: readonly EdgeLogLine[]): EdgeTally {
  const cache: Record<string, number> = {};
  for (const l of lines) cache[l.cacheStatus] = (cache[l.cacheStatus] ?? 0) + 1;
  return {
    requests: lines.length,
    bytes: lines.reduce((s, l) => s + l.bytes, 0),
    failed: lines.filter((l) => l.status >= 400).length,
    cache: Object.fromEntries(Object.entries(cache).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The share of requests the cache answered with `status` (HIT, MISS); 0 with no request. */
export function cacheShare(tally: EdgeTally, status: string): number {
  return tally.requests === 0 ? 0 : (tally.cache[status] ?? 0) / tally.requests;
}

/** Clock ticks of one core from /proc/stat: busy (user, nice, system, irq, softirq), steal, all. */
export interface CoreTicks {
  readonly busy: number;
  readonly steal: number;
  readonly total: number;
}

/** The `cpuN` lines of /proc/stat, by core number (the `cpu` total line left out). */
export function parseProcStat(text: string): CoreTicks[] {
  const cores: CoreTicks[] = [];
  for (const line of text.split("\n")) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    // user nice system idle iowait irq softirq steal (guest time is counted in user already).
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].trim().split(/\s+/).map(Number);
    const busy = user + nice + system + irq + softirq;
    cores[Number(m[1])] = { busy, steal, total: busy + idle + iowait + steal };
  }
  return cores;
}

/** Per core, the share of the interval it was busy and the share stolen by the hypervisor. */
export function coreShares(
  before: readonly CoreTicks[],
  after: readonly CoreTicks[],
): { busy: number; steal: number }[] {
  return after.map((a, i) => {
    const b = before[i] ?? { busy: 0, steal: 0, total: 0 };
    const total = a.total - b.total;
    return total <= 0
      ? { busy: 0, steal: 0 }
      : { busy: (a.busy - b.busy) / total, steal: (a.steal - b.steal) / total };
  });
}

/** CPU seconds per 10⁹ bytes; 0 when nothing moved. */
export const secondsPerGb = (cpuSeconds: number, bytes: number): number =>
  bytes === 0 ? 0 : cpuSeconds / (bytes / 1e9);
