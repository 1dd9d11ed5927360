import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { policySpec } from '../../schema/policy.js';
import { localOtlpSubscription, otlpSubscription } from './from-policy.js';

const policy = (metricSource: object) => policySpec.parse({ service: 'maestro-api', metricSource });

describe('the OTLP subscription from a policy', () => {
  it('takes the baseline instances (control) from the policy, or else from the command', () => {
    const p = policy({ type: 'otlp', variantAttribute: 'service.instance.id', control: 'base-0' });
    expect(otlpSubscription(p, { baseline: 'st-0', canary: 'ca-0', control: 'cli' })).toMatchObject({
      attribute: 'service.instance.id',
      baseline: 'st-0',
      canary: 'ca-0',
      control: 'base-0',
      match: { 'service.name': 'maestro-api' },
    });
    const plain = otlpSubscription(policy({ type: 'otlp' }), { baseline: '1.4.0', canary: '1.5.0', control: 'b' });
    expect(plain).toMatchObject({ attribute: 'service.version', control: 'b' });
    expect('control' in otlpSubscription(policy({ type: 'otlp' }), { baseline: '1.4.0', canary: '1.5.0' })).toBe(false);
  });

  it('refuses a baseline value that cannot be told from stable or the canary', () => {
    expect(() =>
      otlpSubscription(policy({ type: 'otlp' }), { baseline: '1.4.0', canary: '1.5.0', control: '1.4.0' }),
    ).toThrow(UsageError);
    expect(() => otlpSubscription(policy({ type: 'otlp', canary: 'x' }), { baseline: '1.4.0', control: 'x' })).toThrow(
      /must differ/,
    );
  });

  it('run --baseline needs the baseline instances’ value, else they would be judged as stable', () => {
    const p = policy({ type: 'otlp' });
    expect(() => localOtlpSubscription(p, { stable: '1.4.0', canary: '1.5.0', baselineRuns: true })).toThrow(
      /--baseline-variant or spec\.metricSource\.control/,
    );
    expect(
      localOtlpSubscription(p, { stable: '1.4.0', canary: '1.5.0', baseline: '1.4.0-b', baselineRuns: true }),
    ).toMatchObject({ control: '1.4.0-b' });
    expect(() => localOtlpSubscription(p, { stable: '1.4.0', baselineRuns: false })).toThrow(/--canary-variant/);
  });
});
