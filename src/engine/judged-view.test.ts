import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { policySpec } from '../schema/policy.js';
import { createAnalysis } from './analysis.js';

const bounds = { latencyBoundsMs: [100, 1000] };

/** A cold process: 5% errors for its first 60 s, then as healthy as stable (0.1%). */
function cold(t: number, requests: number): { requests: number; errors: number } {
  return { requests, errors: Math.round(requests * (t <= 60 ? 0.05 : 0.001)) };
}

function interval(t: number, withBaseline: boolean): IntervalObservation {
  return {
    t,
    weight: 10,
    baseline: { requests: withBaseline ? 900 : 900, errors: 1 },
    canary: withBaseline ? cold(t, 50) : cold(t, 100),
    ...(withBaseline ? { control: cold(t, 50) } : {}),
  };
}

const errorsOnly = { service: 's', ...bounds, metrics: [{ name: 'error-rate', kind: 'errors', critical: true }] };

/** An analysis of the errors-only policy, with `extra` (written as in canary.yaml) over it. */
function analysisOf(extra: Record<string, unknown> = {}): ReturnType<typeof createAnalysis> {
  return createAnalysis(policySpec.parse({ ...errorsOnly, ...extra }));
}

describe('judged view: baselines and warm-up', () => {
  it('a cold canary compared with warm stable is rolled back', () => {
    const a = analysisOf();
    const verdicts = [10, 20, 30, 40, 50, 60].map((t) => a.evaluate(interval(t, false)));
    expect(verdicts.some((v) => v.verdict === 'fail')).toBe(true);
    expect(verdicts[0]!.comparison).toBe('stable');
  });

  it('the same cold canary compared with an equally cold baseline is not, and every assessment says so', () => {
    const a = analysisOf();
    const out = [10, 20, 30, 40, 50, 60, 70, 80].map((t) => a.evaluate(interval(t, true)));
    expect(out.map((v) => v.verdict)).not.toContain('fail');
    for (const v of out) {
      expect(v.comparison).toBe('baseline');
      expect(v.reasons.find((r) => r.signal === 'comparison')?.message).toMatch(/the baseline \(fresh stable/);
    }
  });

  it('keeps comparing with the baseline through an interval where it has no data', () => {
    const a = analysisOf();
    a.evaluate(interval(10, true));
    const gap = a.evaluate({ ...interval(20, true), control: null });
    expect(gap.comparison).toBe('baseline');
    expect(gap.verdict).not.toBe('fail');
  });

  it('warm-up intervals are observed and recorded, not judged', () => {
    const a = analysisOf({ warmup: '60s' });
    const during = [10, 20, 30, 40, 50, 60].map((t) => a.evaluate(interval(t, false)));
    for (const v of during) {
      expect(v).toMatchObject({ verdict: 'inconclusive', warmup: true, comparison: 'stable' });
      expect(v.reasons[0]).toMatchObject({ signal: 'comparison', statistic: 'warmup' });
      expect(v.reasons.some((r) => r.signal === 'error-rate')).toBe(false);
    }
    const after = a.evaluate(interval(70, false));
    expect(after.warmup).toBeUndefined();
    // The judge's first interval is the one after the warm-up: 0 errors of 100 on the canary, none before.
    expect(after.reasons.find((r) => r.signal === 'error-rate')?.details?.canaryEvents).toBe(0);
  });

  it('a restart of the upstreams opens the warm-up again, from the restart on', () => {
    // Cold for 60 s after t = 0 and again after the restart at t = 100 (restartedAt on each later interval).
    const coldAgain = (t: number): IntervalObservation => ({
      ...interval(t, false),
      canary: cold(t > 100 ? t - 100 : t, 100),
      ...(t > 100 ? { restartedAt: 100 } : {}),
    });
    const times = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180];
    const withRestart = analysisOf({ warmup: '60s' });
    const out = times.map((t) => withRestart.evaluate(coldAgain(t)));
    expect(out.map((v) => v.verdict)).not.toContain('fail');
    const warm = times.filter((_, i) => out[i]!.warmup);
    expect(warm).toEqual([10, 20, 30, 40, 50, 60, 110, 120, 130, 140, 150, 160]);
    const afterRestart = out[times.indexOf(110)]!.reasons.find((r) => r.signal === 'comparison')!;
    expect(afterRestart).toMatchObject({ statistic: 'warmup', value: 10, threshold: 60 });
    expect(afterRestart.message).toMatch(/^warm-up after the upstreams restarted at 100s: interval ending 10s of 60s/);
    expect(afterRestart.details).toMatchObject({ restartedAt: 100, warmup: 'yes' });
    // Without restartedAt the second cold start is judged against warm stable, and rolled back.
    const a = analysisOf({ warmup: '60s' });
    const blind = times.map((t) => a.evaluate({ ...coldAgain(t), restartedAt: undefined }));
    expect(blind.map((v) => v.verdict)).toContain('fail');
  });

  it('the error budget still counts, and can roll back, during warm-up', () => {
    const a = analysisOf({ warmup: '10m', promotion: { errorBudget: { slo: 0.999, period: '1h', maxBurn: 0.01 } } });
    const out = [10, 20, 30].map((t) => a.evaluate({ t, weight: 50, canary: { requests: 1000, errors: 1000 } }));
    expect(out.at(-1)).toMatchObject({ verdict: 'fail', rule: 'error-budget', warmup: true });
  });
});
