import type { IntervalObservation, SyntheticCounts } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import { CountEvidence, ratioMixture } from './count-evidence.js';
import { fmt } from './sequential-judge.js';
import type { StartTimePrior } from './start-time-prior.js';
import type { Reason } from './assessment.js';

/**
 * Playbook: synthetic score < minScore for `consecutive` intervals → roll back. The score is the suite's final
 * result (after retries). Failures the stable version's probes share (flaky probe, shared dependency outage)
 * are not held against the canary: when stable's probes ran in the low intervals, the rule also needs
 * anytime-valid evidence that the canary's probes fail more often than stable's (docs/statistics.md §6) — the
 * count test of count-evidence.ts on how failed probe runs split between the variants, at 1/α. That is a
 * deliberate refinement of the playbook rule: a test on pooled low intervals (Fisher's, p < 0.01) re-run every
 * interval rolled back about 1 in 170 healthy canaries in the benchmark's shared error bursts, while this one
 * cannot do so with probability above α. Without stable's probes there is nothing to compare with and the
 * playbook rule applies as written.
 */
export interface SyntheticResult {
  /** Health for the composite score; undefined when the canary had no probe results this interval. */
  health?: number;
  reason?: Reason;
  /** The rule fired. */
  failed: boolean;
}

/**
 * A probe that fails for the canary alone fails many times as often as a flaky one on stable (the benchmark's
 * synthetic-only failure: 40% against 0.2%, ×200), so the mixture is over large ratios; with as many runs a
 * side, a ratio beyond ×20 puts nearly every failure on the canary and each is worth up to log 2 nats.
 */
const PROBE_MIXTURE = ratioMixture([3, 10, 33, 99], [0.15, 0.25, 0.25, 0.35]);

/**
 * `prior` weighs the interval the canary's probes start failing at, as for the count tests: shared outages
 * before it put failures on stable's side, which is evidence against "the canary fails many times as often"
 * that a test from the start would first have to climb out of.
 */
export function createSyntheticRule(
  rule: PolicySpec['promotion']['synthetic'],
  alpha: number,
  prior: StartTimePrior,
): (o: IntervalObservation) => SyntheticResult {
  const evidence = new CountEvidence(prior, PROBE_MIXTURE);
  const logThreshold = Math.log(1 / alpha);
  let low = 0;
  /** A low interval of the current run had no stable probes to compare with. */
  let unpaired = false;
  return (o) => {
    const c = o.canary?.synthetic;
    const canary = score(c);
    if (!c || canary === undefined) return { failed: false };
    const b = o.baseline?.synthetic ?? undefined;
    const baseline = score(b);
    if (b && baseline !== undefined)
      evidence.add(c.runs - c.passed, b.runs - b.passed, c.runs / (c.runs + b.runs), {
        canary: c.runs,
        baseline: b.runs,
      });
    if (canary < rule.minScore) {
      low++;
      unpaired ||= baseline === undefined;
    } else {
      low = 0;
      unpaired = false;
    }
    const logE = evidence.logBayesFactor('increase');
    const streak = low >= rule.consecutive;
    const failed = streak && (unpaired || logE >= logThreshold);
    const excused = streak && !failed;
    const verdict = failed ? 'fail' : low > 0 ? 'inconclusive' : 'pass';
    const message = messageFor({ c, canary, baseline, low, unpaired, failed, excused, logE, alpha, rule });
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
          consecutiveLow: low,
          consecutive: rule.consecutive,
          logEvidence: Math.round(logE * 1e4) / 1e4,
          evidenceThreshold: Math.round(1 / alpha),
        },
      },
    };
  };
}

interface MessageInput {
  c: SyntheticCounts;
  canary: number;
  baseline: number | undefined;
  low: number;
  unpaired: boolean;
  failed: boolean;
  excused: boolean;
  logE: number;
  alpha: number;
  rule: PolicySpec['promotion']['synthetic'];
}

function messageFor(m: MessageInput): string {
  const base = m.baseline === undefined ? 'no stable probes' : `stable ${pct(m.baseline)}`;
  const e = fmt(Math.exp(Math.min(m.logE, 30 * Math.LN10)));
  const bound = Math.round(1 / m.alpha);
  if (m.failed)
    return (
      `canary probes passed ${pct(m.canary)} < ${pct(m.rule.minScore)} for ${m.low}` +
      ` consecutive intervals (${m.c.passed}/${m.c.runs} passed; ${base}` +
      (m.unpaired ? ')' : `; canary's probes fail more often than stable's: evidence ${e} ≥ ${bound})`)
    );
  if (m.excused)
    return (
      `canary probes passed ${pct(m.canary)} is low but stable's probes ` +
      `failed about as often (${base}; evidence ${e} < ${bound}): not held against the canary`
    );
  return (
    `canary probes passed ${pct(m.canary)} (${m.c.passed}/${m.c.runs} passed; ${base}` +
    `); ${m.low}/${m.rule.consecutive} low intervals in a row`
  );
}

function score(s: SyntheticCounts | null | undefined): number | undefined {
  return s && s.runs > 0 ? Math.min(1, s.passed / s.runs) : undefined;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
