import { describe, expect, it } from 'vitest';
import { promotionRule } from './promotion-rule.js';
import { earlyPromotionAfterMs } from './rollout-plan.js';
import type { Assessment } from './assessment.js';

const plan = { minScore: 0.95, earlyPromotionAfterMs: 30_000 };
const a = (verdict: Assessment['verdict'], extra: Partial<Assessment> = {}): Assessment => ({
  verdict,
  score: 1,
  reasons: [],
  ...extra,
});

describe('promotion rule', () => {
  it('promotes on a pass at the end of the last step, with the composite score', () => {
    expect(promotionRule(plan, a('pass'), { observedMs: 0, lastStepDone: true })).toBe('steps-complete');
    expect(promotionRule(plan, a('pass', { score: 0.9 }), { observedMs: 60_000, lastStepDone: true })).toBeUndefined();
    expect(promotionRule(plan, a('inconclusive'), { observedMs: 60_000, lastStepDone: true })).toBeUndefined();
  });

  it('promotes early only on promoteEarly and after the floor of observed analysis', () => {
    expect(promotionRule(plan, a('pass'), { observedMs: 50_000, lastStepDone: false })).toBeUndefined();
    expect(
      promotionRule(plan, a('pass', { promoteEarly: true }), { observedMs: 20_000, lastStepDone: false }),
    ).toBeUndefined();
    expect(promotionRule(plan, a('pass', { promoteEarly: true }), { observedMs: 30_000, lastStepDone: false })).toBe(
      'promote-early',
    );
  });

  it('sets the floor at half the planned bake, never before the first step is baked', () => {
    expect(earlyPromotionAfterMs([{ bakeMs: 20_000 }, { bakeMs: 20_000 }, { bakeMs: 20_000 }])).toBe(30_000);
    expect(earlyPromotionAfterMs([{ bakeMs: 50_000 }, { bakeMs: 10_000 }])).toBe(50_000);
  });
});
