import type { PolicySpec } from '../schema/policy.js';

/**
 * Weights over the interval at which a regression starts, for the change-point form of the count test
 * (count-evidence.ts; docs/statistics.md §3). Fixed in advance and summing to ≤ 1,
 * which is what keeps the mixture over start times a test supermartingale — a plain sum over start times (the
 * Shiryaev–Roberts statistic) grows by one per interval under the null and only bounds the average run length.
 * - `first`: the test that starts with the rollout (the common case: a bad build is bad from its first request);
 * - the rest, (1 − first − tail), spread evenly over the other intervals of the planned rollout (`horizon`);
 * - `tail` for starts after the plan (a held rollout), decaying as 1/(k(k+1)) so it sums to `tail`.
 */
export interface StartTimePrior {
  first: number;
  horizon: number;
  tail: number;
}

/** Everything on the first interval: the test of "no regression since the start" alone. */
export const FROM_THE_START: StartTimePrior = { first: 1, horizon: 1, tail: 0 };

/** log weight of a start at interval `s` (1-based). */
export function logStartWeight(p: StartTimePrior, s: number): number {
  if (s === 1) return Math.log(p.first);
  const spread = 1 - p.first - p.tail;
  if (s <= p.horizon) return spread > 0 ? Math.log(spread / (p.horizon - 1)) : -Infinity;
  const k = s - p.horizon;
  return p.tail > 0 ? Math.log(p.tail / (k * (k + 1))) : -Infinity;
}

/** The prior the sequential judge uses for a rollout planned over `horizon` analysis intervals. */
export function changePointPrior(horizon: number): StartTimePrior {
  return horizon <= 1 ? { first: 1 - CHANGE_TAIL, horizon: 1, tail: CHANGE_TAIL } : { ...CHANGE_PRIOR, horizon };
}

/** Analysis intervals in the policy's plan: every step's bake and one bake extension. */
export function plannedIntervals(spec: Pick<PolicySpec, 'steps' | 'interval' | 'inconclusive'>): number {
  const bake = spec.steps.reduce((a, s) => a + Math.max(s.bake, spec.interval), 0);
  return Math.max(1, Math.ceil((bake + spec.inconclusive.maxExtension) / spec.interval));
}

const CHANGE_TAIL = 0.05;
const CHANGE_PRIOR = { first: 0.5, tail: CHANGE_TAIL };
