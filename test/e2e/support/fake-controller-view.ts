import type {
  ControllerEvent,
  ControllerView,
  DecisionPoint,
  IntervalPoint,
  ManualAction,
  RolloutSnapshot,
} from '../../../src/controller/view.js';
import type { Reason } from '../../../src/engine/assessment.js';
import { AppError } from '../../../src/errors.js';

/**
 * An in-memory ControllerView for testing the HTTP layer and the dashboard without the controller. It keeps
 * the contract's semantics: snapshots are copies, events are emitted in order, act() resolves after the change.
 */
export class FakeControllerView implements ControllerView {
  readonly rollouts = new Map<string, RolloutSnapshot>();
  readonly actions: { id: string; action: ManualAction; actor: string }[] = [];
  private readonly listeners = new Set<(e: ControllerEvent) => void>();

  list(): RolloutSnapshot[] {
    return [...this.rollouts.values()].map((s) => structuredClone(s));
  }
  get(id: string): RolloutSnapshot | undefined {
    const s = this.rollouts.get(id);
    return s && structuredClone(s);
  }
  subscribe(listener: (event: ControllerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  listenerCount(): number {
    return this.listeners.size;
  }
  act(id: string, action: ManualAction, actor: string): Promise<RolloutSnapshot> {
    const s = this.rollouts.get(id);
    if (!s) return Promise.reject(new AppError('E_ROLLOUT_NOT_FOUND', `no rollout ${id}`));
    if (s.phase === 'promoted' || s.phase === 'rolled-back') {
      return Promise.reject(new AppError('E_ROLLOUT_FINISHED', `rollout ${id} already ${s.phase}`));
    }
    this.actions.push({ id, action, actor });
    const next = { promote: 'promoted', abort: 'rolled-back', pause: 'holding', resume: 'progressing' } as const;
    s.phase = next[action];
    if (action === 'promote') s.weight = 100;
    if (action === 'abort') s.weight = 0;
    this.decide(id, decision(s, action === 'abort' ? 'rollback' : action, actor, []));
    return Promise.resolve(structuredClone(s));
  }

  upsert(s: RolloutSnapshot): void {
    this.rollouts.set(s.id, structuredClone(s));
    this.emit({ type: 'snapshot', rollout: structuredClone(s) });
  }
  interval(id: string, point: IntervalPoint, reasons: Reason[] = []): void {
    const s = this.rollouts.get(id)!;
    s.intervals.push(point);
    Object.assign(s, {
      step: point.step,
      weight: point.weight,
      score: point.score,
      verdict: point.verdict,
      updatedAt: point.at,
    });
    if (reasons.length) s.reasons = reasons;
    this.emit({ type: 'interval', rolloutId: id, point: structuredClone(point) });
    this.emit({ type: 'snapshot', rollout: structuredClone(s) });
  }
  decide(id: string, d: DecisionPoint): void {
    const s = this.rollouts.get(id)!;
    s.decisions.push(d);
    this.emit({ type: 'decision', rolloutId: id, decision: structuredClone(d) });
    this.emit({ type: 'snapshot', rollout: structuredClone(s) });
  }
  private emit(e: ControllerEvent): void {
    for (const l of this.listeners) l(e);
  }
}

const t0 = Date.parse('2025-06-06T10:00:00Z');
const iso = (seconds: number): string => new Date(t0 + seconds * 1000).toISOString();

export function decision(
  s: RolloutSnapshot,
  action: DecisionPoint['action'],
  by: string,
  reasons: Reason[],
): DecisionPoint {
  return { at: iso(s.intervals.length * 10), action, step: s.step, weight: s.weight, score: s.score, by, reasons };
}

export function makeSnapshot(over: Partial<RolloutSnapshot> & { id: string }): RolloutSnapshot {
  return {
    service: 'maestro-api',
    phase: 'progressing',
    step: 0,
    stepCount: 4,
    weight: 10,
    score: 1,
    verdict: 'inconclusive',
    startedAt: iso(0),
    updatedAt: iso(0),
    bakeProgress: 0,
    minScore: 0.95,
    reasons: [],
    intervals: [],
    decisions: [],
    rollbackDurationSeconds: null,
    timeToDecideSeconds: null,
    evidenceDir: null,
    webhookDeliveries: [],
    ...over,
  };
}

export function makeInterval(i: number, over: Partial<IntervalPoint> = {}): IntervalPoint {
  return {
    t: i * 10,
    at: iso(i * 10),
    step: 0,
    weight: 10,
    score: 1,
    verdict: 'inconclusive',
    syntheticAvailability: 1,
    budgetBurn: 0.001 * i,
    canaryRequests: 100,
    canaryErrors: 0,
    baselineRequests: 900,
    baselineErrors: 1,
    ...over,
  };
}

export const regressionReasons: Reason[] = [
  {
    signal: 'error-rate',
    verdict: 'fail',
    statistic: 'mixture-likelihood-ratio',
    value: 412.7,
    threshold: 200,
    message: 'regressed: errors 61 on canary vs 4 expected, likelihood ratio 412.7 exceeds 1/α = 200',
    effect: { counted: 'errors', observed: 61, expected: 4, ratio: 15.25, lower: 6.3, upper: 36.2 },
    details: { canaryErrors: 61, canaryRequests: 1000 },
  },
  {
    signal: 'synthetic',
    verdict: 'fail',
    statistic: 'synthetic-score',
    value: 0.8,
    threshold: 0.95,
    message: 'canary probes passed 80% < 95% for 2 consecutive intervals',
  },
  {
    signal: 'latency-p99',
    verdict: 'pass',
    statistic: 'mixture-likelihood-ratio',
    value: 1.3,
    threshold: 200,
    message: 'share of requests slower than 250 ms no worse than baseline',
  },
];
