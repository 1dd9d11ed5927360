import { describe, expect, it } from 'vitest';
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
    const spec = specFor({ header }, policy);
    expect(spec.interval).toBe(10_000);
    expect(spec.latencyBoundsMs).toEqual([10, 100, 1000]);
    expect(spec.steps).toEqual(policy.steps);
  });

  it('uses the built-in defaults for the recorded service without a policy', () => {
    const spec = specFor({ header }, undefined);
    expect(spec.service).toBe('maestro-api');
    expect(spec.promotion.minScore).toBe(0.95);
    expect(spec.interval).toBe(10_000);
  });
});
