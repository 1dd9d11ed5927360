import type { Classification } from './classifier.js';

/**
 * `WeightedSumScorer` + `ThresholdScoreClassifier` (docs/statistics.md §7): per-group share of passing
 * metrics, weighted by `groupWeights` (percent; unweighted groups split the rest), rounded to 2 decimals;
 * 0 when a critical metric failed or ≥ 50% of the results are Nodata.
 */
export interface ScoredMetric {
  group: string;
  classification: Classification;
  critical: boolean;
}

export const NODATA_THRESHOLD = 0.5;

export function scoreMetrics(
  results: readonly ScoredMetric[],
  groupWeights: Record<string, number>,
): { score: number; groups: Record<string, number> } {
  const byGroup = new Map<string, ScoredMetric[]>();
  for (const r of results) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  const groups: Record<string, number> = {};
  for (const [g, rs] of byGroup) {
    const pass = rs.filter((r) => r.classification === 'Pass').length;
    const counted = rs.filter(
      (r) =>
        r.classification === 'Pass' ||
        r.classification === 'High' ||
        r.classification === 'Low' ||
        r.classification === 'NodataFailMetric',
    ).length;
    groups[g] = counted === 0 ? 100 : (100 * pass) / counted;
  }
  const names = Object.keys(groups);
  const given = names.filter((n) => groupWeights[n] !== undefined);
  const rest = 100 - given.reduce((s, n) => s + groupWeights[n]!, 0);
  const share = names.length > given.length ? rest / (names.length - given.length) : 0;
  let total = 0;
  for (const n of names) total += (groupWeights[n] ?? share) * groups[n]!;
  let score = Math.round(total) / 100; // Σ w·score / 100, rounded to 2 decimals
  const criticalFailure = results.some((r) => r.critical && r.classification !== 'Pass');
  const nodata = results.filter((r) => r.classification === 'Nodata').length;
  if (criticalFailure || (results.length > 0 && nodata / results.length >= NODATA_THRESHOLD)) score = 0;
  return { score, groups };
}

export type ScoreClass = 'Pass' | 'Marginal' | 'Fail';

export function classifyScore(score: number, pass: number, marginal: number): ScoreClass {
  return score >= pass ? 'Pass' : score >= marginal ? 'Marginal' : 'Fail';
}
