import type { RolloutDecision } from '../engine/rollout-machine.js';
import type { Assessment } from '../engine/assessment.js';
import type { VariantObservation } from '../schema/observation.js';
import type { RolloutSnapshot, WebhookDeliveryView } from './view.js';

/**
 * What the controller loop talks to, as small interfaces: the sources of observations, the evidence log and
 * the webhook sender. Adapters in this folder bind them to src/sources, src/evidence and src/controller/webhooks.
 */
export interface ObservationSource {
  readonly name: string;
  /** The interval's observations per variant; fields a source does not measure are left out. */
  collect(): Promise<{
    baseline?: VariantObservation | null;
    canary?: VariantObservation | null;
    /** The baseline instances (fresh stable started with the canary), when they run. */
    control?: VariantObservation | null;
  }>;
  close?(): Promise<void>;
  /** Select the baseline instances as `control` by this label value (Argo: their pod-template-hash), or none. */
  setControl?(value: string | undefined): void;
}

export interface DecisionRecordInput {
  decision: RolloutDecision;
  assessment: Assessment | null;
  /** The observation that led to it, when an interval did. */
  inputs: Record<string, unknown> | null;
}

/** A chained evidence note: what the controller noticed that is not a decision (see noteRecord). */
export interface EvidenceNote {
  topic: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  details?: Record<string, unknown>;
}

/** Where a record sits in the chain: its seq and SHA-256 (the `hash` field). */
export interface EvidenceAnchor {
  seq: number;
  hash: string;
}

export interface EvidenceSink {
  readonly dir: string;
  /** Appends the decision's record; returns where it sits in the chain (webhooks carry it). */
  record(input: DecisionRecordInput): EvidenceAnchor | void;
  /** The record an earlier process wrote for this decision, for a webhook resent after a restart. */
  anchorOf?(decision: RolloutDecision): EvidenceAnchor | undefined;
  /** Throws when the evidence cannot be written; callers treat that as a warning. */
  note?(input: EvidenceNote): void;
  finish(snapshot: RolloutSnapshot, rollbackDurationSeconds: number | null): void;
  close(): void;
}

export interface RolloutEventPayload {
  event: 'promote' | 'rollback' | 'step' | 'hold';
  service: string;
  rolloutId: string;
  step: number;
  weight: number;
  score: number;
  decision: RolloutDecision;
  /**
   * Stable per decision, so receivers drop the duplicate a resumed controller may send. When absent the
   * notifier derives one from the evidence head (messageForDecision).
   */
  deliveryId?: string | undefined;
  /** The evidence record this event reports (its seq and SHA-256), so a receiver holds an outside anchor. */
  evidence?: EvidenceAnchor | undefined;
}

/** How a notification ended: every receiver answered (2xx or gave up), or some were still retrying at shutdown. */
export type NotifyOutcome = 'settled' | 'abandoned';

/**
 * Never blocks: `notify` returns at once; deliveries continue in the background. A notifier that retries may
 * return a promise of how it ended, so the outbox keeps the event pending (resent by the next process) until then.
 */
export interface Notifier {
  notify(payload: RolloutEventPayload): void | Promise<NotifyOutcome>;
  /** Waits (bounded) for deliveries in flight, at shutdown. */
  flush(timeoutMs: number): Promise<void>;
  /** Deliveries so far (pending ones included), for the snapshot. */
  deliveries?(): WebhookDeliveryView[];
}

/** Several notifiers as one (webhooks and the observability hooks): each hears every decision. */
export function fanOut(notifiers: (Notifier | undefined)[]): Notifier {
  const all = notifiers.filter((n): n is Notifier => n !== undefined);
  return {
    notify: (p) => {
      const pending = all.map((n) => n.notify(p)).filter((r): r is Promise<NotifyOutcome> => r instanceof Promise);
      if (pending.length === 0) return undefined;
      return Promise.all(pending).then((r) => (r.includes('abandoned') ? 'abandoned' : 'settled'));
    },
    flush: async (timeoutMs) => {
      await Promise.all(all.map((n) => n.flush(timeoutMs)));
    },
    deliveries: () => all.flatMap((n) => n.deliveries?.() ?? []),
  };
}
