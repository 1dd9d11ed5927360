/** Order statistics for the reports. Pure. */

/**
 * The q-quantile with linear interpolation between closest ranks (Hyndman & Fan type 7, the default of
 * numpy, R and spreadsheets), so reviewers can check a number by hand. undefined for no data.
 */
export function quantile(values: readonly number[], q: number): number | undefined {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

export function median(values: readonly number[]): number | undefined {
  return quantile(values, 0.5);
}

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  const xs = values.filter((v) => Number.isFinite(v));
  return {
    count: xs.length,
    median: median(xs) ?? null,
    p90: quantile(xs, 0.9) ?? null,
    max: xs.length ? Math.max(...xs) : null,
  };
}

/** numerator / denominator, null when there is nothing to divide by (a rate of "no rollbacks" is not 0%). */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
