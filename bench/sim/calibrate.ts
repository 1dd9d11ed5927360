import { seededRandom } from '../../src/engine/random.js';
import type { PolicySpec } from '../../src/schema/policy.js';
import { decideTrace, runJudge, traceJudge, withFailureLimit } from './run-judge.js';
import { scenarios } from './scenarios.js';
import { simulate, type SimRun } from './simulate.js';

/**
 * "Calibrated" baselines for a comparison at equal false-abort rates: the smallest failure limit that keeps
 * false aborts ≤ `target` on the *steady* healthy condition, tuned on seeds disjoint from the evaluation's
 * (judges.bench.ts uses (scenario + 1)·1,000,003 + run; these start at 500,000,000).
 * - threshold: Argo `failureLimit` (bounds unchanged: error ratio ≤ 1%, p99 ≤ 300 ms);
 * - kayenta: failed judgements tolerated before aborting, as Argo's Kayenta provider counts them (NetflixACAJudge
 *   itself unchanged: 98% CI, tolerance 0.25, abort ≤ 50).
 * The other healthy conditions are not tuned on: they show how a limit tuned on a calm day generalises.
 */
export const TUNING_SEED = 500_000_000;

export interface Calibration {
  runs: number;
  target: number;
  thresholdFailureLimit: number;
  thresholdFalseAborts: number;
  kayentaFailureLimit: number;
  kayentaFalseAborts: number;
  /** Tuning false-abort rate per tried limit, for the report. */
  thresholdTried: [number, number][];
  kayentaTried: [number, number][];
}

export function calibrate(spec: PolicySpec, runs: number, target = 0.01): Calibration {
  const steady = scenarios.find((s) => s.name === 'healthy: steady')!;
  const sims: SimRun[] = Array.from({ length: runs }, (_, r) => simulate(steady, spec, seededRandom(TUNING_SEED + r)));
  const rate = (decisions: string[]): number => decisions.filter((d) => d === 'rollback').length / runs;

  const thresholdTried: [number, number][] = [];
  for (let limit = spec.threshold.failureLimit; limit <= 100; limit++) {
    const s = { ...spec, threshold: { ...spec.threshold, failureLimit: limit } };
    const fa = rate(sims.map((run, r) => runJudge(run, s, 'threshold', TUNING_SEED + r).decision));
    thresholdTried.push([limit, fa]);
    if (fa <= target) break;
  }

  const traces = sims.map((run, r) => traceJudge(run, spec, 'kayenta', TUNING_SEED + r));
  const kayentaTried: [number, number][] = [];
  for (let limit = 0; limit <= 100; limit++) {
    const fa = rate(sims.map((run, r) => decideTrace(run, spec, withFailureLimit(traces[r]!, limit)).decision));
    kayentaTried.push([limit, fa]);
    if (fa <= target) break;
  }
  const [tl, tfa] = thresholdTried[thresholdTried.length - 1]!;
  const [kl, kfa] = kayentaTried[kayentaTried.length - 1]!;
  return {
    runs,
    target,
    thresholdFailureLimit: tl,
    thresholdFalseAborts: tfa,
    kayentaFailureLimit: kl,
    kayentaFalseAborts: kfa,
    thresholdTried,
    kayentaTried,
  };
}
