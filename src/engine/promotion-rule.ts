import type { RolloutPlan } from './rollout-plan.js';
import type { Assessment } from './assessment.js';

/** Why a rollout was promoted: its steps are done, or the engine proved it safe early (both after a pass). */
export type PromotionRule = 'steps-complete' | 'promote-early';

export interface PromotionProgress {
  /** Analysis time observed so far (intervals actually evaluated; time the controller was down does not count). */
  observedMs: number;
  /** The last step's bake (with any extension) is done. */
  lastStepDone: boolean;
}

/**
 * The one promotion rule (docs/statistics.md §4–5), used by the controller's state machine (rollout-machine.ts),
 * which `replay` and the judge benchmark drive too (replay-run.ts), so replay predicts what the controller does:
 * - at the end of the last step, a `pass` verdict with composite score ≥ `minScore` promotes;
 * - earlier, only the engine's `promoteEarly` (every critical metric's confidence sequence within the policy's
 *   tolerance) promotes, with the same score condition, and only once `earlyPromotionAfterMs` of analysis has
 *   been observed (rollout-plan.ts: half the planned bake, never before the first step's bake).
 * A plain `pass` before the last step is not a promotion: it lets the rollout go on to the next step.
 */
export function promotionRule(
  plan: Pick<RolloutPlan, 'minScore' | 'earlyPromotionAfterMs'>,
  a: Assessment,
  progress: PromotionProgress,
): PromotionRule | undefined {
  if (a.verdict !== 'pass' || a.score < plan.minScore) return undefined;
  if (progress.lastStepDone) return 'steps-complete';
  if (a.promoteEarly === true && progress.observedMs >= plan.earlyPromotionAfterMs) return 'promote-early';
  return undefined;
}
