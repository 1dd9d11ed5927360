import type { PolicySpec } from '../schema/policy.js';
import type { Assessment, Reason } from './types.js';

/**
 * What a policy decides about a whole run from its stream of assessments — used by `replay` and the judge
 * benchmark (the controller's own step machine lives in rollout-*.ts and follows the same rules):
 * - a fail verdict rolls back at once;
 * - `promoteEarly` promotes at once;
 * - once the steps' bakes are done, a pass verdict promotes;
 * - still inconclusive after `inconclusive.maxExtension` more: `inconclusive.then` (hold = stays inconclusive).
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
  const done = scheduleSeconds(spec);
  const giveUp = done + spec.inconclusive.maxExtension / 1000;
  return (t, a) => {
    const base = { at: t, reasons: a.reasons, score: a.score };
    if (a.verdict === 'fail') return { decision: 'rollback', ...base, ...(a.rule ? { rule: a.rule } : {}) };
    if (a.promoteEarly) return { decision: 'promote', ...base, rule: 'promote-early' };
    if (t + 1e-9 >= done && a.verdict === 'pass') return { decision: 'promote', ...base, rule: 'steps-complete' };
    if (t + 1e-9 >= giveUp) {
      const then = spec.inconclusive.then;
      const decision: Decision = then === 'hold' ? 'inconclusive' : then;
      return { decision, ...base, rule: `inconclusive-${then}` };
    }
    return undefined;
  };
}
