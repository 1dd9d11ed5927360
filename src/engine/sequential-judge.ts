import type { IntervalObservation } from '../schema/observation.js';
import type { MetricPolicy, PolicySpec } from '../schema/policy.js';
import type { Judge, JudgeOutput, MetricJudgement } from './judge-interface.js';
import { createCustomMetricTest } from './custom-metric-test.js';
import { countTestsFor, type CountTest } from './sequential-metric.js';
import { changePointPrior, plannedIntervals } from './start-time-prior.js';
import type { Reason } from './assessment.js';

/**
 * The default judge: anytime-valid count tests (count-evidence.ts; docs/statistics.md §2–5) that may be looked at
 * every interval, each mixed over the interval a regression starts at (start-time-prior.ts).
 * α is split evenly across metrics and, within a metric, across its tests (Bonferroni), so the family-wise
 * false-abort rate over the whole rollout stays ≤ α. (Giving critical metrics twice the share was tried on the
 * benchmark's tuning seeds: the error test's threshold falls by log 4/3 ≈ 0.3 nats, under half an interval of
 * evidence, while the latency tests lose as much; no net gain.) A metric fails when any of its mixtures
 * reaches 1/α_test; it passes once the canary has served `minCanaryRequests` without that; the rollout may
 * promote early when every metric's confidence sequence puts the canary/baseline ratio below its tolerance.
 */
interface MetricState {
  metric: MetricPolicy;
  tests: CountTest[];
  /** log(1/α_test), the same for each of the metric's tests. */
  logThreshold: number;
}

export function createSequentialJudge(spec: PolicySpec): Judge {
  const countable = spec.metrics.filter((m) => m.kind !== 'custom');
  // Custom metrics get a test by betting on their samples (custom-metric-test.ts) and their share of α.
  const bettable = spec.metrics.filter((m) => m.kind === 'custom');
  const judged = countable.length + bettable.length;
  const prior = changePointPrior(plannedIntervals(spec));
  const states: MetricState[] = countable.map((metric) => {
    const tests = countTestsFor(metric, spec.latencyBoundsMs, spec.sequential.latencyQuantiles, prior);
    return { metric, tests, logThreshold: Math.log((judged * tests.length) / spec.alpha) };
  });
  const bets = bettable.map((m) => createCustomMetricTest(m, Math.log(judged / spec.alpha)));
  let canaryRequests = 0;
  return {
    name: 'sequential',
    update(o: IntervalObservation): JudgeOutput {
      canaryRequests += o.canary?.requests ?? 0;
      const enough = canaryRequests >= spec.sequential.minCanaryRequests;
      const metrics: MetricJudgement[] = states.map((s) => judgeMetric(s, o, enough, canaryRequests));
      for (const b of bets) metrics.push(b.update(o));
      const promoteEarly =
        states.length + bets.length > 0 &&
        states.every((s) => s.tests.every((t) => isWithinTolerance(t, s))) &&
        bets.every((b) => b.withinTolerance());
      return { metrics, promoteEarly };
    },
  };
}

function judgeMetric(s: MetricState, o: IntervalObservation, enough: boolean, canaryRequests: number): MetricJudgement {
  for (const t of s.tests) t.add(o);
  // The test with the most evidence of a regression speaks for the metric.
  let worst = s.tests[0]!;
  let worstLogBf = -Infinity;
  for (const t of s.tests) {
    const v = t.evidence.logBayesFactor(s.metric.direction);
    if (v > worstLogBf) {
      worstLogBf = v;
      worst = t;
    }
  }
  const failed = worstLogBf >= s.logThreshold;
  // Evidence below √(1/α) is what healthy canaries show routinely; only evidence beyond it lowers the health
  // (and makes the metric "inconclusive: keep watching" rather than pass).
  const health = failed ? 0 : 1 - clamp01((worstLogBf - s.logThreshold / 2) / (s.logThreshold / 2));
  const verdict = failed ? 'fail' : enough && health === 1 ? 'pass' : 'inconclusive';
  return {
    metric: s.metric.name,
    verdict,
    health,
    critical: s.metric.critical,
    weight: s.metric.weight,
    reason: reasonFor(s, worst, worstLogBf, verdict, canaryRequests),
  };
}

function reasonFor(
  s: MetricState,
  t: CountTest,
  logBf: number,
  verdict: Reason['verdict'],
  canaryRequests: number,
): Reason {
  const e = t.evidence;
  // Capped so the reason stays JSON (no Infinity); the log is exact in details.
  const bf = Math.exp(Math.min(logBf, 30 * Math.LN10));
  const threshold = Math.exp(s.logThreshold);
  const ratio = e.expectedCanary > 0 ? e.canaryEvents / e.expectedCanary : null;
  const lower = Math.exp(e.lowerBound(s.logThreshold));
  const upper = Math.exp(e.upperBound(s.logThreshold));
  const what =
    t.label === 'errors' ? 'errors' : `requests ${t.label}${t.boundMs !== undefined ? ` (> ${t.boundMs} ms)` : ''}`;
  const ratioText =
    ratio === null ? 'no events yet' : `canary/baseline ratio ${fmt(ratio)} (CS ${fmt(lower)}–${fmt(upper)})`;
  const head =
    verdict === 'fail'
      ? 'regressed'
      : verdict === 'pass'
        ? 'no regression found'
        : logBf >= s.logThreshold / 2
          ? 'evidence of a regression is building'
          : 'not enough data yet';
  return {
    signal: s.metric.name,
    verdict,
    statistic: 'mixture-likelihood-ratio',
    value: round(bf),
    threshold: round(threshold),
    message:
      `${head}: ${what} ${e.canaryEvents} on canary vs ${fmt(e.expectedCanary)}` +
      ` expected, ${ratioText}, evidence ${fmt(bf)} vs ${fmt(threshold)} to ` +
      `roll back${verdict === 'inconclusive' ? ` (${canaryRequests} canary requests so far)` : ''}`,
    effect: {
      counted: what,
      observed: e.canaryEvents,
      expected: round(e.expectedCanary),
      ratio: ratio === null ? null : round(ratio),
      lower: ratio !== null && Number.isFinite(lower) ? round(lower) : null,
      upper: ratio !== null && Number.isFinite(upper) ? round(upper) : null,
    },
    details: {
      test: t.label,
      logBayesFactor: round(logBf),
      boundMs: t.boundMs ?? null,
      canaryEvents: e.canaryEvents,
      baselineEvents: e.baselineEvents,
      expectedCanary: round(e.expectedCanary),
      ratio: ratio === null ? null : round(ratio),
      ratioLower: Number.isFinite(lower) ? round(lower) : null,
      ratioUpper: Number.isFinite(upper) ? round(upper) : null,
      tolerance: s.metric.tolerance,
      canaryRequests,
    },
  };
}

function isWithinTolerance(t: CountTest, s: MetricState): boolean {
  return t.evidence.logMixture(Math.log(s.metric.tolerance), 'down') >= s.logThreshold;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Math.abs(x) >= 1000) return x.toExponential(2);
  return String(Math.round(x * 100) / 100);
}
