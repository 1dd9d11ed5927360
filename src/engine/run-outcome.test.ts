import { describe, expect, it } from 'vitest';
import { policySpec } from '../schema/policy.js';
import { createOutcomeTracker, scheduleSeconds, weightAt } from './run-outcome.js';
import type { Assessment } from './types.js';

const spec = policySpec.parse({
  service: 's',
  steps: [
    { weight: 10, bake: '60s' },
    { weight: 50, bake: '60s' },
  ],
  inconclusive: { maxExtension: '30s', then: 'rollback' },
});
const a = (verdict: Assessment['verdict'], extra: Partial<Assessment> = {}): Assessment => ({
  verdict,
  score: 1,
  reasons: [],
  ...extra,
});

describe('run outcome', () => {
  it('follows the step schedule', () => {
    expect(scheduleSeconds(spec)).toBe(120);
    expect([10, 60, 70, 120, 130].map((t) => weightAt(spec, t))).toEqual([10, 10, 50, 50, undefined]);
  });

  it('rolls back on fail; promotes on a pass once the steps are done, or early on evidence after the floor', () => {
    const d = createOutcomeTracker(spec);
    expect(d(10, a('pass'))).toBeUndefined();
    expect(d(20, a('fail', { rule: 'critical-metric' }))).toMatchObject({
      decision: 'rollback',
      at: 20,
      rule: 'critical-metric',
    });
    // Default interval 10s; floor = max(first bake 60s, half of 120s) = 60s of observed analysis.
    const early = createOutcomeTracker(spec);
    for (let t = 10; t <= 50; t += 10) expect(early(t, a('pass', { promoteEarly: true }))).toBeUndefined();
    expect(early(60, a('pass', { promoteEarly: true }))).toMatchObject({
      decision: 'promote',
      at: 60,
      rule: 'promote-early',
    });
    const steps = createOutcomeTracker(spec);
    for (let t = 10; t <= 110; t += 10) expect(steps(t, a('pass'))).toBeUndefined();
    expect(steps(120, a('pass'))).toMatchObject({ decision: 'promote', at: 120, rule: 'steps-complete' });
  });

  it('counts observed intervals, not t: a gap in the recording is no bake', () => {
    const d = createOutcomeTracker(spec);
    expect(d(10, a('pass', { promoteEarly: true }))).toBeUndefined();
    expect(d(600, a('pass'))).toBeUndefined();
  });

  it('extends the bake while inconclusive, then applies inconclusive.then', () => {
    const d = createOutcomeTracker(spec);
    for (let t = 10; t <= 140; t += 10) expect(d(t, a('inconclusive'))).toBeUndefined();
    expect(d(150, a('inconclusive'))).toMatchObject({ decision: 'rollback', rule: 'inconclusive-rollback' });
  });
});
