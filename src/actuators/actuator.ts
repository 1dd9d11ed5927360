/**
 * Where decisions go (docs/architecture.md). One interface for the embedded router, an Argo Rollout and a flagd flag
 * file. Rollback must be the fastest path: implementations do nothing before moving traffic back to stable.
 */
/** Epoch milliseconds with sub-millisecond resolution, for rollback durations far below 1 ms. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export type ActuatorPhase = 'idle' | 'progressing' | 'promoted' | 'rolled-back';

export interface ActuatorState {
  phase: ActuatorPhase;
  /** Canary share of new requests, percent. 0 after a rollback, 100 after a promotion. */
  canaryWeight: number;
  /** Whether each upstream is up, as far as the actuator knows (null: it cannot tell). */
  stableUp: boolean | null;
  canaryUp: boolean | null;
}

/** What happened to an upstream without anyone asking: the controller rolls back when the canary dies. */
export interface ActuatorFault {
  /** `baseline`: the fresh stable instances started with the canary (`run --baseline`). */
  variant: 'stable' | 'canary' | 'baseline';
  message: string;
  /** Epoch ms. */
  at: number;
  /**
   * Set when traffic ended outside adaptive-canary the other way: fully promoted (a person's `promote --full`).
   * Recorded as how the rollout ended, not answered with a rollback.
   */
  ended?: 'promoted';
}

export interface RollbackResult {
  /** Epoch ms when the actuator confirmed that no new request goes to the canary. */
  confirmedAt: number;
}

export interface Actuator {
  readonly kind: string;
  state(): Promise<ActuatorState>;
  /** Move the canary to `percent` of traffic (0..100). */
  setWeight(percent: number): Promise<void>;
  /** Send all traffic to the canary; the canary becomes the new stable. */
  promote(): Promise<void>;
  /** Send all traffic to stable now. Requests already in flight to the canary finish. */
  rollback(): Promise<RollbackResult>;
  /** Subscribe to upstream faults; returns an unsubscribe function. */
  onFault(listener: (fault: ActuatorFault) => void): () => void;
}
