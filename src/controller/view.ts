import type { DecisionPoint, IntervalPoint, RolloutSnapshot } from '../schema/rollout-view.js';

// The data shapes live in schema/ so evidence and server can use them without importing the controller.
export type {
  DecisionPoint,
  IntervalPoint,
  RolloutPhase,
  RolloutSnapshot,
  WebhookDeliveryView,
} from '../schema/rollout-view.js';

export type ControllerEvent =
  | { type: 'interval'; rolloutId: string; point: IntervalPoint }
  | { type: 'decision'; rolloutId: string; decision: DecisionPoint }
  | { type: 'snapshot'; rollout: RolloutSnapshot };

export type ManualAction = 'promote' | 'abort' | 'pause' | 'resume';

export interface ControllerView {
  list(): RolloutSnapshot[];
  get(id: string): RolloutSnapshot | undefined;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: ControllerEvent) => void): () => void;
  /** A person's action; resolves with the rollout after the action took effect. */
  act(id: string, action: ManualAction, actor: string): Promise<RolloutSnapshot>;
}
