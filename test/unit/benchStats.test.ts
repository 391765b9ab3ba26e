/** bench/stats.ts: the figures every benchmark result is made of. */
import { geometricMean, linearFit, median, ratio, summarize } from "../../bench/stats";

describe("bench statistics", () => {
  it("takes the middle sample as the median of an odd count, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it("averages the two middle samples as the median of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("reports median, min, max and the number of runs", () => {
    expect(summarize([12, 10, 30, 11, 13])).toEqual({ median: 12, min: 10, max: 30, n: 5 });
  });

  it("refuses to summarize no samples or a sample that is not a finite number", () => {
    expect(() => summarize([])).toThrow("no samples");
    expect(() => summarize([1, Number.NaN])).toThrow("not a finite number");
    expect(() => summarize([1, Infinity])).toThrow("not a finite number");
  });

  it("rounds ratios to three decimals and has none for a zero denominator", () => {
    expect(ratio(2, 3)).toBe(0.667);
    expect(ratio(1, 0)).toBeNull();
  });

  it("summarizes ratios by their geometric mean, so 2× and 0.5× cancel out", () => {
    expect(geometricMean([2, 0.5])).toBe(1);
    expect(geometricMean([])).toBeNull();
    expect(geometricMean([1, 0])).toBeNull();
  });

  it("fits a straight line with R² 1 to linear growth", () => {
    const fit = linearFit([1, 100, 1000], [0.5, 9.41, 90.41]);
    expect(fit.slope).toBeCloseTo(0.09, 6);
    expect(fit.intercept).toBeCloseTo(0.41, 6);
    expect(fit.r2).toBeCloseTo(1, 6);
  });
});
