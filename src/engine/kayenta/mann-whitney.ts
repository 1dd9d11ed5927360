import { normalQuantile } from '../special-functions.js';
import { brentDirect } from './brent.js';

/**
 * Kayenta's `MannWhitney.scala`: the asymptotic two-sample Wilcoxon confidence interval and Hodges–Lehmann
 * estimate of experiment − control, as R's `wilcox.test(x, y, conf.int = TRUE, correct = TRUE)` computes them.
 */
export interface MannWhitneyResult {
  lower: number;
  upper: number;
  estimate: number;
}

export class AllTiedError extends Error {
  constructor() {
    super('cannot compute confidence interval when all observations are tied');
  }
}

/**
 * z(μ) − zq, where z is the continuity-corrected, tie-corrected normal score of the rank sum of (x − μ) in the
 * pooled sample. x and y must be sorted ascending (so one merge gives ranks and tie groups in O(n)).
 */
export function wilcoxonDiff(mu: number, zq: number, xSorted: readonly number[], ySorted: readonly number[]): number {
  const nx = xSorted.length;
  const ny = ySorted.length;
  let i = 0;
  let j = 0;
  let rank = 0;
  let xRankSum = 0;
  let ties = 0;
  while (i < nx || j < ny) {
    const v = j >= ny || (i < nx && xSorted[i]! - mu <= ySorted[j]!) ? xSorted[i]! - mu : ySorted[j]!;
    let inX = 0;
    let t = 0;
    while (i < nx && xSorted[i]! - mu === v) {
      i++;
      inX++;
      t++;
    }
    while (j < ny && ySorted[j]! === v) {
      j++;
      t++;
    }
    xRankSum += inX * (rank + (t + 1) / 2);
    rank += t;
    ties += t * t * t - t;
  }
  const dz = xRankSum - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
  const correction = Math.sign(dz) * 0.5;
  const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - ties / ((nx + ny) * (nx + ny - 1))));
  if (sigma === 0) throw new AllTiedError();
  return (dz - correction) / sigma - zq;
}

export function mannWhitney(
  control: readonly number[],
  experiment: readonly number[],
  confidenceLevel: number,
): MannWhitneyResult {
  const y = [...control].sort((a, b) => a - b);
  const x = [...experiment].sort((a, b) => a - b);
  const muMin = x[0]! - y[y.length - 1]!;
  const muMax = x[x.length - 1]! - y[0]!;
  const f = (zq: number) => (mu: number) => wilcoxonDiff(mu, zq, x, y);
  const root = (zq: number): number => {
    const fLower = f(zq)(muMin);
    const fUpper = f(zq)(muMax);
    if (fLower <= 0) return muMin;
    if (fUpper >= 0) return muMax;
    return brentDirect(muMin, muMax, fLower, fUpper, f(zq));
  };
  const zQuant = normalQuantile((1 - confidenceLevel) / 2);
  const lower = root(-zQuant);
  const upper = root(zQuant);
  const estimate = brentDirect(muMin, muMax, f(0)(muMin), f(0)(muMax), f(0));
  return { lower, upper, estimate };
}
