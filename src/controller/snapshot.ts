import type { RolloutDecision, RolloutState } from '../engine/rollout-machine.js';
import type { Assessment, Reason } from '../engine/assessment.js';
import type { IntervalObservation } from '../schema/observation.js';
import type { RolloutMeta } from './state-store.js';
import type { DecisionPoint, IntervalPoint, RolloutSnapshot, WebhookDeliveryView } from './view.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function decisionPoint(d: RolloutDecision): DecisionPoint {
  return {
    at: iso(d.at),
    action: d.action,
    step: d.step,
    weight: d.weight,
    score: d.score,
    by: d.by,
    reasons: d.reasons,
  };
}

export function intervalPoint(o: IntervalObservation, a: Assessment, state: RolloutState, at: number): IntervalPoint {
  const syn = o.canary?.synthetic;
  const budget = a.reasons.find((r: Reason) => r.signal === 'error-budget');
  return {
    t: o.t,
    at: iso(at),
    step: state.step,
    weight: o.weight,
    score: a.score,
    verdict: a.verdict,
    syntheticAvailability: syn && syn.runs > 0 ? syn.passed / syn.runs : null,
    budgetBurn: budget ? budget.value : null,
    canaryRequests: o.canary?.requests ?? 0,
    canaryErrors: o.canary?.errors ?? 0,
    baselineRequests: o.baseline?.requests ?? 0,
    baselineErrors: o.baseline?.errors ?? 0,
    ...(o.control ? { controlRequests: o.control.requests ?? 0, controlErrors: o.control.errors ?? 0 } : {}),
    ...(a.comparison ? { comparison: a.comparison } : {}),
    ...(a.warmup ? { warmup: true } : {}),
  };
}

export interface SnapshotInput {
  meta: RolloutMeta;
  state: RolloutState;
  intervals: IntervalPoint[];
  decisions: DecisionPoint[];
  reasons: Reason[];
  rollback: { decidedAt: number; confirmedAt: number } | null;
  createdAt: number;
  updatedAt: number;
  webhookDeliveries?: WebhookDeliveryView[];
}

export function buildSnapshot(s: SnapshotInput): RolloutSnapshot {
  const { meta, state } = s;
  const bake = (meta.plan.steps[state.step]?.bakeMs ?? 1) + state.stepExtensionMs;
  const from = meta.onsetAt ?? state.startedAt;
  return {
    id: meta.id,
    service: meta.service,
    phase: state.phase,
    step: state.step,
    stepCount: meta.plan.steps.length,
    weight: state.weight,
    score: state.score,
    verdict: state.verdict,
    startedAt: iso(state.startedAt ?? s.createdAt),
    updatedAt: iso(s.updatedAt),
    bakeProgress:
      state.phase === 'progressing' ? Math.min(1, state.stepBakedMs / bake) : state.phase === 'promoted' ? 1 : 0,
    minScore: meta.plan.minScore,
    reasons: s.reasons,
    intervals: s.intervals,
    decisions: s.decisions,
    rollbackDurationSeconds: s.rollback ? (s.rollback.confirmedAt - s.rollback.decidedAt) / 1000 : null,
    timeToDecideSeconds: state.decidedAt !== null && from !== null ? Math.max(0, state.decidedAt - from) / 1000 : null,
    evidenceDir: meta.evidenceDir,
    webhookDeliveries: s.webhookDeliveries ?? [],
  };
}
