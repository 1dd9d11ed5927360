import type { RolloutDecision } from '../engine/rollout-machine.js';
import type { EvidenceSink, Notifier, RolloutEventPayload } from './ports.js';
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
  /** Names of the observation sources (embedded, otlp, prometheus, synthetics): each record says where its inputs came from. */
  sources?: string[];
}

/** Which webhook event a decision is: the first step is a step, a person's pause/resume a hold. */
export function webhookEventOf(action: RolloutDecision['action']): RolloutEventPayload['event'] {
  if (action === 'start') return 'step';
  if (action === 'pause' || action === 'resume') return 'hold';
  return action;
}

/**
 * The transactional outbox of one rollout. The controller stores a decision first; this then hands it to the
 * evidence log and the notifier, and marks each hand-over in the state store. A crash in between leaves the
 * flag unset, so the resumed controller hands it over again — with the same delivery id, derived from the
 * decision's sequence number, so receivers drop the duplicate. Nothing here may stop the loop: failures are
 * warnings, and the decision stays pending for the next process.
 */
export class DecisionOutbox {
  constructor(private readonly o: DecisionOutboxOptions) {}

  /** Hands over one stored decision (both parts, or only the ones still pending on resume). */
  publish(
    seq: number,
    d: RolloutDecision,
    interval: Omit<StoredInterval, 'seq'> | null,
    pending = { record: true, notify: true },
  ): void {
    const { o } = this;
    if (pending.record && o.evidence) {
      try {
        o.evidence.record({
          decision: d,
          assessment: interval?.assessment ?? null,
          inputs: interval ? { observation: interval.observation, sources: o.sources ?? [] } : null,
        });
        o.store.markRecorded(o.rolloutId, seq, o.now());
      } catch (err) {
        o.onWarning?.(
          `evidence: could not record the ${d.action} decision (kept in the state database; retried on restart): ${(err as Error).message}`,
        );
      }
    }
    if (!pending.notify) return;
    o.notifier?.notify({
      event: webhookEventOf(d.action),
      service: o.service,
      rolloutId: o.rolloutId,
      step: d.step,
      weight: d.weight,
      score: d.score,
      decision: d,
      deliveryId: `${o.rolloutId}:${seq}:${d.action}`,
    });
    o.store.markNotified(o.rolloutId, seq, o.now());
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
    if (!this.o.evidence) return;
    try {
      this.o.evidence.finish(snap, snap.rollbackDurationSeconds);
    } catch (err) {
      this.o.onWarning?.(`evidence: could not write the summary: ${(err as Error).message}`);
    }
  }
}
