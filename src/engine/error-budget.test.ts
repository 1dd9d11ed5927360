import { describe, expect, it } from 'vitest';
import { policySpec } from '../schema/policy.js';
import { budgetConsumed, burnRate, createErrorBudget } from './error-budget.js';

describe('error budget', () => {
  it('burn = error ratio / (1 − SLO); consumed = burn × W / period', () => {
    expect(burnRate(0.001, 0.999)).toBeCloseTo(1, 12);
    expect(burnRate(0.0144, 0.999)).toBeCloseTo(14.4, 9); // the classic 1h/5m page threshold
    // 14.4× for 1 hour of a 30-day period burns 2% of the budget.
    expect(budgetConsumed(0.0144, 0.999, 3_600_000, 30 * 86_400_000)).toBeCloseTo(0.02, 12);
  });

  it("tracks the canary's own errors as a share of all requests and fails above maxBurn", () => {
    const spec = policySpec.parse({
      service: 's',
      promotion: { errorBudget: { slo: 0.99, period: '1h', maxBurn: 0.1 } },
    });
    const budget = createErrorBudget(spec);
    // 100 canary errors in 1000 requests over 60 s: ratio 0.1, burn 10×, 10 × 60/3600 = 16.7% of the hour's budget.
    const r = budget({
      t: 60,
      weight: 10,
      canary: { requests: 100, errors: 100 },
      baseline: { requests: 900, errors: 0 },
    });
    expect(r.consumed).toBeCloseTo(10 * (60 / 3600), 9);
    expect(r.failed).toBe(true);
    expect(r.reason).toMatchObject({
      signal: 'error-budget',
      statistic: 'budget-burn',
      verdict: 'fail',
      threshold: 0.1,
    });
  });
});
