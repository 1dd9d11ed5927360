import type { IntervalObservation } from '../schema/observation.js';
import type { MetricPolicy } from '../schema/policy.js';
import { BettingEvidence } from './betting-evidence.js';
import type { MetricJudgement } from './judge-interface.js';
import { customSamplesOf } from './observation-stats.js';
import { fmt, round } from './sequential-judge.js';
import type { Reason, Verdict } from './assessment.js';

/**
 * The sequential judge's test for a `kind: custom` metric (CPU, memory, saturation, a business KPI): an
 * anytime-valid two-sample test by betting (betting-evidence.ts) on the canary's samples against the
 * baseline's, pair by pair inside each interval. docs/statistics.md states the guarantee and its cost.
 *
 * Assumptions, and nothing else: (1) within an interval, given what both variants share then (load, time of
 * day), the samples are independent draws, and the order they are listed in does not depend on their values;
 * (2) "no regression" (`direction: increase`) means each canary sample is stochastically no larger than a
 * baseline sample of the same interval (`decrease`: no smaller). Load may swing between intervals, and the
 * distributions may be anything (skewed, heavy-tailed, unbounded): each bet compares two samples of one
 * interval, where shared load cancels. No range, normality, stationarity or independence across intervals.
 *
 * The bet on a pair (c, b) — the i-th canary and i-th baseline sample of an interval — is
 * f(c, b) = clip((c − b) / (0.1·(|c| + |b|)), −1, 1): antisymmetric (f(b, c) = −f(c, b)) and increasing in c,
 * so if c is stochastically no larger than an independent copy b′ of b, E f(c, b) ≤ E f(b′, b) = 0, and every
 * factor 1 + λ·f has expectation ≤ 1. Relative differences of 10% or more count fully, so a +30% regression
 * is seen at once while noise of a few percent bets little. Early promotion bets, the same way, against
 * "canary samples stochastically at least `tolerance` × baseline samples", i.e. on f(tolerance·b, c).
 */
export interface CustomMetricTest {
  update(o: IntervalObservation): MetricJudgement;
  /** Evidence that the canary is within tolerance (every side that is bad). */
  withinTolerance(): boolean;
}

/** Below this many pairs a custom metric is "not enough data" rather than a pass. */
export const MIN_CUSTOM_PAIRS = 3;
/** The relative difference that counts as a full bet. */
const SCALE = 0.1;

/** The antisymmetric bounded bet on x being larger than y (see above). */
export function relativeBet(x: number, y: number): number {
  const d = Math.abs(x) + Math.abs(y);
  if (!(d > 0)) return 0;
  const v = (x - y) / (SCALE * d);
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

export function createCustomMetricTest(metric: MetricPolicy, logThreshold: number): CustomMetricTest {
  const r = metric.tolerance;
  const up = new BettingEvidence(); // against "canary stochastically ≤ baseline"
  const down = new BettingEvidence(); // against "canary stochastically ≥ baseline"
  const tolUp = new BettingEvidence(); // against "canary stochastically ≥ r × baseline"
  const tolDown = new BettingEvidence(); // against "r × canary stochastically ≤ baseline"
  const seen = { canary: 0, baseline: 0, canarySum: 0, baselineSum: 0, pairs: 0 };
  const rollbackLog = (): number => {
    if (metric.direction === 'increase') return up.logValue();
    if (metric.direction === 'decrease') return down.logValue();
    return logMeanExp(up.logValue(), down.logValue());
  };
  return {
    update(o) {
      const c = customSamplesOf(o.canary, metric.name);
      const b = customSamplesOf(o.baseline, metric.name);
      seen.canary += c.length;
      seen.baseline += b.length;
      seen.canarySum += c.reduce((a, x) => a + x, 0);
      seen.baselineSum += b.reduce((a, x) => a + x, 0);
      // The first k samples of each, k = the smaller count: which ones never depends on their values.
      for (let i = 0; i < Math.min(c.length, b.length); i++) {
        seen.pairs += 1;
        up.add(relativeBet(c[i]!, b[i]!));
        down.add(relativeBet(b[i]!, c[i]!));
        tolUp.add(relativeBet(r * b[i]!, c[i]!));
        tolDown.add(relativeBet(r * c[i]!, b[i]!));
      }
      const logW = rollbackLog();
      const failed = logW >= logThreshold;
      const health = failed ? 0 : 1 - clamp01((logW - logThreshold / 2) / (logThreshold / 2));
      const noData = seen.pairs === 0;
      const verdict: Verdict = failed
        ? 'fail'
        : seen.pairs >= MIN_CUSTOM_PAIRS && health === 1
          ? 'pass'
          : 'inconclusive';
      return {
        metric: metric.name,
        verdict,
        health,
        critical: metric.critical,
        // A metric nobody has sent samples for yet does not hold the rollout back unless it must have data.
        weight: noData && !metric.mustHaveData ? 0 : metric.weight,
        reason: reasonFor(metric, logW, logThreshold, verdict, seen),
      };
    },
    withinTolerance() {
      const sides =
        metric.direction === 'increase' ? [tolUp] : metric.direction === 'decrease' ? [tolDown] : [tolUp, tolDown];
      return sides.every((s) => s.logValue() >= logThreshold);
    },
  };
}

interface Seen {
  canary: number;
  baseline: number;
  canarySum: number;
  baselineSum: number;
  pairs: number;
}

function reasonFor(metric: MetricPolicy, logW: number, logThreshold: number, verdict: Verdict, s: Seen): Reason {
  const wealth = Math.exp(Math.min(logW, 30 * Math.LN10));
  const threshold = Math.exp(logThreshold);
  const canaryMean = s.canary > 0 ? s.canarySum / s.canary : null;
  const baselineMean = s.baseline > 0 ? s.baselineSum / s.baseline : null;
  const ratio = canaryMean !== null && baselineMean !== null && baselineMean > 0 ? canaryMean / baselineMean : null;
  const head = headline(verdict, s.pairs, logW >= logThreshold / 2);
  const means =
    canaryMean === null || baselineMean === null
      ? `${s.canary} canary and ${s.baseline} baseline samples`
      : `mean ${fmt(canaryMean)} on canary vs ${fmt(baselineMean)} on baseline` +
        `${ratio === null ? '' : ` (×${fmt(ratio)})`}`;
  return {
    signal: metric.name,
    verdict,
    statistic: 'betting-wealth',
    value: round(wealth),
    threshold: round(threshold),
    message:
      `${head}: ${means} over ${s.pairs} paired samples, evidence ${fmt(wealth)}` +
      ` vs ${fmt(threshold)} to roll back`,
    details: {
      test: 'betting',
      logWealth: round(logW),
      pairs: s.pairs,
      canarySamples: s.canary,
      baselineSamples: s.baseline,
      canaryMean: canaryMean === null ? null : round(canaryMean),
      baselineMean: baselineMean === null ? null : round(baselineMean),
      ratio: ratio === null ? null : round(ratio),
      tolerance: metric.tolerance,
    },
  };
}

function headline(verdict: Verdict, pairs: number, building: boolean): string {
  if (verdict === 'fail') return 'regressed';
  if (verdict === 'pass') return 'no regression found';
  if (pairs === 0) return 'no samples yet';
  return building ? 'evidence of a regression is building' : 'not enough data yet';
}

function logMeanExp(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log((Math.exp(a - m) + Math.exp(b - m)) / 2);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
