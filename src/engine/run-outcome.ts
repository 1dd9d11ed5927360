import type { PolicySpec } from '../schema/policy.js';
import { promotionRule } from './promotion-rule.js';
import { planFromPolicy, plannedBakeMs } from './rollout-plan.js';
import type { Assessment, Reason } from './types.js';

/**
 * What a policy decides about a whole run from its stream of assessments — used by `replay` and the judge
 * benchmark. The controller's step machine (rollout-machine.ts) decides with the same rules, as far as a
 * recording allows:
 * - a fail verdict rolls back at once;
 * - promotion is promotion-rule.ts, the one rule both use: a pass (score ≥ `promotion.minScore`) once the
 *   steps' bakes are done, or earlier the engine's `promoteEarly` once `earlyPromotionAfterMs` of analysis
 *   has been observed (the same floor, from the same `planFromPolicy`);
 * - still inconclusive after `inconclusive.maxExtension` more: `inconclusive.then` (hold = stays inconclusive).
 * Bake time is observed analysis time, as in the controller: each recorded interval counts one policy
 * `interval`, gaps in `t` (no analysis) do not. A recording's weights are fixed, so a step the controller would
 * have extended at an intermediate weight is not modelled: the steps are done once their planned bakes are.
 */
export type Decision = 'rollback' | 'promote' | 'inconclusive';

export interface RunOutcome {
  decision: Decision;
  /** Seconds from start when decided (the interval's `t`). */
  at: number;
  reasons: Reason[];
  rule?: string;
  score: number;
}

export function scheduleSeconds(spec: PolicySpec): number {
  return spec.steps.reduce((s, step) => s + step.bake, 0) / 1000;
}

/** Canary weight (percent) of the step active during the interval ending at t; undefined once all steps are done. */
export function weightAt(spec: PolicySpec, tSeconds: number): number | undefined {
  let end = 0;
  for (const step of spec.steps) {
    end += step.bake / 1000;
    if (tSeconds <= end + 1e-9) return step.weight;
  }
  return undefined;
}

export function createOutcomeTracker(spec: PolicySpec): (t: number, a: Assessment) => RunOutcome | undefined {
  const plan = planFromPolicy(spec);
  const done = plannedBakeMs(plan.steps);
  const giveUp = done + plan.inconclusive.maxExtensionMs;
  let observedMs = 0;
  return (t, a) => {
    observedMs += plan.intervalMs;
    const base = { at: t, reasons: a.reasons, score: a.score };
    if (a.verdict === 'fail') return { decision: 'rollback', ...base, ...(a.rule ? { rule: a.rule } : {}) };
    const rule = promotionRule(plan, a, { observedMs, lastStepDone: observedMs >= done });
    if (rule) return { decision: 'promote', ...base, rule };
    if (observedMs >= giveUp) {
      const then = plan.inconclusive.then;
      const decision: Decision = then === 'hold' ? 'inconclusive' : then;
      return { decision, ...base, rule: `inconclusive-${then}` };
    }
    return undefined;
  };
}
