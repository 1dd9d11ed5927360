import { createAnalysis } from '../../src/engine/analysis.js';
import { createOutcomeTracker, type Decision } from '../../src/engine/run-outcome.js';
import { seededRandom } from '../../src/engine/random.js';
import type { JudgeName, PolicySpec } from '../../src/schema/policy.js';
import type { SimRun } from './simulate.js';

export interface JudgeRunResult {
  decision: Decision;
  /** Seconds from start. */
  at: number;
  /** Canary requests served while regressed, until the decision (all of them when it never rolled back). */
  exposed: number;
  rule?: string;
}

/** Feeds one simulated run to a fresh analysis until the policy decides (same rules as `replay`). */
export function runJudge(run: SimRun, spec: PolicySpec, judge: JudgeName, seed: number): JudgeRunResult {
  const analysis = createAnalysis(spec, { judge, random: seededRandom(seed) });
  const decide = createOutcomeTracker(spec);
  for (let i = 0; i < run.intervals.length; i++) {
    const o = run.intervals[i]!;
    const outcome = decide(o.t, analysis.evaluate(o));
    if (outcome) {
      const exposed = outcome.decision === 'rollback' ? run.exposed[i]! : run.exposed[run.exposed.length - 1]!;
      return { decision: outcome.decision, at: outcome.at, exposed, ...(outcome.rule ? { rule: outcome.rule } : {}) };
    }
  }
  const last = run.intervals[run.intervals.length - 1]!;
  return { decision: 'inconclusive', at: last.t, exposed: run.exposed[run.exposed.length - 1]! };
}
