import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { policySpec } from '../schema/policy.js';
import { createAnalysis } from './analysis.js';

const spec = (threshold: Record<string, unknown>) =>
  policySpec.parse({
    service: 's',
    judge: 'threshold',
    metrics: [{ name: 'error-rate', kind: 'errors', threshold: { max: 0.01 } }],
    threshold,
  });

const obs = (t: number, errors: number | null): IntervalObservation => ({
  t,
  weight: 10,
  baseline: { requests: 1000, errors: 1 },
  canary: errors === null ? null : { requests: 1000, errors },
});

describe('threshold judge (Argo / Flagger semantics)', () => {
  it('fails on the measurement after failureLimit failures (Argo: failed > failureLimit)', () => {
    const a = createAnalysis(spec({ failureLimit: 2 }));
    expect(a.evaluate(obs(10, 20)).verdict).not.toBe('fail');
    expect(a.evaluate(obs(20, 0)).verdict).not.toBe('fail');
    expect(a.evaluate(obs(30, 20)).verdict).not.toBe('fail');
    const third = a.evaluate(obs(40, 20));
    expect(third).toMatchObject({ verdict: 'fail', rule: 'threshold-failure-limit' });
    expect(third.reasons[0]!.details).toMatchObject({ failed: 3, value: 0.02, max: 0.01 });
  });

  it('failureLimit 0 (the Argo default) fails on the first bad measurement; -1 never does', () => {
    expect(createAnalysis(spec({})).evaluate(obs(10, 11)).verdict).toBe('fail');
    const never = createAnalysis(spec({ failureLimit: -1 }));
    for (let t = 10; t <= 100; t += 10) expect(never.evaluate(obs(t, 500)).rule).not.toBe('threshold-failure-limit');
  });

  it('Argo: no data is an Error; the run fails when consecutive errors exceed consecutiveErrorLimit', () => {
    const a = createAnalysis(spec({ noData: 'error', consecutiveErrorLimit: 2 }));
    expect(a.evaluate(obs(10, null)).verdict).toBe('inconclusive');
    expect(a.evaluate(obs(20, null)).verdict).toBe('inconclusive');
    expect(a.evaluate(obs(30, 1)).verdict).toBe('pass'); // a good measurement resets the streak
    a.evaluate(obs(40, null));
    a.evaluate(obs(50, null));
    expect(a.evaluate(obs(60, null))).toMatchObject({ verdict: 'fail', rule: 'threshold-consecutive-errors' });
  });

  it('Flagger: "no values found" counts as a failed check', () => {
    const a = createAnalysis(spec({ noData: 'fail' }));
    expect(a.evaluate(obs(10, null))).toMatchObject({ verdict: 'fail', rule: 'threshold-failure-limit' });
  });

  it('ignore: missing data neither fails nor passes', () => {
    const a = createAnalysis(spec({ noData: 'ignore', consecutiveErrorLimit: 0 }));
    for (let t = 10; t <= 50; t += 10) expect(a.evaluate(obs(t, null)).verdict).toBe('inconclusive');
  });
});
