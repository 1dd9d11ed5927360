import { describe, expect, it } from 'vitest';
import { defaultPolicySpec } from '../schema/policy.js';
import type { IntervalObservation } from '../schema/observation.js';
import { createAnalysis } from './analysis.js';

const LAT = [0, 40, 300, 400, 150, 8, 2, 0, 0, 0, 0];

function interval(
  t: number,
  canaryErrors: number,
  opts: { canarySynthetic?: [number, number]; baselineSynthetic?: [number, number] } = {},
): IntervalObservation {
  return {
    t,
    weight: 10,
    baseline: {
      requests: 9000,
      errors: 90,
      latency: LAT.map((c) => c * 9),
      synthetic: { runs: 10, passed: opts.baselineSynthetic?.[1] ?? 10 },
    },
    canary: {
      requests: 1000,
      errors: canaryErrors,
      latency: LAT,
      synthetic: { runs: opts.canarySynthetic?.[0] ?? 10, passed: opts.canarySynthetic?.[1] ?? 10 },
    },
  };
}

describe('createAnalysis', () => {
  it('passes a healthy canary with reasons that carry numbers', () => {
    const a = createAnalysis(defaultPolicySpec('maestro-api'));
    let last = a.evaluate(interval(10, 10));
    for (let t = 20; t <= 60; t += 10) last = a.evaluate(interval(t, 10));
    expect(last.verdict).toBe('pass');
    expect(last.score).toBeGreaterThanOrEqual(0.95);
    const err = last.reasons.find((r) => r.signal === 'error-rate')!;
    expect(err.statistic).toBe('mixture-likelihood-ratio');
    // α = 0.01 split over 2 metrics (Bonferroni): the error test rejects at 1/(α/2) = 200.
    expect(err.threshold).toBeCloseTo(200, 6);
    const lat = last.reasons.find((r) => r.signal === 'latency-p99')!;
    expect(lat.threshold).toBeCloseTo(600, 6); // latency: α/2 again split over its 3 bounds (p50, p90, p99)
    expect(err.details?.canaryEvents).toBe(60);
  });

  it('rolls back at once when a critical metric regresses', () => {
    const a = createAnalysis(defaultPolicySpec('maestro-api'));
    const first = a.evaluate(interval(10, 40));
    expect(first.verdict).toBe('fail');
    expect(first.rule).toBe('critical-metric');
    expect(first.reasons[0]!.signal).toBe('error-rate');
    expect(first.reasons[0]!.message).toMatch(/regressed/);
  });

  it('rolls back on low synthetic intervals once the canary is shown to fail more often than stable', () => {
    const a = createAnalysis(defaultPolicySpec('s'));
    expect(a.evaluate(interval(10, 10, { canarySynthetic: [10, 6] })).verdict).not.toBe('fail');
    // 8 failed canary runs to none on stable: evidence ≈ 41, short of 1/α = 100 (docs/statistics.md §6).
    expect(a.evaluate(interval(20, 10, { canarySynthetic: [10, 6] })).verdict).not.toBe('fail');
    const third = a.evaluate(interval(30, 10, { canarySynthetic: [10, 6] }));
    expect(third).toMatchObject({ verdict: 'fail', rule: 'synthetic-consecutive' });

    const b = createAnalysis(defaultPolicySpec('s'));
    for (let t = 10; t <= 50; t += 10) {
      expect(b.evaluate(interval(t, 10, { canarySynthetic: [10, 8], baselineSynthetic: [10, 8] })).verdict).not.toBe(
        'fail',
      );
    }
  });

  it('is deterministic and JSON-serialisable', () => {
    const run = (): string => {
      const a = createAnalysis(defaultPolicySpec('s'), { judge: 'kayenta' });
      return JSON.stringify([10, 20, 30].map((t) => a.evaluate(interval(t, 12))));
    };
    expect(run()).toBe(run());
    expect(run()).not.toMatch(/Infinity|NaN/);
  });
});
