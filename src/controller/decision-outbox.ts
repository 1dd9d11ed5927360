import type { RolloutDecision } from '../engine/rollout-machine.js';
import type { EvidenceAnchor, EvidenceSink, Notifier, RolloutEventPayload } from './ports.js';
import type { StateStore, StoredDecision, StoredInterval } from './state-store.js';
import type { RolloutSnapshot } from './view.js';

export interface DecisionOutboxOptions {
  rolloutId: string;
  service: string;
  store: StateStore;
  evidence?: EvidenceSink | undefined;
  notifier?: Notifier | undefined;
  now: () => number;
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Names of the observation sources (embedded, otlp, prometheus, synthetics): each record says where its inputs came
   * from.
   */
  sources?: string[];
  /** The id webhooks carry and derive delivery ids from (default `rolloutId`, the state store's id). */
  publicId?: string | undefined;
  /** A decision's webhooks settled later and its outbox flag was set (serve writes its state again then). */
  onNotified?: (() => void) | undefined;
}

/** Which webhook event a decision is: the first step is a step, a person's pause/resume a hold. */
export function webhookEventOf(action: RolloutDecision['action']): RolloutEventPayload['event'] {
  if (action === 'start') return 'step';
  if (action === 'pause' || action === 'resume') return 'hold';
  return action;
}

/**
 * The transactional outbox of one rollout. The controller stores a decision first; this then hands it to the
 * evidence log and the notifier, and marks each hand-over in the state store. A webhook counts as handed over
 * once every receiver answered or was given up on, not when it was queued: a crash (or a lost Lease) while
 * retries are still running leaves the flag unset, so the resumed controller sends it again — with the same
 * delivery id, derived from the decision's sequence number, so receivers drop the duplicate. Nothing here may
 * stop the loop: failures are warnings, and the decision stays pending for the next process.
 */
export class DecisionOutbox {
  constructor(private readonly options: DecisionOutboxOptions) {}

  /** Hands over one stored decision (both parts, or only the ones still pending on resume). */
  publish(
    seq: number,
    d: RolloutDecision,
    interval: Omit<StoredInterval, 'seq'> | null,
    pending = { record: true, notify: true },
  ): void {
    const { options: o } = this;
    let anchor: EvidenceAnchor | undefined;
    if (pending.record && o.evidence) {
      try {
        anchor =
          o.evidence.record({
            decision: d,
            assessment: interval?.assessment ?? null,
            inputs: interval ? { observation: interval.observation, sources: o.sources ?? [] } : null,
          }) ?? undefined;
        o.store.markRecorded(o.rolloutId, seq, o.now());
      } catch (err) {
        o.onWarning?.(
          `evidence: could not record the ${d.action} decision (kept in the ` +
            `state database; retried on restart): ${(err as Error).message}`,
        );
      }
    }
    if (!pending.notify) return;
    const id = o.publicId ?? o.rolloutId;
    const settled = o.notifier?.notify({
      event: webhookEventOf(d.action),
      service: o.service,
      rolloutId: id,
      step: d.step,
      weight: d.weight,
      score: d.score,
      decision: d,
      deliveryId: `${id}:${seq}:${d.action}`,
      evidence: anchor ?? o.evidence?.anchorOf?.(d),
    });
    if (!(settled instanceof Promise)) return o.store.markNotified(o.rolloutId, seq, o.now());
    void settled.then((outcome) => {
      if (outcome === 'abandoned') return; // still pending: the next process sends it again
      try {
        o.store.markNotified(o.rolloutId, seq, o.now());
      } catch {
        return; // the store was closed (stopped, leadership lost): the flag stays unset, so it is resent
      }
      o.onNotified?.();
    });
  }

  /** On resume: everything a previous process stored but did not hand over. */
  resend(decisions: readonly StoredDecision[]): void {
    for (const d of decisions) {
      if (d.notifiedAt === null || d.recordedAt === null)
        this.publish(d.seq, d.decision, null, { record: d.recordedAt === null, notify: d.notifiedAt === null });
    }
  }

  /** The evidence summary and write-ups of a finished rollout. */
  finish(snap: RolloutSnapshot): void {
    if (!this.options.evidence) return;
    try {
      this.options.evidence.finish(snap, snap.rollbackDurationSeconds);
    } catch (err) {
      this.options.onWarning?.(`evidence: could not write the summary: ${(err as Error).message}`);
    }
  }
}
