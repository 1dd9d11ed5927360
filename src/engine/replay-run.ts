import type { IntervalObservation } from '../schema/observation.js';
import type { JudgeName, PolicySpec } from '../schema/policy.js';
import { createAnalysis } from './analysis.js';
import { createOutcomeTracker, type RunOutcome } from './run-outcome.js';
import type { Assessment } from './types.js';

/** One row of a replay timeline. */
export interface TimelineEntry {
  t: number;
  weight: number;
  assessment: Assessment;
}

export interface ReplayResult {
  outcome: RunOutcome;
  timeline: TimelineEntry[];
}

/**
 * "What would this policy have decided, and when?" — feeds recorded intervals to a fresh Analysis until the
 * policy decides (run-outcome.ts). A recording that ends first is inconclusive at its last interval.
 */
export function replayIntervals(
  spec: PolicySpec,
  intervals: readonly IntervalObservation[],
  judge?: JudgeName,
): ReplayResult {
  const analysis = createAnalysis(spec, judge ? { judge } : {});
  const decide = createOutcomeTracker(spec);
  const timeline: TimelineEntry[] = [];
  for (const o of intervals) {
    const assessment = analysis.evaluate(o);
    timeline.push({ t: o.t, weight: o.weight, assessment });
    const outcome = decide(o.t, assessment);
    if (outcome) return { outcome, timeline };
  }
  const last = timeline[timeline.length - 1];
  const outcome: RunOutcome = {
    decision: 'inconclusive',
    at: last?.t ?? 0,
    reasons: last?.assessment.reasons ?? [],
    score: last?.assessment.score ?? 1,
    rule: 'recording-ended',
  };
  return { outcome, timeline };
}
