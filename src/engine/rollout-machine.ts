import type { Assessment, Reason, Verdict } from './assessment.js';
import type { RolloutPlan } from './rollout-plan.js';
import { promotionRule } from './promotion-rule.js';

/**
 * The rollout state machine: explicit phases, one pure `transition(plan, state, event)` function, the clock
 * injected as `at` on every event. The controller persists the state after every transition and carries out
 * the decision (move weight, promote, roll back); replaying the same events gives the same states.
 *
 *   pending ──start──► progressing(step i) ──bake done, ok──► progressing(step i+1) …► promoted
 *                         │  ▲        │ inconclusive: extend bake ≤ maxExtension,
 *                         │  │        │               then policy.inconclusive.then
 *                         │  └resume─ holding (paused, or inconclusive past its extension)
 *                         └── fail verdict / playbook rule / upstream fault / abort ──► rolled-back
 *
 * Rules: a fail rolls back at once, in any non-terminal phase (holding too). An intermediate step advances when
 * its bake is done and the verdict is pass, or inconclusive with score ≥ minScore (more weight brings more
 * evidence; nothing has failed) — but only after some canary traffic at this step. Promotion follows the one rule
 * in promotion-rule.ts (shared with `replay`): a pass at the end of the last step; or, after any interval, the
 * engine's `promoteEarly` (confidence sequences within tolerance) once `earlyPromotionAfterMs` of analysis has been
 * observed. A plain pass at an intermediate step advances, it does not promote. Bake counts observed analysis
 * time, so time the controller was down does not count as baking.
 */
export type RolloutPhase = 'pending' | 'progressing' | 'holding' | 'promoted' | 'rolled-back';
export type RolloutAction = 'start' | 'step' | 'hold' | 'promote' | 'rollback' | 'pause' | 'resume';

export interface RolloutState {
  phase: RolloutPhase;
  step: number;
  weight: number;
  stepBakedMs: number;
  stepExtensionMs: number;
  /** Canary requests seen at this step: an inconclusive step without any does not advance. */
  stepCanaryRequests?: number;
  totalBakedMs: number;
  holdReason: 'inconclusive' | 'paused' | null;
  score: number;
  verdict: Verdict;
  intervals: number;
  startedAt: number | null;
  decidedAt: number | null;
}

export type RolloutEvent =
  | { type: 'start'; at: number }
  | { type: 'interval'; at: number; durationMs: number; assessment: Assessment; canaryRequests?: number }
  | { type: 'manual'; at: number; action: 'promote' | 'abort' | 'pause' | 'resume'; actor: string }
  | { type: 'fault'; at: number; reason: Reason }
  /**
   * Traffic was found at an end this controller did not decide: on resume, a leader that aborted or promoted and
   * died before writing its decision (or someone outside); live, a person's full promotion. The record catches up.
   */
  | { type: 'found'; at: number; outcome: 'rolled-back' | 'promoted'; reason: Reason };

export interface RolloutDecision {
  action: RolloutAction;
  at: number;
  from: RolloutPhase;
  to: RolloutPhase;
  step: number;
  weight: number;
  score: number;
  /** "judge", "rule:<name>", "user:<name>", "policy:inconclusive", "fault", "found". */
  by: string;
  reasons: Reason[];
}

export interface TransitionResult {
  state: RolloutState;
  decision?: RolloutDecision;
  /** Set when a manual action is not possible in this phase; the state is unchanged. */
  rejected?: string;
}

export function initialState(): RolloutState {
  return {
    phase: 'pending',
    step: 0,
    weight: 0,
    stepBakedMs: 0,
    stepExtensionMs: 0,
    totalBakedMs: 0,
    holdReason: null,
    score: 1,
    verdict: 'inconclusive',
    intervals: 0,
    stepCanaryRequests: 0,
    startedAt: null,
    decidedAt: null,
  };
}

export function isTerminal(phase: RolloutPhase): boolean {
  return phase === 'promoted' || phase === 'rolled-back';
}

export function transition(plan: RolloutPlan, state: RolloutState, event: RolloutEvent): TransitionResult {
  if (isTerminal(state.phase)) {
    return event.type === 'manual' ? { state, rejected: `the rollout is already ${state.phase}` } : { state };
  }
  switch (event.type) {
    case 'start':
      return onStart(plan, state, event.at);
    case 'interval':
      return onInterval(plan, state, event);
    case 'manual':
      return onManual(plan, state, event);
    case 'fault':
      return decide(state, {
        action: 'rollback',
        to: 'rolled-back',
        at: event.at,
        by: 'fault',
        reasons: [event.reason],
      });
    case 'found':
      return decide(state, {
        action: event.outcome === 'promoted' ? 'promote' : 'rollback',
        to: event.outcome,
        at: event.at,
        by: 'found',
        reasons: [event.reason],
        ...(event.outcome === 'promoted' ? { weight: 100 } : {}),
      });
  }
}

