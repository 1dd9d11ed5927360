import type { WebhookDelivery } from './evidence.js';
import type { Reason, Verdict } from './reason.js';

/**
 * The contract between the controller and everything that shows or steers it (HTTP API, dashboard, terminal
 * progress). The controller implements it; the server only reads snapshots, subscribes to events and asks
 * for manual actions. Extend it (add fields); do not rename or remove.
 */
export type RolloutPhase =
  | 'pending' // created, not yet started (e.g. waiting on a silence check)
  | 'progressing' // baking at a step
  | 'holding' // inconclusive past its extensions, or paused by a person: waits for promote/abort
  | 'promoted'
  | 'rolled-back';

/** One analysis interval as people see it. */
export interface IntervalPoint {
  /** Seconds since the rollout started. */
  t: number;
  at: string; // ISO time
  step: number;
  weight: number;
  score: number;
  verdict: Verdict;
  /** Synthetic success ratio of the canary this interval, null without runs. */
  syntheticAvailability: number | null;
  /** Share of the period's error budget the canary consumed so far (0..1). */
  budgetBurn: number | null;
  canaryRequests: number;
  canaryErrors: number;
  baselineRequests: number;
  baselineErrors: number;
  /** With a baseline running (fresh stable instances, `control`): its counts this interval. */
  controlRequests?: number;
  controlErrors?: number;
  /** What the judge compared the canary with: `baseline` once a baseline has shown data, else stable. */
  comparison?: 'baseline' | 'stable';
  /** Inside the policy's warm-up (from the start, or from a restart of the upstreams): observed, not judged. */
  warmup?: boolean;
}

export interface DecisionPoint {
  at: string;
  action: 'start' | 'step' | 'hold' | 'promote' | 'rollback' | 'pause' | 'resume';
  step: number;
  weight: number;
  score: number;
  /** Who decided: "judge", "rule:<name>", "user:<name>", "drill". */
  by: string;
  reasons: Reason[];
}

/** One webhook event to one receiver, as the API and dashboard show it (the evidence has every attempt). */
export interface WebhookDeliveryView {
  /** The delivery id (X-Adaptive-Canary-Delivery), the same across retries and a resumed controller. */
  id: string;
  event: 'promote' | 'rollback' | 'step' | 'hold';
  /** The receiver, with secrets and query strings redacted. */
  url: string;
  /** HTTP status of the last attempt; null while none answered. */
  status: number | null;
  attempts: number;
  /** pending = still being tried; delivered = 2xx; failed = gave up; abandoned = still retrying at shutdown. */
  outcome: 'pending' | 'delivered' | 'failed' | 'abandoned';
}

/** A settled delivery record (webhooks.jsonl) as the API and dashboard show it. */
export function deliveryView(d: WebhookDelivery): WebhookDeliveryView {
  return {
    id: d.deliveryId,
    event: d.event,
    url: d.url,
    status: d.status,
    attempts: d.attempts.length,
    outcome: d.outcome,
  };
}

export interface RolloutSnapshot {
  id: string;
  service: string;
  phase: RolloutPhase;
  /** 0-based index into the policy's steps. */
  step: number;
  stepCount: number;
  weight: number;
  score: number;
  verdict: Verdict;
  startedAt: string;
  updatedAt: string;
  /** Fraction of the current step's bake done (0..1). */
  bakeProgress: number;
  minScore: number;
  reasons: Reason[];
  intervals: IntervalPoint[];
  decisions: DecisionPoint[];
  /** Seconds from the rollback decision until the actuator confirmed 100% stable. */
  rollbackDurationSeconds: number | null;
  /** Time from start (or fault onset in the demo) to the final decision, seconds. */
  timeToDecideSeconds: number | null;
  evidenceDir: string | null;
  /** Webhook deliveries this process made for the rollout, oldest first. */
  webhookDeliveries: WebhookDeliveryView[];
}
