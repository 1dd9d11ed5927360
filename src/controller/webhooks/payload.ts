import { randomUUID } from 'node:crypto';
import type { WebhookEvent, WebhookPayload } from '../../schema/evidence.js';
import { headline } from '../../engine/reason-text.js';
import type { DecisionPoint } from '../view.js';

/** What the controller hands the sender; `deliveryId` and `at` are filled in when absent. */
export type WebhookMessage = Omit<WebhookPayload, 'deliveryId' | 'at'> & { deliveryId?: string; at?: string };

const EVENT_OF: Partial<Record<DecisionPoint['action'], WebhookEvent>> = {
  promote: 'promote',
  rollback: 'rollback',
  step: 'step',
  hold: 'hold',
};

/**
 * The webhook message for a controller decision, or undefined for actions that are not webhook events
 * (start, pause, resume). Pass `evidence` (the chain head after recording the decision) to anchor it outside,
 * and a `deliveryId` derived from it (e.g. `${rolloutId}-${seq}`) so a resumed controller re-sends the same id.
 */
export function messageForDecision(
  service: string,
  rolloutId: string,
  decision: DecisionPoint,
  evidence?: { seq: number; hash: string },
): WebhookMessage | undefined {
  const event = EVENT_OF[decision.action];
  if (!event) return undefined;
  return {
    event,
    service,
    rolloutId,
    step: decision.step,
    weight: decision.weight,
    score: decision.score,
    reasons: decision.reasons,
    text: decisionText(rolloutId, decision),
    at: decision.at,
    ...(evidence ? { evidence, deliveryId: `${rolloutId}-${evidence.seq}-${event}` } : {}),
  };
}

/** e.g. "maestro-api-1: rollback at step 2 (weight 25%) — error-rate: canary 1.9× baseline (1.0–4.3), …". */
function decisionText(rolloutId: string, d: DecisionPoint): string {
  const why = headline(d.reasons);
  return `${rolloutId}: ${d.action} at step ${d.step + 1} (weight ${d.weight}%)${why ? ` — ${why}` : ''}`;
}

export function completePayload(message: WebhookMessage, now: () => number): WebhookPayload {
  return {
    ...message,
    deliveryId: message.deliveryId ?? randomUUID(),
    at: message.at ?? new Date(now()).toISOString(),
  };
}