function onStart(plan: RolloutPlan, state: RolloutState, at: number): TransitionResult {
  if (state.phase !== 'pending') return { state };
  const first = plan.steps[0];
  if (!first) throw new Error('a rollout plan needs at least one step');
  const next = { ...state, startedAt: at };
  return decide(next, {
    action: 'start',
    to: 'progressing',
    at,
    by: 'controller',
    reasons: [],
    step: 0,
    weight: first.weight,
  });
}

function onInterval(
  plan: RolloutPlan,
  state: RolloutState,
  ev: Extract<RolloutEvent, { type: 'interval' }>,
): TransitionResult {
  if (state.phase === 'pending') return { state };
  const a = ev.assessment;
  const observed: RolloutState = { ...state, score: a.score, verdict: a.verdict, intervals: state.intervals + 1 };
  if (a.verdict === 'fail') {
    return decide(observed, {
      action: 'rollback',
      to: 'rolled-back',
      at: ev.at,
      by: a.rule ? `rule:${a.rule}` : 'judge',
      reasons: a.reasons,
    });
  }
  if (state.phase === 'holding') {
    // An inconclusive hold ends by itself once the evidence arrives; a person's pause waits for a person.
    if (state.holdReason === 'inconclusive' && a.verdict === 'pass')
      return stepDone(plan, { ...observed, phase: 'progressing', holdReason: null }, ev.at, a);
    return { state: observed };
  }
  const baked = {
    ...observed,
    stepBakedMs: state.stepBakedMs + ev.durationMs,
    totalBakedMs: state.totalBakedMs + ev.durationMs,
    stepCanaryRequests: (state.stepCanaryRequests ?? 0) + (ev.canaryRequests ?? 1),
  };
  const bake = (plan.steps[state.step]?.bakeMs ?? 0) + state.stepExtensionMs;
  if (baked.stepBakedMs < bake) {
    // Early promotion does not wait for the end of a step: the evidence and the floor are what it needs.
    if (promotionRule(plan, a, { observedMs: baked.totalBakedMs, lastStepDone: false }))
      return promote(baked, ev.at, a);
    return { state: baked };
  }
  return stepDone(plan, baked, ev.at, a);
}

/** The current step's bake is over: advance, promote, or extend when the evidence is not there yet. */
function stepDone(plan: RolloutPlan, state: RolloutState, at: number, a: Assessment): TransitionResult {
  const last = state.step >= plan.steps.length - 1;
  const healthy = a.score >= plan.minScore;
  if (promotionRule(plan, a, { observedMs: state.totalBakedMs, lastStepDone: last })) return promote(state, at, a);
  // Advancing on an inconclusive verdict needs some canary traffic: no data is no evidence of health.
  const sawTraffic = (state.stepCanaryRequests ?? 1) > 0;
  if (!last && (a.verdict === 'pass' || (healthy && sawTraffic))) return advance(plan, state, at, a.reasons);
  if (state.stepExtensionMs + plan.intervalMs <= plan.inconclusive.maxExtensionMs) {
    const extended = { ...state, stepExtensionMs: state.stepExtensionMs + plan.intervalMs };
    // Announce the extension once per step; later extensions are silent intervals.
    if (state.stepExtensionMs > 0) return { state: extended };
    return decide(extended, {
      action: 'hold',
      to: 'progressing',
      at,
      by: 'judge',
      reasons: [extensionReason(plan, a)],
    });
  }
  const then = plan.inconclusive.then;
  const why = [exhaustedReason(plan, a, then), ...a.reasons];
  if (then === 'rollback')
    return decide(state, { action: 'rollback', to: 'rolled-back', at, by: 'policy:inconclusive', reasons: why });
  if (then === 'promote')
    return decide(state, {
      action: 'promote',
      to: 'promoted',
      at,
      by: 'policy:inconclusive',
      reasons: why,
      weight: 100,
    });
  return decide(
    { ...state, holdReason: 'inconclusive' },
    { action: 'hold', to: 'holding', at, by: 'policy:inconclusive', reasons: why },
  );
}

