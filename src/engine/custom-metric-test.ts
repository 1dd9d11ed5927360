import type { IntervalObservation } from '../schema/observation.js';
import type { MetricPolicy } from '../schema/policy.js';
import { BettingEvidence } from './betting-evidence.js';
import type { MetricJudgement } from './judge.js';
import { customSamplesOf } from './observation-stats.js';
import { fmt, round } from './sequential-judge.js';
import type { Reason, Verdict } from './types.js';

/**
 * The sequential judge's test for a `kind: custom` metric (CPU, memory, saturation, a business KPI): an
 * anytime-valid two-sample test by betting (betting-evidence.ts) on the canary's samples against the
 * baseline's, interval by interval. docs/statistics.md states the guarantee and its cost.
 *
 * Assumptions, and nothing else: (1) every sample lies in the policy's `range` [min, max] (values outside are
 * clamped and counted in the reason); (2) within an interval, given what both variants share then (load, time
 * of day), each variant's samples are independent draws whose mean depends on the variant only; (3) "no
 * regression" means the canary's mean is at most the baseline's in every interval (for `direction: increase`;
 * at least, for `decrease`). Load may swing between intervals: each bet is on a difference inside one interval,
 * where shared load cancels. No normality, no stationarity, no independence across intervals.
 *
 * Each interval's k = min(canary, baseline sample count) pairs are disjoint groups (the i-th k-th of each
 * variant's samples, in the order taken), so the pairs are independent given the interval and each group
 * mean has its variant's mean; the bet is on the pair's difference scaled by the range into [−1, 1].
 * Rollback: the bettor against "canary no worse" reaches 1/α_metric. Early promotion: a second bettor against
 * "canary worse than `tolerance` × baseline" reaches it (on a ratio of means, so `min` must be ≥ 0).
 */
export interface CustomMetricTest {
  update(o: IntervalObservation): MetricJudgement;
  /** Evidence that the canary is within tolerance (every side that is bad). */
  withinTolerance(): boolean;
}

/** Below this many pairs a custom metric is "not enough data" rather than a pass. */
export const MIN_CUSTOM_PAIRS = 3;

export function createCustomMetricTest(metric: MetricPolicy, logThreshold: number): CustomMetricTest {
  const range = metric.range;
  if (!range) throw new Error(`custom metric ${metric.name} has no range: the sequential judge cannot test it`);
  const { min, max } = range;
  const r = metric.tolerance;
  const span = max - min;
  const tolSpan = Math.max(Math.abs(r * min - max), Math.abs(r * max - min));
  const up = new BettingEvidence(); // against "canary mean ≤ baseline mean"
  const down = new BettingEvidence(); // against "canary mean ≥ baseline mean"
  const tolUp = new BettingEvidence(); // against "canary mean ≥ r × baseline mean"
  const tolDown = new BettingEvidence(); // against "canary mean ≤ baseline mean / r"
  const seen = { canary: 0, baseline: 0, canarySum: 0, baselineSum: 0, clamped: 0, pairs: 0 };
  const clamp = (x: number): number => {
    if (x >= min && x <= max) return x;
    seen.clamped += 1;
    return x < min ? min : max;
  };
  const rollbackLog = (): number => {
    if (metric.direction === 'increase') return up.logValue();
    if (metric.direction === 'decrease') return down.logValue();
    return logMeanExp(up.logValue(), down.logValue());
  };
  return {
    update(o) {
      const c = customSamplesOf(o.canary, metric.name).map(clamp);
      const b = customSamplesOf(o.baseline, metric.name).map(clamp);
      seen.canary += c.length;
      seen.baseline += b.length;
      seen.canarySum += c.reduce((a, x) => a + x, 0);
      seen.baselineSum += b.reduce((a, x) => a + x, 0);
      for (const [cm, bm] of groupMeans(c, b)) {
        seen.pairs += 1;
        up.add((cm - bm) / span);
        down.add((bm - cm) / span);
        tolUp.add((r * bm - cm) / tolSpan);
        tolDown.add((r * cm - bm) / tolSpan);
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

/** k = min(|c|, |b|) pairs of group means: the i-th of k consecutive, disjoint groups of each variant's samples. */
export function groupMeans(c: readonly number[], b: readonly number[]): [number, number][] {
  const k = Math.min(c.length, b.length);
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([groupMean(c, i, k), groupMean(b, i, k)]);
  return out;
}

function groupMean(xs: readonly number[], i: number, k: number): number {
  const from = Math.floor((i * xs.length) / k);
  const to = Math.floor(((i + 1) * xs.length) / k);
  let s = 0;
  for (let j = from; j < to; j++) s += xs[j]!;
  return s / (to - from);
}

interface Seen {
  canary: number;
  baseline: number;
  canarySum: number;
  baselineSum: number;
  clamped: number;
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
      : `mean ${fmt(canaryMean)} on canary vs ${fmt(baselineMean)} on baseline${ratio === null ? '' : ` (×${fmt(ratio)})`}`;
  const clamped = s.clamped > 0 ? `, ${s.clamped} samples outside the declared range were clamped` : '';
  return {
    signal: metric.name,
    verdict,
    statistic: 'betting-wealth',
    value: round(wealth),
    threshold: round(threshold),
    message: `${metric.name} ${head}: ${means} over ${s.pairs} paired samples, evidence ${fmt(wealth)} vs ${fmt(threshold)} to roll back${clamped}`,
    details: {
      test: 'betting',
      logWealth: round(logW),
      pairs: s.pairs,
      canarySamples: s.canary,
      baselineSamples: s.baseline,
      canaryMean: canaryMean === null ? null : round(canaryMean),
      baselineMean: baselineMean === null ? null : round(baselineMean),
      ratio: ratio === null ? null : round(ratio),
      clamped: s.clamped,
      rangeMin: metric.range?.min ?? null,
      rangeMax: metric.range?.max ?? null,
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
