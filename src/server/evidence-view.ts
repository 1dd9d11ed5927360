import { listRollouts, readRollout, type RolloutEvidence } from '../evidence/read.js';
import { AppError } from '../errors.js';
import { headlineReason } from '../engine/reason-text.js';
import { intervalObservation } from '../schema/observation.js';
import { deliveryView } from '../schema/rollout-view.js';
import { defaultPolicySpec } from '../schema/policy.js';
import type { DecisionRecord } from '../schema/evidence.js';
import type {
  ControllerView,
  DecisionPoint,
  IntervalPoint,
  RolloutPhase,
  RolloutSnapshot,
} from '../controller/view.js';

/**
 * Past rollouts as the dashboard sees live ones: a read-only ControllerView over an evidence folder
 * (`adaptive-canary dashboard`). Everything comes from the hash-chained records and webhooks.jsonl: the decision
 * log, the reasons, the webhook deliveries, and a timeline from the observation each decision recorded. The folder
 * is read again on every request, so rollouts that finish meanwhile show up on reload.
 */
export class EvidenceView implements ControllerView {
  constructor(private readonly root: string) {}

  list(): RolloutSnapshot[] {
    return listRollouts(this.root).map((dir) => snapshotFromEvidence(readRollout(dir)));
  }

  get(id: string): RolloutSnapshot | undefined {
    return this.list().find((s) => s.id === id);
  }

  subscribe(): () => void {
    return () => undefined; // the past does not change while we look
  }

  act(): Promise<RolloutSnapshot> {
    return Promise.reject(new AppError('E_READ_ONLY', 'past rollouts from the evidence cannot be changed'));
  }
}

const DEFAULT_MIN_SCORE = defaultPolicySpec().promotion.minScore;

function decisionPoint(d: DecisionRecord): DecisionPoint {
  return {
    at: d.at,
    action: d.action,
    step: d.step,
    weight: d.weight,
    score: d.score ?? 0,
    by: d.by,
    reasons: d.reasons,
  };
}

/** A timeline point for each decision that recorded what the judge saw. */
function intervalPoint(d: DecisionRecord): IntervalPoint | undefined {
  const parsed = intervalObservation.safeParse(d.inputs?.observation);
  if (!parsed.success) return undefined;
  const o = parsed.data;
  const syn = o.canary?.synthetic;
  return {
    t: o.t,
    at: d.at,
    step: d.step,
    weight: o.weight,
    score: d.score ?? 0,
    verdict: d.verdict ?? headlineReason(d.reasons)?.verdict ?? 'inconclusive',
    syntheticAvailability: syn && syn.runs > 0 ? syn.passed / syn.runs : null,
    budgetBurn: d.budgetBurn ?? null,
    canaryRequests: o.canary?.requests ?? 0,
    canaryErrors: o.canary?.errors ?? 0,
    baselineRequests: o.baseline?.requests ?? 0,
    baselineErrors: o.baseline?.errors ?? 0,
  };
}

function phaseOf(r: RolloutEvidence, last: DecisionRecord | undefined): RolloutPhase {
  if (r.meta.outcome) return r.meta.outcome;
  if (!last) return 'pending';
  return last.action === 'hold' || last.action === 'pause' ? 'holding' : 'progressing';
}

/** Where the rollout stood at its last decision. */
function lastState(last: DecisionRecord | undefined): Pick<RolloutSnapshot, 'step' | 'weight' | 'score' | 'verdict'> {
  if (!last) return { step: 0, weight: 0, score: 0, verdict: 'inconclusive' };
  const verdict = last.verdict ?? headlineReason(last.reasons)?.verdict ?? 'inconclusive';
  return { step: last.step, weight: last.weight, score: last.score ?? 0, verdict };
}

export function snapshotFromEvidence(r: RolloutEvidence): RolloutSnapshot {
  const decisions = r.records.filter((x): x is DecisionRecord => x.kind === 'decision');
  const last = decisions.at(-1);
  const phase = phaseOf(r, last);
  const intervals = decisions.map(intervalPoint).filter((p): p is IntervalPoint => p !== undefined);
  const minScore = last?.reasons.find((x) => x.signal === 'composite-score')?.threshold ?? DEFAULT_MIN_SCORE;
  return {
    id: r.meta.rolloutId,
    service: r.meta.service,
    phase,
    ...lastState(last),
    stepCount: Math.max(1, ...decisions.map((d) => d.step + 1)),
    startedAt: r.meta.startedAt,
    updatedAt: r.records.at(-1)?.at ?? r.meta.startedAt,
    bakeProgress: phase === 'promoted' ? 1 : 0,
    minScore,
    reasons: last?.reasons ?? [],
    intervals,
    decisions: decisions.map(decisionPoint),
    rollbackDurationSeconds: r.meta.rollbackDurationSeconds,
    timeToDecideSeconds: r.meta.timeToDecideSeconds,
    evidenceDir: r.dir,
    webhookDeliveries: r.deliveries.map(deliveryView),
  };
}
