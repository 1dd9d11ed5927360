import { messageForDecision, WebhookSender } from './webhooks/index.js';
import type { PolicySpec } from '../schema/policy.js';
import type { EvidenceLogSink } from './evidence-sink.js';
import type { WebhookDelivery } from '../schema/evidence.js';
import type { Notifier, NotifyOutcome, RolloutEventPayload } from './ports.js';
import { decisionPoint } from './snapshot.js';
import type { WebhookDeliveryView } from './view.js';
import { deliveryView } from '../schema/rollout-view.js';

/** Deliveries kept for the live view (the evidence keeps all of them). */
const MAX_DELIVERIES = 200;

/**
 * Binds the Notifier port to one WebhookSender per `spec.webhooks` entry. `notify` only queues: delivery,
 * retries and backoff run in the background, so a receiver that is down or slow never delays a rollback.
 * Each delivery's outcome is recorded in the evidence beside the decisions.
 */
export class WebhookNotifier implements Notifier {
  private readonly views = new Map<string, WebhookDeliveryView>();
  private senders: WebhookSender[] = [];

  private constructor(private readonly evidence?: EvidenceLogSink) {}

  static create(
    policy: PolicySpec,
    opts: {
      evidence?: EvidenceLogSink;
      onError?: (err: unknown) => void;
      timeoutMs?: number;
      fetch?: typeof fetch;
    } = {},
  ): WebhookNotifier {
    const n = new WebhookNotifier(opts.evidence);
    n.senders = policy.webhooks.map(
      (w) =>
        new WebhookSender({
          url: w.url,
          secret: w.secret,
          events: w.events,
          timeoutMs: opts.timeoutMs,
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
          onDelivery: (d) => {
            n.settled(d);
            opts.evidence?.log.recordDelivery(d);
          },
          onError: opts.onError,
        }),
    );
    return n;
  }

  /** Queues the event for every receiver; resolves once each has delivered or given up ('abandoned' at shutdown). */
  notify(p: RolloutEventPayload): Promise<NotifyOutcome> | undefined {
    if (this.senders.length === 0) return undefined;
    // The controller's event, not the raw action: the first step (start) is a `step`, a pause/resume a `hold`.
    // The anchor is the record this event reports (the outbox knows it, also on a resend); else the chain head.
    const message = messageForDecision(
      p.service,
      p.rolloutId,
      { ...decisionPoint(p.decision), action: p.event },
      p.evidence ?? this.evidence?.head,
    );
    if (!message) return undefined;
    // The controller's id (from the decision's sequence number) is stable across a resume; without one, keep the
    // id messageForDecision derived from the evidence head. Never let an undefined id turn into a random one.
    const deliveryId = p.deliveryId ?? message.deliveryId;
    const done: Promise<WebhookDelivery['outcome']>[] = [];
    for (const s of this.senders) {
      const queued = s.queue({ ...message, ...(deliveryId ? { deliveryId } : {}) });
      if (!queued) continue;
      done.push(queued.done);
      const view = { id: queued.id, event: message.event, url: s.safeUrl, status: null, attempts: 0 };
      this.track({ ...view, outcome: 'pending' });
    }
    if (done.length === 0) return undefined;
    return Promise.all(done).then((o) => (o.includes('abandoned') ? 'abandoned' : 'settled'));
  }

  deliveries(): WebhookDeliveryView[] {
    return [...this.views.values()].map((v) => ({ ...v }));
  }

  private settled(d: WebhookDelivery): void {
    this.track(deliveryView(d));
  }

  /** One entry per delivery id and receiver; a later state replaces the earlier one in place. */
  private track(v: WebhookDeliveryView): void {
    this.views.set(`${v.id} ${v.url}`, v);
    for (const key of this.views.keys()) {
      if (this.views.size <= MAX_DELIVERIES) break;
      this.views.delete(key);
    }
  }

  async flush(timeoutMs: number): Promise<void> {
    await Promise.all(this.senders.map((s) => s.drain(timeoutMs)));
  }
}
