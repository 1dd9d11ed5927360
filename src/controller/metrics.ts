import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Rollback durations are sub-second on the local router and minutes elsewhere; the playbook target is 300 s. */
const ROLLBACK_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** `maestro-api` → `maestro_api` (Prometheus metric names allow [a-zA-Z0-9_:]). */
export function metricPrefix(service: string): string {
  const p = service.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(p) ? p : `_${p}`;
}

/**
 * The controller's Prometheus metrics, in a Registry this class owns (the server serves it at /metrics).
 * `<service>_rollback_duration_seconds` is named per service as the playbook measures it
 * (`maestro_api_rollback_duration_seconds`); the rest carry `service` and `rollout` labels.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly rollbackHistograms = new Map<string, Histogram>();
  private readonly decisions = new Counter({
    name: 'adaptive_canary_decisions_total', help: 'Controller decisions by action and decider.',
    labelNames: ['service', 'action', 'by'] as const, registers: [this.registry],
  });
  private readonly score = new Gauge({
    name: 'adaptive_canary_composite_score', help: 'Composite health score of the canary (0..1) at the last interval.',
    labelNames: ['service', 'rollout'] as const, registers: [this.registry],
  });
  private readonly weight = new Gauge({
    name: 'adaptive_canary_canary_weight_percent', help: 'Share of traffic routed to the canary, percent.',
    labelNames: ['service', 'rollout'] as const, registers: [this.registry],
  });
  private readonly intervals = new Counter({
    name: 'adaptive_canary_intervals_total', help: 'Analysis intervals evaluated, by verdict.',
    labelNames: ['service', 'verdict'] as const, registers: [this.registry],
  });

  /** Creates the service's rollback histogram up front so /metrics shows it (empty) before any rollback. */
  registerService(service: string): void {
    this.rollbackHistogram(service);
  }

  observeRollback(service: string, seconds: number): void {
    this.rollbackHistogram(service).observe(seconds);
  }

  observeDecision(service: string, action: string, by: string): void {
    this.decisions.inc({ service, action, by: by.split(':')[0] ?? by });
  }

  observeInterval(service: string, rollout: string, verdict: string, score: number, weight: number): void {
    this.intervals.inc({ service, verdict });
    this.score.set({ service, rollout }, score);
    this.weight.set({ service, rollout }, weight);
  }

  setWeight(service: string, rollout: string, weight: number): void {
    this.weight.set({ service, rollout }, weight);
  }

  private rollbackHistogram(service: string): Histogram {
    let h = this.rollbackHistograms.get(service);
    if (!h) {
      h = new Histogram({
        name: `${metricPrefix(service)}_rollback_duration_seconds`,
        help: `Seconds from the rollback decision until 100% of ${service} traffic is confirmed on stable.`,
        buckets: ROLLBACK_BUCKETS, registers: [this.registry],
      });
      this.rollbackHistograms.set(service, h);
    }
    return h;
  }
}
