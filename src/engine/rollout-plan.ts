import type { PolicySpec } from '../schema/policy.js';

/**
 * What the rollout state machine needs from the policy, in milliseconds. Built once per rollout and stored
 * with its state, so a resumed controller follows the plan it started with even if canary.yaml changed.
 */
export interface RolloutPlan {
  steps: { weight: number; bakeMs: number }[];
  intervalMs: number;
  /** Composite score needed to advance on an inconclusive verdict and to promote. */
  minScore: number;
  inconclusive: { maxExtensionMs: number; then: 'hold' | 'rollback' | 'promote' };
  /**
   * A pass at the end of an intermediate step promotes early once this much analysis time has been observed:
   * half the planned bake, and never before the first step's bake is done.
   */
  earlyPromotionAfterMs: number;
}

export function planFromPolicy(spec: PolicySpec): RolloutPlan {
  const steps = spec.steps.map((s) => ({ weight: s.weight, bakeMs: Math.max(s.bake, spec.interval) }));
  const total = steps.reduce((sum, s) => sum + s.bakeMs, 0);
  return {
    steps,
    intervalMs: spec.interval,
    minScore: spec.promotion.minScore,
    inconclusive: { maxExtensionMs: spec.inconclusive.maxExtension, then: spec.inconclusive.then },
    earlyPromotionAfterMs: Math.max(steps[0]?.bakeMs ?? 0, Math.ceil(total / 2)),
  };
}
