import { rankReasons, reasonLine } from '../engine/reason-text.js';
import {
  annotate,
  checkSilences,
  grafanaTarget,
  postRollbackAlert,
  type FetchLike,
  type GrafanaTarget,
} from '../observability/index.js';
import type { PolicySpec } from '../schema/policy.js';
import type { EvidenceNote, EvidenceSink, Notifier, RolloutEventPayload } from './ports.js';

export interface ObservabilityHooksOptions {
  policy: PolicySpec;
  rolloutId: string;
  /** Where `spec.grafana.tokenEnv` is read. */
  env: NodeJS.ProcessEnv;
  evidence?: EvidenceSink | undefined;
  onWarning?: ((message: string) => void) | undefined;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: () => number;
}

export type PreStart = { start: true; reason?: string } | { start: false; reason: string };

const reasonLines = (p: RolloutEventPayload): string[] => rankReasons(p.decision.reasons).map(reasonLine);

/**
 * The controller's side of observability as code (src/observability): the silence check before a rollout starts,
 * a rollback alert to Alertmanager, and a Grafana annotation at each step, promotion and rollback. As a Notifier
 * it only hears about decisions after the controller acted on them — the rollback alert goes out once traffic
 * is already back on stable — and it never blocks: calls run in the background and every outcome that matters
 * (any failure, the silence check, the rollback alert) is a note in the evidence chain.
 */
export class ObservabilityHooks implements Notifier {
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  private constructor(
    private readonly options: ObservabilityHooksOptions,
    private readonly grafana: GrafanaTarget | undefined,
  ) {}

  /** Undefined when the policy names neither Alertmanager nor Grafana (with a token in the environment). */
  static create(options: ObservabilityHooksOptions): ObservabilityHooks | undefined {
    const grafana = grafanaTarget(options.policy, options.env);
    if (!options.policy.alerting.alertmanagerUrl && !grafana) return undefined;
    return new ObservabilityHooks(options, grafana);
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The playbook's "no silence mutes our alerts": with `silenceCheck: hold` an active silence outside the
   * planned window keeps the rollout from starting; with `warn` it starts and the warning is in the evidence.
   * An Alertmanager that does not answer is recorded, never a reason to hold.
   */
  async preStart(): Promise<PreStart> {
    const { policy } = this.options;
    const url = policy.alerting.alertmanagerUrl;
    if (!url) return { start: true };
    const check = await checkSilences({
      alertmanagerUrl: url,
      service: policy.service,
      rollout: this.options.rolloutId,
      window: policy.alerting.maintenanceWindow,
      now: new Date(this.now),
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
    });
    const details = {
      status: check.status,
      silenceCheck: policy.alerting.silenceCheck,
      blocking: check.blocking.map((s) => s.id),
      planned: check.planned.map((s) => s.id),
    };
    if (check.status === 'pass') {
      this.note({ topic: 'silence-check', level: 'info', message: check.reason, details });
      return { start: true };
    }
    if (check.status === 'blocked' && policy.alerting.silenceCheck === 'hold') {
      this.note({
        topic: 'silence-check',
        level: 'error',
        message: `not started (silenceCheck: hold): ${check.reason}`,
        details,
      });
      return { start: false, reason: check.reason };
    }
    const reason =
      check.status === 'blocked'
        ? `started anyway (silenceCheck: warn): ${check.reason}`
        : `silence check skipped: ${check.reason}`;
    this.note({ topic: 'silence-check', level: 'warning', message: reason, details });
    this.options.onWarning?.(reason);
    return { start: true, reason };
  }

  notify(p: RolloutEventPayload): void {
    if (p.event === 'rollback') this.background(() => this.alert(p));
    if (p.event === 'step' || p.event === 'promote' || p.event === 'rollback') this.background(() => this.annotate(p));
  }

  /** Waits up to `timeoutMs` for calls in flight; results arriving later only reach the terminal. */
  async flush(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
    clearTimeout(timer);
    this.closed = true;
  }

  private async alert(p: RolloutEventPayload): Promise<void> {
    const url = this.options.policy.alerting.alertmanagerUrl;
    if (!url) return;
    const res = await postRollbackAlert({
      alertmanagerUrl: url,
      service: p.service,
      rollout: p.rolloutId,
      reasons: reasonLines(p),
      now: new Date(this.now),
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
    });
    if (res.ok)
      this.note({
        topic: 'rollback-alert',
        level: 'info',
        message: 'rollback alert posted to Alertmanager (after traffic was back on stable)',
      });
    else this.failed('rollback-alert', `could not post the rollback alert: ${res.error}`);
  }

  private async annotate(p: RolloutEventPayload): Promise<void> {
    if (!this.grafana) return;
    const res = await annotate({
      grafana: this.grafana,
      service: p.service,
      rollout: p.rolloutId,
      event: p.event,
      reasons: reasonLines(p),
      time: p.decision.at,
      summary: `step ${p.step + 1}, weight ${p.weight}%, score ${p.score.toFixed(3)}`,
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
    });
    if (!res.ok)
      this.failed('annotation', `could not annotate the ${p.event} in Grafana: ${res.error}`, {
        event: p.event,
        ...(res.status !== undefined ? { status: res.status } : {}),
      });
  }

  private failed(topic: string, message: string, details?: Record<string, unknown>): void {
    this.options.onWarning?.(message);
    this.note({ topic, level: 'warning', message, ...(details ? { details } : {}) });
  }

  private note(n: EvidenceNote): void {
    if (this.closed || !this.options.evidence?.note) return;
    try {
      this.options.evidence.note(n);
    } catch (err) {
      this.options.onWarning?.(`evidence: could not record the ${n.topic} note: ${(err as Error).message}`);
    }
  }

  private background(fn: () => Promise<void>): void {
    const task = fn()
      .catch((err: unknown) => this.failed('observability', (err as Error).message))
      .finally(() => this.inflight.delete(task));
    this.inflight.add(task);
  }
}
