import type { JudgeRunResult } from './run-judge.js';
import type { Scenario } from './scenarios.js';

/**
 * Per condition × judge. Times to detect are seconds after onset. `medianDetect`/`p90Detect` count a run that
 * never rolled back as never detected (null once that is the median's or p90's run), so a judge that misses
 * often cannot look fast; `medianDetected` is over detected runs only (the definition earlier reports used).
 */
export interface Cell {
  scenario: string;
  healthy: boolean;
  /** A healthy condition outside the guarantee's null, and why rolling back is expected (scenarios.ts). */
  expectedAbort?: string;
  judge: string;
  runs: number;
  /** Healthy: any rollback. Regression: rollback at or after onset. */
  rollbackRate: number;
  rollbackCi: [number, number];
  medianDetect: number | null;
  p90Detect: number | null;
  medianDetected: number | null;
  /** Who rolled back, and how often ("rule:critical-metric", "judge", …). */
  rollbackRules?: Record<string, number>;
  /** Runs where the state machine would have held a weight the simulated schedule moved past. */
  divergedRate: number;
  meanExposed: number | null;
  promoteRate: number;
  medianPromote: number | null;
  /** Oracle: share of runs detected before the plan's last step ends (when a healthy-looking canary promotes). */
  withinPlanRate?: number;
}

export function summarise(s: Scenario, judge: string, results: JudgeRunResult[]): Cell {
  const onset = s.onset ?? 0;
  const rolled = results.filter((r) => r.decision === 'rollback' && (s.healthy || r.at > onset));
  const detect = rolled.map((r) => r.at - onset).sort((a, b) => a - b);
  const withMisses = [...detect, ...Array<number>(results.length - detect.length).fill(Infinity)];
  const promoted = results
    .filter((r) => r.decision === 'promote')
    .map((r) => r.at)
    .sort((a, b) => a - b);
  const n = results.length;
  return {
    scenario: s.name,
    healthy: s.healthy,
    ...(s.expectedAbort ? { expectedAbort: s.expectedAbort } : {}),
    judge,
    runs: n,
    rollbackRate: rolled.length / n,
    rollbackCi: wilson(rolled.length, n),
    medianDetect: s.healthy ? null : finite(quantile(withMisses, 0.5)),
    p90Detect: s.healthy ? null : finite(quantile(withMisses, 0.9)),
    medianDetected: s.healthy ? null : quantile(detect, 0.5),
    divergedRate: results.filter((r) => r.diverged).length / n,
    rollbackRules: countBy(rolled.map((r) => r.rule ?? '?')),
    meanExposed: s.healthy ? null : results.reduce((a, r) => a + r.exposed, 0) / n,
    promoteRate: promoted.length / n,
    medianPromote: quantile(promoted, 0.5),
  };
}

/**
 * A detection-time list for an oracle or any judge that only reports times: null = never. `planEnd` (seconds from
 * start) adds the share detected by then.
 */
export function detectionCell(s: Scenario, judge: string, times: (number | null)[], planEnd?: number): Cell {
  const detect = times.filter((t): t is number => t !== null).sort((a, b) => a - b);
  const withMisses = [...detect, ...Array<number>(times.length - detect.length).fill(Infinity)];
  const n = times.length;
  return {
    scenario: s.name,
    healthy: s.healthy,
    judge,
    runs: n,
    rollbackRate: detect.length / n,
    rollbackCi: wilson(detect.length, n),
    medianDetect: finite(quantile(withMisses, 0.5)),
    p90Detect: finite(quantile(withMisses, 0.9)),
    medianDetected: quantile(detect, 0.5),
    divergedRate: 0,
    meanExposed: null,
    promoteRate: 0,
    medianPromote: null,
    ...(planEnd === undefined
      ? {}
      : { withinPlanRate: detect.filter((t) => t + (s.onset ?? 0) <= planEnd).length / n }),
  };
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function finite(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x;
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
