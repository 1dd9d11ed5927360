import type { IntervalObservation } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import type { Reason } from './assessment.js';

/**
 * Error budget (docs/statistics.md, "Error budget"): burn rate = error ratio / (1 − SLO); budget consumed over a
 * window W = burn × W / period. During a rollout we track the canary's own contribution: its errors as a share
 * of all the service's requests in each interval, so a 10% canary at 100% errors burns like a 10% error ratio.
 */
export function burnRate(errorRatio: number, slo: number): number {
  return errorRatio / (1 - slo);
}

export function budgetConsumed(errorRatio: number, slo: number, windowMs: number, periodMs: number): number {
  return (burnRate(errorRatio, slo) * windowMs) / periodMs;
}

export interface BudgetResult {
  consumed: number;
  failed: boolean;
  reason: Reason;
}

export function createErrorBudget(spec: PolicySpec): (o: IntervalObservation) => BudgetResult {
  const { slo, period, maxBurn } = spec.promotion.errorBudget;
  let consumed = 0;
  let lastT = 0;
  return (o) => {
    const windowMs = Math.max(0, o.t - lastT) * 1000 || spec.interval;
    lastT = o.t;
    const canaryErrors = o.canary?.errors ?? 0;
    // The service's requests that interval: stable's, the canary's, and the baseline instances' when they run.
    const total = (o.canary?.requests ?? 0) + (o.baseline?.requests ?? 0) + (o.control?.requests ?? 0);
    const ratio = total > 0 ? canaryErrors / total : 0;
    consumed += budgetConsumed(ratio, slo, windowMs, period);
    const failed = consumed > maxBurn;
    return {
      consumed,
      failed,
      reason: {
        signal: 'error-budget',
        verdict: failed ? 'fail' : 'pass',
        statistic: 'budget-burn',
        value: consumed,
        threshold: maxBurn,
        message:
          `canary consumed ${(consumed * 100).toPrecision(3)}% of the ${Math.round(period / 86_400_000)}` +
          `-day error budget (limit ${maxBurn * 100}%); ` +
          `burn rate this interval ${burnRate(ratio, slo).toPrecision(3)}×`,
        details: { burnRate: burnRate(ratio, slo), slo, canaryErrors, serviceRequests: total },
      },
    };
  };
}
