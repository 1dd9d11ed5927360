import { describe, expect, it } from 'vitest';
import { featureSteps, parseFeatureStep } from './feature-steps.js';

const policy = [
  { weight: 10, bake: 300_000 },
  { weight: 25, bake: 300_000 },
  { weight: 50, bake: 600_000 },
];

describe('featureSteps (--feature-step)', () => {
  it('steps in increments below 100; each bakes as long as the policy step at or below it', () => {
    expect(featureSteps(policy, 10)).toEqual([
      { weight: 10, bake: 300_000 },
      { weight: 20, bake: 300_000 },
      { weight: 30, bake: 300_000 },
      { weight: 40, bake: 300_000 },
      { weight: 50, bake: 600_000 },
      { weight: 60, bake: 600_000 },
      { weight: 70, bake: 600_000 },
      { weight: 80, bake: 600_000 },
      { weight: 90, bake: 600_000 },
    ]);
    // Below the first policy step: the first step's bake. 100 itself is the promotion, never a step.
    expect(featureSteps(policy, 5)[0]).toEqual({ weight: 5, bake: 300_000 });
    expect(featureSteps(policy, 25).map((s) => s.weight)).toEqual([25, 50, 75]);
    expect(featureSteps(policy, 60).map((s) => s.weight)).toEqual([60]);
  });
  it('without --feature-step the policy steps are used as written, but must be whole percents', () => {
    expect(featureSteps(policy, undefined)).toEqual(policy);
    expect(() => featureSteps([{ weight: 12.5, bake: 1000 }], undefined)).toThrow(/whole percent/);
  });
  it('refuses increments flagd cannot express (exit 2)', () => {
    for (const n of [0, 100, 2.5, -5])
      expect(() => featureSteps(policy, n)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(parseFeatureStep('10%')).toBe(10);
    expect(parseFeatureStep(undefined)).toBeUndefined();
    expect(() => parseFeatureStep('ten')).toThrow(/whole percent/);
  });
});
