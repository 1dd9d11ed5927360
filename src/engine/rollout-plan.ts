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
   * The floor for early promotion (promotion-rule.ts): the engine's `promoteEarly` promotes before the last step
   * only once this much analysis time has been observed — half the planned bake, never before the first step's.
   */
  earlyPromotionAfterMs: number;
}

/**
 * The one place a policy becomes a plan: the controller stores it per rollout, `replay` and the benchmark rebuild it.
 */
export function planFromPolicy(spec: PolicySpec): RolloutPlan {
  const steps = spec.steps.map((s) => ({ weight: s.weight, bakeMs: Math.max(s.bake, spec.interval) }));
  return {
    steps,
    intervalMs: spec.interval,
    minScore: spec.promotion.minScore,
    inconclusive: { maxExtensionMs: spec.inconclusive.maxExtension, then: spec.inconclusive.then },
    earlyPromotionAfterMs: earlyPromotionAfterMs(steps),
  };
}

/** Half the planned bake, and never less than the first step's bake. */
export function earlyPromotionAfterMs(steps: readonly { bakeMs: number }[]): number {
  return Math.max(steps[0]?.bakeMs ?? 0, Math.ceil(plannedBakeMs(steps) / 2));
}

export function plannedBakeMs(steps: readonly { bakeMs: number }[]): number {
  return steps.reduce((sum, s) => sum + s.bakeMs, 0);
}
