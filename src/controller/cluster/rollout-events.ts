import type { EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import { withRetry } from '../../actuators/argo/retry.js';
import { headline } from '../../engine/reason-text.js';
import type { RolloutDecision } from '../../engine/rollout-machine.js';
import { errorMessage } from '../../errors.js';
import type { Notifier, RolloutEventPayload } from '../ports.js';

/** `reportingController` of our Events (a qualified name, as events.k8s.io/v1 requires). */
export const REPORTING_CONTROLLER = 'adaptive-canary.dev/controller';
const NOTE_MAX_BYTES = 1024;

/** Reason (CamelCase, what `kubectl get events` shows), action and type per decision. */
const KIND: Record<RolloutDecision['action'], { reason: string; action: string; verb: string }> = {
  start: { reason: 'CanaryStarted', action: 'Start', verb: 'Started' },
  step: { reason: 'CanaryStepAdvanced', action: 'SetWeight', verb: 'Stepped' },
  promote: { reason: 'CanaryPromoted', action: 'Promote', verb: 'Promoted' },
  rollback: { reason: 'CanaryRolledBack', action: 'Rollback', verb: 'Rolled back' },
  hold: { reason: 'CanaryHeld', action: 'Hold', verb: 'Held' },
  pause: { reason: 'CanaryPaused', action: 'Pause', verb: 'Paused' },
  resume: { reason: 'CanaryResumed', action: 'Resume', verb: 'Resumed' },
};

export interface RolloutRef {
  namespace: string;
  name: string;
  uid?: string | undefined;
}

/** The note: what was decided, where, and the headline reason in one line (reason-text.ts), cut to 1 KiB. */
export function eventNote(d: RolloutDecision, rolloutId: string): string {
  const why = headline(d.reasons);
  const score = d.score === null || d.score === undefined ? 'n/a' : d.score.toFixed(2);
  const text =
    `${KIND[d.action].verb} at step ${d.step + 1} (canary weight now ${d.weight}%, score ${score}, by ${d.by})` +
    `${why ? `: ${why}` : ''} [evidence ${rolloutId}]`;
  return truncateBytes(text, NOTE_MAX_BYTES);
}

function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = text.slice(0, max);
  while (Buffer.byteLength(`${out}…`, 'utf8') > max) out = out.slice(0, -1);
  return `${out}…`;
}

/**
 * A Kubernetes Event on the Rollout for every decision, so `kubectl describe rollout` and `kubectl get events`
 * say why (Argo's own `RolloutAborted` does not). events.k8s.io/v1, the API for new Events (client-go's
 * tools/events does the same; core/v1 readers see the same objects, the note as the message). Events are
 * best-effort by design (the API server drops them after --event-ttl, 1 h by default): a failed create is a
 * warning, never a delay — the evidence and the webhooks are the durable record.
 */
export class RolloutEventRecorder implements Notifier {
  private seq = 0;
  private readonly inflight = new Set<Promise<void>>();

  private constructor(
    private readonly api: EventsV1Api,
    private readonly rollout: RolloutRef,
    private readonly instance: string,
    private readonly onWarning: (m: string) => void,
    private readonly now: () => number,
  ) {}

  static async create(
    kc: KubeConfig,
    rollout: RolloutRef,
    options: { instance: string; onWarning: (m: string) => void; now?: () => number },
  ): Promise<RolloutEventRecorder> {
    const { EventsV1Api } = await import('@kubernetes/client-node');
    return new RolloutEventRecorder(
      kc.makeApiClient(EventsV1Api),
      rollout,
      options.instance.slice(0, 128),
      options.onWarning,
      options.now ?? Date.now,
    );
  }

  notify(p: RolloutEventPayload): void {
    const task = this.post(p).finally(() => this.inflight.delete(task));
    this.inflight.add(task);
  }

  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inflight]), limit]);
    clearTimeout(timer);
  }

  private async post(p: RolloutEventPayload): Promise<void> {
    const { V1MicroTime } = await import('@kubernetes/client-node');
    const d = p.decision;
    const kind = KIND[d.action];
    const at = this.now();
    // client-go names Events `<regarding>.<hex nanoseconds>`; a counter keeps two in one millisecond apart.
    const name =
      `${this.rollout.name}.` +
      `${(BigInt(Math.floor(at)) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    try {
      await withRetry(
        () =>
          this.api.createNamespacedEvent({
            namespace: this.rollout.namespace,
            body: {
              apiVersion: 'events.k8s.io/v1',
              kind: 'Event',
              metadata: { name, namespace: this.rollout.namespace },
              eventTime: new V1MicroTime(at),
              reportingController: REPORTING_CONTROLLER,
              reportingInstance: this.instance,
              action: kind.action,
              reason: kind.reason,
              type: d.action === 'rollback' ? 'Warning' : 'Normal',
              note: eventNote(d, p.rolloutId),
              regarding: {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'Rollout',
                namespace: this.rollout.namespace,
                name: this.rollout.name,
                ...(this.rollout.uid ? { uid: this.rollout.uid } : {}),
              },
            },
          }),
        { attempts: 3 },
      );
    } catch (err) {
      this.onWarning(`event ${kind.reason} not recorded on the Rollout: ${errorMessage(err)}`);
    }
  }
}
