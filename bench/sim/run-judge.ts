import { createAnalysis } from '../../src/engine/analysis.js';
import { seededRandom } from '../../src/engine/random.js';
import { replayIntervals, type Decision, type ReplayResult } from '../../src/engine/replay-run.js';
import type { Assessment } from '../../src/engine/assessment.js';
import type { JudgeName, PolicySpec } from '../../src/schema/policy.js';
import type { SimRun } from './simulate.js';

export interface JudgeRunResult {
  decision: Decision;
  /** Seconds from start. */
  at: number;
  /** Canary requests served while regressed, until the decision (all of them when it never rolled back). */
  exposed: number;
  rule?: string;
  /** The state machine would have held a weight the simulated schedule moved past (see schedule.ts). */
  diverged: boolean;
}

/** Replays one simulated run through a fresh analysis and the controller's state machine, as `replay` does. */
export function runJudge(run: SimRun, spec: PolicySpec, judge: JudgeName, seed: number): JudgeRunResult {
  return resultOf(run, replayIntervals(spec, run.intervals, { judge, random: seededRandom(seed) }));
}

/**
 * Every interval's assessment, without stopping at a decision. The simulated canary does not depend on the
 * judge (the schedule is fixed), so one trace serves every outcome rule applied to it afterwards.
 */
export function traceJudge(run: SimRun, spec: PolicySpec, judge: JudgeName, seed: number): Assessment[] {
  const analysis = createAnalysis(spec, { judge, random: seededRandom(seed) });
  return run.intervals.map((o) => analysis.evaluate(o));
}

/**
 * Kayenta judgements the way Argo Rollouts runs them through its Kayenta provider: each judgement is one
 * measurement and the analysis fails when failed judgements exceed `failureLimit` (0 = Spinnaker's own
 * abort-on-first-failure). A tolerated failure counts as inconclusive for that interval. Rollbacks for other
 * reasons (synthetics, error budget) are not delayed.
 */
export function withFailureLimit(trace: readonly Assessment[], failureLimit: number): Assessment[] {
  let failed = 0;
  return trace.map((a) => {
    if (a.verdict !== 'fail' || a.rule !== 'kayenta-score') return a;
    if (a.reasons.some((r) => (r.signal === 'synthetic' || r.signal === 'error-budget') && r.verdict === 'fail'))
      return a;
    failed++;
    if (failed > failureLimit) return a;
    const { rule: _rule, ...rest } = a;
    return { ...rest, verdict: 'inconclusive' };
  });
}

export function decideTrace(run: SimRun, spec: PolicySpec, trace: readonly Assessment[]): JudgeRunResult {
  return resultOf(run, replayIntervals(spec, run.intervals, { assess: (i) => trace[i]! }));
}

function resultOf(run: SimRun, r: ReplayResult): JudgeRunResult {
  const { decision, at, rule } = r.outcome;
  const i = r.timeline.length - 1;
  const exposed = decision === 'rollback' ? run.exposed[i]! : run.exposed[run.exposed.length - 1]!;
  return { decision, at, exposed, rule, diverged: r.divergedIntervals > 0 };
}
