import type { IntervalObservation, SyntheticCounts } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import type { Reason } from './types.js';

/**
 * Playbook: synthetic score < minScore for `consecutive` intervals → roll back. The score is the suite's final
 * result (after retries). A low interval is not held against the canary when the baseline's probes failed just
 * as often (flaky probe, shared dependency outage): the canary must be worse than the baseline by more than the
 * rule's own slack (1 − minScore).
 */
export interface SyntheticResult {
  /** Health for the composite score; undefined when the canary had no probe results this interval. */
  health?: number;
  reason?: Reason;
  /** The rule fired. */
  failed: boolean;
}

export function createSyntheticRule(rule: PolicySpec['promotion']['synthetic']): (o: IntervalObservation) => SyntheticResult {
  let streak = 0;
  return (o) => {
    const canary = score(o.canary?.synthetic);
    if (canary === undefined) return { failed: false };
    const baseline = score(o.baseline?.synthetic);
    const low = canary < rule.minScore;
    const shared = low && baseline !== undefined && canary >= baseline - (1 - rule.minScore);
    const counts = low && !shared;
    streak = counts ? streak + 1 : 0;
    const failed = streak >= rule.consecutive;
    const verdict = failed ? 'fail' : low && !shared ? 'inconclusive' : 'pass';
    const c = o.canary!.synthetic!;
    const base = baseline === undefined ? 'no baseline probes' : `baseline ${pct(baseline)}`;
    const message = failed
      ? `synthetic score ${pct(canary)} < ${pct(rule.minScore)} for ${streak} consecutive intervals (${c.passed}/${c.runs} passed; ${base})`
      : shared
        ? `synthetic score ${pct(canary)} is low but the baseline's probes failed as often (${base}): not held against the canary`
        : `synthetic score ${pct(canary)} (${c.passed}/${c.runs} passed; ${base}); ${streak}/${rule.consecutive} low intervals in a row`;
    return {
      failed,
      health: shared ? Math.min(1, canary / Math.max(baseline ?? 1, 1e-9)) : canary,
      reason: {
        signal: 'synthetic',
        verdict,
        statistic: 'synthetic-score',
        value: canary,
        threshold: rule.minScore,
        message,
        details: { runs: c.runs, passed: c.passed, baselineScore: baseline ?? null, consecutiveLow: streak, consecutive: rule.consecutive },
      },
    };
  };
}

function score(s: SyntheticCounts | null | undefined): number | undefined {
  return s && s.runs > 0 ? Math.min(1, s.passed / s.runs) : undefined;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
