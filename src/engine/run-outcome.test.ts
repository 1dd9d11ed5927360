import { describe, expect, it } from 'vitest';
import { policySpec } from '../schema/policy.js';
import { createOutcomeTracker, scheduleSeconds, weightAt } from './run-outcome.js';
import type { Assessment } from './types.js';

const spec = policySpec.parse({ service: 's', steps: [{ weight: 10, bake: '60s' }, { weight: 50, bake: '60s' }], inconclusive: { maxExtension: '30s', then: 'rollback' } });
const a = (verdict: Assessment['verdict'], extra: Partial<Assessment> = {}): Assessment => ({ verdict, score: 1, reasons: [], ...extra });

describe('run outcome', () => {
  it('follows the step schedule', () => {
    expect(scheduleSeconds(spec)).toBe(120);
    expect([10, 60, 70, 120, 130].map((t) => weightAt(spec, t))).toEqual([10, 10, 50, 50, undefined]);
  });

  it('rolls back on fail, promotes early on evidence or when the steps are done and the verdict passes', () => {
    const d = createOutcomeTracker(spec);
    expect(d(10, a('pass'))).toBeUndefined();
    expect(d(20, a('fail', { rule: 'critical-metric' }))).toMatchObject({ decision: 'rollback', at: 20, rule: 'critical-metric' });
    expect(createOutcomeTracker(spec)(30, a('pass', { promoteEarly: true }))).toMatchObject({ decision: 'promote', rule: 'promote-early' });
    expect(createOutcomeTracker(spec)(120, a('pass'))).toMatchObject({ decision: 'promote', at: 120, rule: 'steps-complete' });
  });

  it('extends the bake while inconclusive, then applies inconclusive.then', () => {
    const d = createOutcomeTracker(spec);
    expect(d(120, a('inconclusive'))).toBeUndefined();
    expect(d(150, a('inconclusive'))).toMatchObject({ decision: 'rollback', rule: 'inconclusive-rollback' });
  });
});
