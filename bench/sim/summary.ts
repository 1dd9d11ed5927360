import type { JudgeRunResult } from './run-judge.js';
import type { Scenario } from './scenarios.js';

/** Per scenario × judge: the numbers of issue 3's table. */
export interface Cell {
  scenario: string;
  healthy: boolean;
  judge: string;
  runs: number;
  /** Healthy: any rollback. Regression: rollback at or after onset. */
  rollbackRate: number;
  rollbackCi: [number, number];
  medianDetect: number | null;
  p90Detect: number | null;
  meanExposed: number | null;
  promoteRate: number;
  medianPromote: number | null;
}

export function summarise(s: Scenario, judge: string, results: JudgeRunResult[]): Cell {
  const onset = s.onset ?? 0;
  const rolled = results.filter((r) => r.decision === 'rollback' && (s.healthy || r.at > onset));
  const detect = rolled.map((r) => r.at - onset).sort((a, b) => a - b);
  const promoted = results
    .filter((r) => r.decision === 'promote')
    .map((r) => r.at)
    .sort((a, b) => a - b);
  const n = results.length;
  return {
    scenario: s.name,
    healthy: s.healthy,
    judge,
    runs: n,
    rollbackRate: rolled.length / n,
    rollbackCi: wilson(rolled.length, n),
    medianDetect: s.healthy ? null : quantile(detect, 0.5),
    p90Detect: s.healthy ? null : quantile(detect, 0.9),
    meanExposed: s.healthy ? null : results.reduce((a, r) => a + r.exposed, 0) / n,
    promoteRate: promoted.length / n,
    medianPromote: quantile(promoted, 0.5),
  };
}

export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** 95% Wilson interval for a proportion. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}
