import type { IntervalObservation, VariantObservation } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import type { Reason } from './assessment.js';

/** What the canary was compared with in an interval: the baseline instances, or the stable version serving. */
export type Comparison = 'baseline' | 'stable';

export interface JudgedView {
  /** The observation the judge sees (baseline = whatever the canary is compared with); absent during warm-up. */
  observation?: IntervalObservation;
  comparison: Comparison;
  warmup: boolean;
  /** Says which comparison the interval used, and whether it was judged; recorded with every decision. */
  reason: Reason;
}

/**
 * What the judge is shown of one interval. A canary is a fresh process next to a warm stable: cold caches and
 * JIT warm-up make it look worse at first. Two remedies, both recorded in every decision's reasons:
 * - a baseline (`control` in observations: fresh stable instances started with the canary, given the same
 *   load) — when it has data the judge compares the canary with it instead of with stable, so a cold start is
 *   on both sides of the comparison and cancels (Kayenta's practice);
 * - the policy's `warmup`: intervals ending within it are observed, recorded and shown, but not judged; the
 *   same again from each restart of the upstream processes (`restartedAt`), which makes them as cold as at
 *   the start — the canary's few requests would carry its cold start far more than stable's many.
 * Only the judge is redirected: the synthetic rule and the error budget always read stable and the canary.
 * Once a baseline has shown data the rollout keeps comparing with it (an interval where it has none tells the
 * judge nothing), so a gap in the baseline's data never brings a cold canary back against a warm stable.
 */
export function createJudgedView(spec: PolicySpec): (o: IntervalObservation) => JudgedView {
  let withBaseline = false;
  return (o) => {
    withBaseline ||= hasData(o.control);
    return judgedView(o, spec, withBaseline);
  };
}

function judgedView(o: IntervalObservation, spec: PolicySpec, withBaseline: boolean): JudgedView {
  const comparison: Comparison = withBaseline ? 'baseline' : 'stable';
  // Rounded to the millisecond, as `t` is: 10.3 − 10.1 must not read as a hair over 0.2 s.
  const sinceRestartMs = o.restartedAt === undefined ? undefined : Math.round((o.t - o.restartedAt) * 1000);
  const afterRestart = sinceRestartMs !== undefined && sinceRestartMs <= spec.warmup && o.t * 1000 > spec.warmup;
  const warmup = o.t * 1000 <= spec.warmup || afterRestart;
  const against = withBaseline
    ? 'the baseline (fresh stable instances started with the canary)'
    : 'the stable version serving now';
  const seconds = spec.warmup / 1000;
  const reason: Reason = {
    signal: 'comparison',
    verdict: warmup ? 'inconclusive' : 'pass',
    statistic: warmup ? 'warmup' : 'comparison',
    value: afterRestart ? sinceRestartMs / 1000 : o.t,
    threshold: seconds,
    message: afterRestart
      ? `warm-up after the upstreams restarted at ${o.restartedAt}s: interval ending ${sinceRestartMs / 1000}s ` +
        `of ${seconds}s later observed, not judged (canary vs ${against})`
      : warmup
        ? `warm-up: interval ending at ${o.t}s of ${seconds}s observed, not judged (canary vs ${against})`
        : `canary compared with ${against}`,
    details: {
      comparison,
      warmup: warmup ? 'yes' : 'no',
      warmupSeconds: seconds,
      ...(o.restartedAt !== undefined ? { restartedAt: o.restartedAt } : {}),
    },
  };
  if (warmup) return { comparison, warmup, reason };
  return { observation: withBaseline ? { ...o, baseline: o.control ?? null } : o, comparison, warmup, reason };
}

function hasData(v: VariantObservation | null | undefined): v is VariantObservation {
  if (!v) return false;
  if ((v.requests ?? 0) > 0) return true;
  return Object.values(v.custom ?? {}).some((x) => x !== null && (typeof x === 'number' || x.length > 0));
}
