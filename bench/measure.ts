/** Repeated measurements, interleaved across variants, turned into results. */
import { result, type Result, type Variant } from "./report";

export type Figures<M extends string> = Readonly<Record<M, number>>;
export type Collected<M extends string> = Map<Variant, Figures<M>[]>;

/**
 * Runs `measure` `runs` times for each variant, round by round (a, b, a, b, …), so the drift of a
 * shared machine falls on every variant alike.
 */
export async function rounds<M extends string>(
  label: string,
  runs: number,
  variants: readonly Variant[],
  log: (line: string) => void,
  measure: (variant: Variant, run: number) => Promise<Figures<M>>,
): Promise<Collected<M>> {
  const collected: Collected<M> = new Map(variants.map((v) => [v, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      const figures = await measure(variant, run);
      collected.get(variant)?.push(figures);
      const shown = Object.entries(figures).map(([k, v]) => `${k} ${Number(Number(v).toPrecision(3))}`);
      log(`${label}: run ${run + 1}/${runs} ${variant}: ${shown.join(", ")}`);
    }
  }
  return collected;
}

export function toResults<M extends string>(
  workload: string,
  collected: Collected<M>,
  units: Readonly<Record<M, string>>,
): Result[] {
  const metrics = Object.keys(units) as M[];
  return [...collected].flatMap(([variant, runs]) =>
    metrics
      .filter((m) => runs.every((r) => m in r))
      .map((m) =>
        result(
          workload,
          variant,
          m,
          units[m],
          runs.map((r) => r[m]),
        ),
      ),
  );
}
