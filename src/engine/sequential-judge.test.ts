import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { defaultPolicySpec, policySpec } from '../schema/policy.js';
import { createAnalysis } from './analysis.js';

const FAST = [0, 100, 400, 400, 90, 10, 0, 0, 0, 0, 0];
const SLOW = [0, 20, 200, 450, 250, 70, 10, 0, 0, 0, 0];

function obs(
  t: number,
  c: { requests: number; errors: number; latency?: number[] },
  b = { requests: 9000, errors: 45 },
  weight = 10,
): IntervalObservation {
  const scaleTo = (counts: number[], n: number) => counts.map((x) => Math.round((x * n) / 1000));
  return {
    t,
    weight,
    baseline: { ...b, latency: scaleTo(FAST, b.requests) },
    canary: { requests: c.requests, errors: c.errors, latency: scaleTo(c.latency ?? FAST, c.requests) },
  };
}

describe('sequential judge', () => {
  it('is inconclusive, not failing, while the canary has served too few requests', () => {
    const a = createAnalysis(defaultPolicySpec('s'));
    const r = a.evaluate(obs(10, { requests: 20, errors: 0 }, { requests: 180, errors: 1 }));
    expect(r.verdict).toBe('inconclusive');
    expect(r.reasons.find((x) => x.signal === 'error-rate')!.message).toMatch(/not enough data/);
  });

  it('rolls back a latency regression seen as more requests above the baseline bounds', () => {
    const a = createAnalysis(defaultPolicySpec('s'));
    const results = [10, 20, 30, 40].map((t) => a.evaluate(obs(t, { requests: 1000, errors: 5, latency: SLOW })));
    const fail = results.find((r) => r.verdict === 'fail')!;
    // latency is not critical by default; one of 4 signals at 0 → 0.75 < 0.95
    expect(fail.rule).toBe('composite-score');
    const lat = fail.reasons.find((r) => r.signal === 'latency-p99')!;
    expect(lat.verdict).toBe('fail');
    expect(lat.value).toBeGreaterThanOrEqual(lat.threshold!);
    expect(lat.details?.boundMs).toBeTypeOf('number');
  });

  it('does not blame the canary for a load swing and weight change that hit both versions alike', () => {
    const a = createAnalysis(defaultPolicySpec('s'));
    const loads = [1, 3, 0.5, 5, 1, 8, 0.3];
    loads.forEach((load, i) => {
      const weight = i < 3 ? 10 : 50;
      const cReq = Math.round(10_000 * load * (weight / 100));
      const bReq = Math.round(10_000 * load * (1 - weight / 100));
      // Error ratio swings with load (4× at peak) but equally on both versions.
      const ratio = 0.005 * (1 + load / 2);
      const r = a.evaluate(
        obs(
          (i + 1) * 10,
          { requests: cReq, errors: Math.round(cReq * ratio) },
          { requests: bReq, errors: Math.round(bReq * ratio) },
          weight,
        ),
      );
      expect(r.verdict).not.toBe('fail');
    });
  });

  it('promotes early once every confidence sequence is inside its tolerance', () => {
    const spec = policySpec.parse({
      service: 's',
      metrics: [{ name: 'error-rate', kind: 'errors', tolerance: 1.5, critical: true }],
    });
    const a = createAnalysis(spec);
    let early = false;
    for (let t = 10; t <= 600 && !early; t += 10)
      early =
        a.evaluate(obs(t, { requests: 5000, errors: 250 }, { requests: 5000, errors: 250 }, 50)).promoteEarly === true;
    expect(early).toBe(true);
  });
});
