/** Pure statistics over repeated measurements. */

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, min and max of at least one finite sample. */
export function summarize(samples: readonly number[]): Stat {
  if (samples.length === 0) throw new Error("no samples to summarize");
  const bad = samples.find((s) => !Number.isFinite(s));
  if (bad !== undefined) throw new Error(`sample ${bad} is not a finite number`);
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), n: samples.length };
}

/** a / b, rounded to 3 decimals; null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : round(a / b, 3);
}

/** Geometric mean of ratios: the one number for "how much faster across these cases". */
export function geometricMean(values: readonly number[]): number | null {
  if (values.length === 0 || values.some((v) => !(v > 0))) return null;
  return round(Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length), 3);
}

/** Rounded to `digits` significant decimals: figures from a noisy machine carry no more. */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Least-squares slope and intercept of y over x, and R² (1 = a straight line). */
export function linearFit(
  xs: readonly number[],
  ys: readonly number[],
): { slope: number; intercept: number; r2: number } {
  if (xs.length !== ys.length || xs.length < 2)
    throw new Error("a linear fit needs two or more (x, y) pairs");
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  });
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

/** The runs in the order they take turns: run `run` starts `run` places further along. */
export function rotation<T>(items: readonly T[], run: number): T[] {
  const k = run % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Whether one figure's min–max holds the other's median, either way round: a tie. */
export function overlaps(a: Stat, b: Stat): boolean {
  const holds = (s: Stat, m: number) => s.min <= m && m <= s.max;
  return holds(a, b.median) || holds(b, a.median);
}

/** What a server's CPU bought in one run: seconds per 10^9 bytes sent, per 1,000 requests. */
export interface CpuFigures {
  readonly cpu_s_per_gb: number;
  readonly cpu_s_per_1000_requests: number;
}

export function cpuFigures(cpuSeconds: number, bytes: number, requests: number): CpuFigures {
  if (!(bytes > 0) || !(requests > 0))
    throw new Error(`a run that moved ${bytes} bytes in ${requests} requests has no CPU per byte`);
  return {
    cpu_s_per_gb: (cpuSeconds / bytes) * 1e9,
    cpu_s_per_1000_requests: (cpuSeconds / requests) * 1000,
  };
}