function promote(state: RolloutState, at: number, a: Assessment): TransitionResult {
  return decide(state, { action: 'promote', to: 'promoted', at, by: 'judge', reasons: a.reasons, weight: 100 });
}

function advance(plan: RolloutPlan, state: RolloutState, at: number, reasons: Reason[]): TransitionResult {
  const step = state.step + 1;
  const weight = plan.steps[step]?.weight ?? state.weight;
  const next = { ...state, stepBakedMs: 0, stepExtensionMs: 0, stepCanaryRequests: 0 };
  return decide(next, { action: 'step', to: 'progressing', at, by: 'judge', reasons, step, weight });
}

function onManual(
  plan: RolloutPlan,
  state: RolloutState,
  ev: Extract<RolloutEvent, { type: 'manual' }>,
): TransitionResult {
  const by = `user:${ev.actor}`;
  const reason = (message: string): Reason[] => [
    {
      signal: 'manual',
      verdict: state.verdict,
      statistic: 'manual-action',
      value: state.score,
      threshold: plan.minScore,
      message,
    },
  ];
  switch (ev.action) {
    case 'abort':
      return decide(state, {
        action: 'rollback',
        to: 'rolled-back',
        at: ev.at,
        by,
        reasons: reason(`${ev.actor} aborted the rollout`),
      });
    case 'promote':
      if (state.phase === 'pending') return { state, rejected: 'the rollout has not started' };
      return decide(state, {
        action: 'promote',
        to: 'promoted',
        at: ev.at,
        by,
        reasons: reason(`${ev.actor} promoted the canary`),
        weight: 100,
      });
    case 'pause':
      if (state.phase !== 'progressing') return { state, rejected: `cannot pause a ${state.phase} rollout` };
      return decide(
        { ...state, holdReason: 'paused' },
        { action: 'pause', to: 'holding', at: ev.at, by, reasons: reason(`${ev.actor} paused the rollout`) },
      );
    case 'resume':
      if (state.phase !== 'holding') return { state, rejected: `cannot resume a ${state.phase} rollout` };
      return decide(
        { ...state, holdReason: null },
        { action: 'resume', to: 'progressing', at: ev.at, by, reasons: reason(`${ev.actor} resumed the rollout`) },
      );
  }
}

interface DecideArgs {
  action: RolloutAction;
  to: RolloutPhase;
  at: number;
  by: string;
  reasons: Reason[];
  step?: number;
  weight?: number;
}

function decide(state: RolloutState, d: DecideArgs): TransitionResult {
  const weight = d.to === 'rolled-back' ? 0 : (d.weight ?? state.weight);
  const step = d.step ?? state.step;
  const terminal = isTerminal(d.to);
  const next: RolloutState = {
    ...state,
    phase: d.to,
    step,
    weight,
    holdReason: d.to === 'holding' ? state.holdReason : null,
    decidedAt: terminal ? d.at : state.decidedAt,
  };
  const decision: RolloutDecision = {
    action: d.action,
    at: d.at,
    from: state.phase,
    to: d.to,
    step,
    weight,
    score: state.score,
    by: d.by,
    reasons: d.reasons,
  };
  return { state: next, decision };
}

/** Why the bake was extended, or why extending it ended: the score against what promotion needs. */
function bakeReason(plan: RolloutPlan, a: Assessment, message: string, details?: Reason['details']): Reason {
  const reason: Reason = {
    signal: 'bake',
    verdict: 'inconclusive',
    statistic: 'bake-extension',
    value: a.score,
    threshold: plan.minScore,
    message,
  };
  return details ? { ...reason, details } : reason;
}

function extensionReason(plan: RolloutPlan, a: Assessment): Reason {
  return bakeReason(
    plan,
    a,
    `not enough evidence to ${a.score >= plan.minScore ? 'promote' : 'advance'}` +
      ` (score ${a.score.toFixed(3)}, need ${plan.minScore}); extending the ` +
      `bake by up to ${plan.inconclusive.maxExtensionMs / 1000}s`,
    { maxExtensionSeconds: plan.inconclusive.maxExtensionMs / 1000 },
  );
}

function exhaustedReason(plan: RolloutPlan, a: Assessment, then: string): Reason {
  return bakeReason(
    plan,
    a,
    `still inconclusive after extending the bake by ${plan.inconclusive.maxExtensionMs / 1000}s; policy says ${then}`,
  );
}
