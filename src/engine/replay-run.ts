import type { IntervalObservation } from '../schema/observation.js';
import type { JudgeName, PolicySpec } from '../schema/policy.js';
import { createAnalysis } from './analysis.js';
import { initialState, isTerminal, transition, type RolloutDecision, type RolloutState } from './rollout-machine.js';
import { planFromPolicy } from './rollout-plan.js';
import type { Assessment, Reason } from './assessment.js';

export type Decision = 'rollback' | 'promote' | 'inconclusive';

/** How a replayed run ended. */
export interface RunOutcome {
  decision: Decision;
  /** Seconds from start when decided (the interval's `t`). */
  at: number;
  reasons: Reason[];
  /**
   * Who decided, as the controller records it ("judge", "rule:<name>", "policy:inconclusive"), or "recording-ended".
   */
  rule: string;
  score: number;
}

/** One row of a replay timeline: the interval as recorded, its assessment, and the decision it led to. */
export interface TimelineEntry {
  t: number;
  weight: number;
  assessment: Assessment;
  decision?: RolloutDecision;
  /** The weight the controller would have had the canary at (differs from `weight` once a step was extended). */
  controllerWeight: number;
}

export interface ReplayResult {
  outcome: RunOutcome;
  timeline: TimelineEntry[];
  /** Every decision, as the controller would have made it (the first is the start). */
  decisions: RolloutDecision[];
  /** Recorded intervals whose weight differs from the controller's: past that point traffic is as recorded. */
  divergedIntervals: number;
}

/**
 * "What would the controller have decided, and when?" — the recorded intervals go through a fresh Analysis and
 * the controller's own state machine (rollout-machine.ts `transition`), exactly as RolloutController feeds them:
 * each recorded line is one interval of `spec.interval` (gaps in `t` are no bake), the canary's requests that
 * interval count as its traffic, and decisions are made at `t`. The recording's traffic is what it is: when the
 * machine would have held a weight the recording moved past, the later intervals still carry the recorded
 * weights, and `divergedIntervals` says how many. A recording that ends first is inconclusive at its last interval.
 * `assess` replaces the judge (the benchmark reuses one trace of assessments for several outcome rules).
 */
export function replayIntervals(
  spec: PolicySpec,
  intervals: readonly IntervalObservation[],
  options: { judge?: JudgeName; random?: () => number; assess?: (i: number) => Assessment } = {},
): ReplayResult {
  const plan = planFromPolicy(spec);
  const assess = options.assess ?? judgeOf(spec, intervals, options);
  const started = transition(plan, initialState(), { type: 'start', at: 0 });
  let state: RolloutState = started.state;
  const decisions: RolloutDecision[] = started.decision ? [started.decision] : [];
  const timeline: TimelineEntry[] = [];
  let diverged = 0;
  for (let i = 0; i < intervals.length; i++) {
    const o = intervals[i]!;
    const assessment = assess(i);
    if (o.weight !== state.weight) diverged++;
    const controllerWeight = state.weight;
    const r = transition(plan, state, {
      type: 'interval',
      at: o.t * 1000,
      durationMs: plan.intervalMs,
      assessment,
      canaryRequests: o.canary?.requests ?? 0,
    });
    state = r.state;
    timeline.push({
      t: o.t,
      weight: o.weight,
      assessment,
      controllerWeight,
      ...(r.decision ? { decision: r.decision } : {}),
    });
    if (r.decision) decisions.push(r.decision);
    if (r.decision && isTerminal(state.phase)) {
      return { outcome: outcomeOf(r.decision, assessment), timeline, decisions, divergedIntervals: diverged };
    }
  }
  return { outcome: unfinished(state, timeline, decisions), timeline, decisions, divergedIntervals: diverged };
}

/** The recording ended before a promotion or rollback: inconclusive (held, when the policy said hold). */
function unfinished(state: RolloutState, timeline: TimelineEntry[], decisions: RolloutDecision[]): RunOutcome {
  const last = timeline[timeline.length - 1];
  const held = state.phase === 'holding' ? decisions[decisions.length - 1] : undefined;
  return {
    decision: 'inconclusive',
    at: last?.t ?? 0,
    reasons: held?.reasons ?? last?.assessment.reasons ?? [],
    score: last?.assessment.score ?? 1,
    rule: held ? held.by : 'recording-ended',
  };
}

function judgeOf(
  spec: PolicySpec,
  intervals: readonly IntervalObservation[],
  options: { judge?: JudgeName; random?: () => number },
): (i: number) => Assessment {
  const analysis = createAnalysis(spec, {
    ...(options.judge ? { judge: options.judge } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  return (i) => analysis.evaluate(intervals[i]!);
}

function outcomeOf(d: RolloutDecision, a: Assessment): RunOutcome {
  return {
    decision: d.action === 'rollback' ? 'rollback' : 'promote',
    at: d.at / 1000,
    reasons: d.reasons,
    rule: d.by,
    score: a.score,
  };
}
