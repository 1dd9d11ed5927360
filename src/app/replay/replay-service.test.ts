import { describe, expect, it } from 'vitest';
import { replayIntervals } from '../../engine/replay-run.js';
import { seededRandom } from '../../engine/random.js';
import type { IntervalObservation } from '../../schema/observation.js';
import { policySpec } from '../../schema/policy.js';
import { specFor } from './replay-service.js';

describe('replay: the policy applied to a recording', () => {
  const header = {
    kind: 'replay' as const,
    version: 1 as const,
    service: 'maestro-api',
    intervalSeconds: 10,
    latencyBoundsMs: [10, 100, 1000],
  };

  it("takes the recording's interval and latency bounds over the policy's (each line is one judgement)", () => {
    const policy = policySpec.parse({ service: 'maestro-api', interval: '30s', steps: [{ weight: 10, bake: '2m' }] });
    const spec = specFor({ header, intervals: [] }, policy);
    expect(spec.interval).toBe(10_000);
    expect(spec.latencyBoundsMs).toEqual([10, 100, 1000]);
    expect(spec.steps).toEqual(policy.steps);
  });

  it('uses the built-in defaults for the recorded service without a policy', () => {
    const spec = specFor({ header, intervals: [] }, undefined);
    expect(spec.service).toBe('maestro-api');
    expect(spec.promotion.minScore).toBe(0.95);
    expect(spec.interval).toBe(10_000);
  });

  it(
    'without a policy, a recording is judged on its own steps: a 10-minute ' + '10% canary is not promoted at 180 s',
    () => {
      // Ten minutes at 10%, errors ×5 on the canary from t = 300 s: the built-in 3 × 60 s schedule would have
      // promoted it at 180 s; the recording's own step (one 600 s bake) keeps judging and catches the regression.
      const rng = seededRandom(3);
      const intervals: IntervalObservation[] = Array.from({ length: 60 }, (_, i) => {
        const t = 10 * (i + 1);
        const errors = (n: number, p: number): number => Math.round(n * p * (0.5 + rng()));
        return {
          t,
          weight: 10,
          baseline: { requests: 1800, errors: errors(1800, 0.005) },
          canary: { requests: 200, errors: errors(200, t > 300 ? 0.025 : 0.005) },
        };
      });
      const spec = specFor({ header, intervals }, undefined);
      expect(spec.steps).toEqual([{ weight: 10, bake: 600_000 }]);
      const r = replayIntervals(spec, intervals);
      expect(r.outcome.decision).toBe('rollback');
      expect(r.outcome.at).toBeGreaterThan(300);
      expect(r.decisions.map((d) => d.action)).toEqual(['start', 'rollback']);
    },
  );
});
