import type { IntervalObservation, SyntheticCounts } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import { fisherGreater } from './fisher.js';
import type { Reason } from './assessment.js';

/**
 * Playbook: synthetic score < minScore for `consecutive` intervals → roll back. The score is the suite's final
 * result (after retries). Failures the baseline's probes share (flaky probe, shared dependency outage) are not
 * held against the canary: over the run of low intervals (at least `consecutive` of them) the canary must have
 * failed significantly more often than the baseline (one-sided Fisher exact test, p < 0.01). A suite with few
 * runs per interval may therefore need a third low interval to show that. Without baseline probes there is nothing to
 * compare with and the playbook rule applies as written.
 */
export interface SyntheticResult {
  /** Health for the composite score; undefined when the canary had no probe results this interval. */
  health?: number;
  reason?: Reason;
  /** The rule fired. */
  failed: boolean;
}

const SHARED_P = 0.01;
/** How many low intervals the comparison with the baseline may pool. */
const MAX_WINDOW = 12;

interface Window {
  canary: SyntheticCounts;
  baseline?: SyntheticCounts;
}

export function createSyntheticRule(
  rule: PolicySpec['promotion']['synthetic'],
): (o: IntervalObservation) => SyntheticResult {
  let low: Window[] = [];
  return (o) => {
    const c = o.canary?.synthetic;
    const canary = score(c);
    if (!c || canary === undefined) return { failed: false };
    const b = o.baseline?.synthetic ?? undefined;
    const baseline = score(b);
    low =
      canary < rule.minScore
        ? [...low, { canary: c, ...(b && b.runs > 0 ? { baseline: b } : {}) }].slice(
            -Math.max(rule.consecutive, MAX_WINDOW),
          )
        : [];
    const p = low.length >= rule.consecutive ? sharedP(low) : 1;
    const failed = low.length >= rule.consecutive && p < SHARED_P;
    const excused = low.length >= rule.consecutive && !failed;
    const verdict = failed ? 'fail' : low.length > 0 ? 'inconclusive' : 'pass';
    const base = baseline === undefined ? 'no baseline probes' : `baseline ${pct(baseline)}`;
    const message = failed
      ? `canary probes passed ${pct(canary)} < ${pct(rule.minScore)} for ${low.length}` +
        ` consecutive intervals (${c.passed}/${c.runs} passed; ${base}; canary ` +
        `worse than baseline, p = ${p.toPrecision(2)})`
      : excused
        ? `canary probes passed ${pct(canary)} is low but the baseline's probes ` +
          `failed about as often (${base}, p = ${p.toPrecision(2)}): not held ` +
          `against the canary`
        : `canary probes passed ${pct(canary)} (${c.passed}/${c.runs} passed; ${base}` +
          `); ${low.length}/${rule.consecutive} low intervals in a row`;
    return {
      failed,
      health: excused ? Math.min(1, canary / Math.max(baseline ?? 1, 1e-9)) : canary,
      reason: {
        signal: 'synthetic',
        verdict,
        statistic: 'synthetic-score',
        value: canary,
        threshold: rule.minScore,
        message,
        details: {
          runs: c.runs,
          passed: c.passed,
          baselineScore: baseline ?? null,
          consecutiveLow: low.length,
          consecutive: rule.consecutive,
          sharedP: p,
        },
      },
    };
  };
}

/** p-value of "the canary failed no more often than the baseline" over the low intervals; 0 without baseline data. */
function sharedP(window: Window[]): number {
  let fc = 0;
  let nc = 0;
  let fb = 0;
  let nb = 0;
  for (const w of window) {
    if (!w.baseline) return 0;
    fc += w.canary.runs - w.canary.passed;
    nc += w.canary.runs;
    fb += w.baseline.runs - w.baseline.passed;
    nb += w.baseline.runs;
  }
  return fisherGreater(fc, nc, fb, nb);
}

function score(s: SyntheticCounts | null | undefined): number | undefined {
  return s && s.runs > 0 ? Math.min(1, s.passed / s.runs) : undefined;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
