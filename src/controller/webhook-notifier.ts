import { messageForDecision, WebhookSender } from './webhooks/index.js';
import type { PolicySpec } from '../schema/policy.js';
import type { EvidenceLogSink } from './evidence-sink.js';
import type { Notifier, RolloutEventPayload } from './ports.js';
import { decisionPoint } from './snapshot.js';

/**
 * Binds the Notifier port to one WebhookSender per `spec.webhooks` entry. `notify` only queues: delivery,
 * retries and backoff run in the background, so a receiver that is down or slow never delays a rollback.
 * Each delivery's outcome is recorded in the evidence beside the decisions.
 */
export class WebhookNotifier implements Notifier {
  private constructor(private readonly senders: WebhookSender[], private readonly evidence?: EvidenceLogSink) {}

  static create(policy: PolicySpec, opts: { evidence?: EvidenceLogSink; onError?: (err: unknown) => void; timeoutMs?: number; fetch?: typeof fetch } = {}): WebhookNotifier {
    const senders = policy.webhooks.map((w) => new WebhookSender({
      url: w.url, secret: w.secret, events: w.events, timeoutMs: opts.timeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}),
      onDelivery: (d) => opts.evidence?.log.recordDelivery(d),
      onError: opts.onError,
    }));
    return new WebhookNotifier(senders, opts.evidence);
  }

  notify(p: RolloutEventPayload): void {
    if (this.senders.length === 0) return;
    const message = messageForDecision(p.service, p.rolloutId, decisionPoint(p.decision), this.evidence?.head);
    if (!message) return;
    // The controller's id (from the decision's sequence number) is stable across a resume; without one, keep the
    // id messageForDecision derived from the evidence head. Never let an undefined id turn into a random one.
    const deliveryId = p.deliveryId ?? message.deliveryId;
    for (const s of this.senders) s.send({ ...message, ...(deliveryId ? { deliveryId } : {}) });
  }

  async flush(timeoutMs: number): Promise<void> {
    await Promise.all(this.senders.map((s) => s.drain(timeoutMs)));
  }
}
