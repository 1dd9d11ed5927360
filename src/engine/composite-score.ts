/**
 * Composite health score (docs/statistics.md §5): the weighted mean of per-signal health in [0, 1] — each metric,
 * the synthetic success ratio, and the error-budget gate. Signals without data this interval are left out;
 * with no signal at all the score is 1 (nothing speaks against the canary).
 */
export interface WeightedHealth {
  health: number;
  weight: number;
}

export function compositeScore(signals: readonly WeightedHealth[]): number {
  let num = 0;
  let den = 0;
  for (const s of signals) {
    if (!(s.weight > 0) || !Number.isFinite(s.health)) continue;
    num += s.weight * Math.min(1, Math.max(0, s.health));
    den += s.weight;
  }
  return den > 0 ? num / den : 1;
}
