import { normalCdf } from '../../src/engine/special-functions.js';

/** Latency distributions as CDFs, turned into histogram bucket probabilities for fixed bounds. */
export type Cdf = (ms: number) => number;

export function lognormal(medianMs: number, sigma: number): Cdf {
  const mu = Math.log(medianMs);
  return (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma));
}

/** (1 − ε)·base + ε·Pareto(xm, a): a heavy tail. */
export function withParetoTail(base: Cdf, eps: number, xm: number, a: number): Cdf {
  return (x) => (1 - eps) * base(x) + eps * (x < xm ? 0 : 1 - Math.pow(xm / x, a));
}

/** Every request `factor` times slower (a median shift). */
export function scaled(base: Cdf, factor: number): Cdf {
  return (x) => base(x / factor);
}

/** Only requests slower than the base's q-quantile get `factor` slower: a tail-only regression. */
export function tailScaled(base: Cdf, q: number, factor: number): Cdf {
  const cut = quantileOf(base, q);
  return (x) => (x <= cut ? base(x) : x <= cut * factor ? base(cut) : base(x / factor));
}

export function quantileOf(cdf: Cdf, q: number): number {
  let lo = 0.001;
  let hi = 1e6;
  for (let i = 0; i < 80; i++) {
    const mid = Math.sqrt(lo * hi);
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return hi;
}

export function bucketProbs(cdf: Cdf, boundsMs: readonly number[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const b of boundsMs) {
    const c = cdf(b);
    out.push(Math.max(0, c - prev));
    prev = c;
  }
  out.push(Math.max(0, 1 - prev));
  return out;
}
