import { logGamma } from './special-functions.js';

/**
 * One-sided Fisher exact test: with `failA` of `nA` runs failing on A and `failB` of `nB` on B, the probability
 * of A getting at least `failA` of all the failures if they fell on runs at random (A no worse than B).
 */
export function fisherGreater(failA: number, nA: number, failB: number, nB: number): number {
  const failures = failA + failB;
  const total = nA + nB;
  if (failures === 0 || nA === 0 || nB === 0) return 1;
  const denom = logChoose(total, failures);
  let p = 0;
  for (let k = failA; k <= Math.min(nA, failures); k++) {
    if (failures - k > nB) continue;
    p += Math.exp(logChoose(nA, k) + logChoose(nB, failures - k) - denom);
  }
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}
