import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import * as m from '../metric-names.js';

/** Rollback durations are sub-second on the local router and minutes elsewhere; the playbook target is 300 s. */
const ROLLBACK_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** The version label values of a rollout's variants, for VARIANT_INFO (unknown ones are left out). */
export interface VariantVersions {
  stable?: string | undefined;
  canary?: string | undefined;
}

/**
 * The controller's Prometheus metrics, in a Registry this class owns (the server serves it at /metrics).
 * Every name comes from src/metric-names.ts, which the rendered Prometheus rules and Grafana dashboard
 * are built on, so what the controller emits is what they query. `<service>_rollback_duration_seconds` is named
 * per service as the playbook measures it; the rest carry `service` and `rollout` labels.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly rollbackHistograms = new Map<string, Histogram>();
  private readonly decisions = new Counter({
    name: m.DECISIONS_TOTAL,
    help: 'Controller decisions by rollout and decision (start, step, hold, promote, rollback, pause, resume).',
    labelNames: ['service', 'rollout', 'decision'] as const,
    registers: [this.registry],
  });
  private readonly score = new Gauge({
    name: m.SCORE,
    help: 'Composite health score of the canary (0..1) at the last interval.',
    labelNames: ['service', 'rollout'] as const,
    registers: [this.registry],
  });
  private readonly weight = new Gauge({
    name: m.CANARY_WEIGHT,
    help: 'Share of traffic routed to the canary, percent; 0 when no rollout is in progress.',
    labelNames: ['service', 'rollout'] as const,
    registers: [this.registry],
  });
  private readonly step = new Gauge({
    name: m.STEP,
    help: 'Current step of the rollout (0-based index into the policy steps).',
    labelNames: ['service', 'rollout'] as const,
    registers: [this.registry],
  });
  private readonly lastAnalysis = new Gauge({
    name: m.LAST_ANALYSIS_TIMESTAMP,
    help: 'Unix time of the last analysis interval.',
    labelNames: ['service', 'rollout'] as const,
    registers: [this.registry],
  });
  private readonly variantInfo = new Gauge({
    name: m.VARIANT_INFO,
    help:
      'Which version label value is the canary and which the baseline; the ' +
      'value is the rollout start (unix seconds).',
    labelNames: ['service', 'rollout', 'variant', 'version'] as const,
    registers: [this.registry],
  });
  private readonly intervals = new Counter({
    name: m.INTERVALS_TOTAL,
    help: 'Analysis intervals evaluated, by verdict.',
    labelNames: ['service', 'verdict'] as const,
    registers: [this.registry],
  });
  private readonly variants = new Map<
    string,
    { service: string; rollout: string; variant: string; version: string }[]
  >();

  /** Creates the service's rollback histogram up front so /metrics shows it (empty) before any rollback. */
  registerService(service: string): void {
    this.rollbackHistogram(service);
  }

  /**
   * A rollout is in progress: its series exist from now on. The rollback counter starts at 0 so `increase()`
   * in the RolledBack alert sees the first rollback (a counter born at 1 has no increase to show).
   */
  startRollout(
    service: string,
    rollout: string,
    options: { startedAtMs: number; weight: number; step: number; versions?: VariantVersions | undefined },
  ): void {
    this.registerService(service);
    this.decisions.inc({ service, rollout, decision: m.DECISION_ROLLBACK }, 0);
    this.weight.set({ service, rollout }, options.weight);
    this.step.set({ service, rollout }, options.step);
    this.clearVariants(rollout);
    const series = [
      { variant: m.BASELINE_VALUE, version: options.versions?.stable },
      { variant: m.CANARY_VALUE, version: options.versions?.canary },
    ]
      .filter((v): v is { variant: string; version: string } => Boolean(v.version))
      .map((v) => ({ service, rollout, ...v }));
    for (const labels of series) this.variantInfo.set(labels, Math.floor(options.startedAtMs / 1000));
    this.variants.set(rollout, series);
  }

  observeInterval(
    service: string,
    rollout: string,
    options: { verdict: string; score: number; weight: number; step: number; atMs: number },
  ): void {
    this.intervals.inc({ service, verdict: options.verdict });
    this.score.set({ service, rollout }, options.score);
    this.weight.set({ service, rollout }, options.weight);
    this.step.set({ service, rollout }, options.step);
    this.lastAnalysis.set({ service, rollout }, options.atMs / 1000);
  }

  observeDecision(service: string, rollout: string, options: { decision: string; weight: number; step: number }): void {
    this.decisions.inc({ service, rollout, decision: options.decision });
    this.weight.set({ service, rollout }, options.weight);
    this.step.set({ service, rollout }, options.step);
  }

  observeRollback(service: string, seconds: number): void {
    this.rollbackHistogram(service).observe(seconds);
  }

  /** Promoted or rolled back: no canary weight any more, and its variants no longer label the service's series. */
  finishRollout(service: string, rollout: string): void {
    this.weight.set({ service, rollout }, 0);
    this.clearVariants(rollout);
  }

  private clearVariants(rollout: string): void {
    for (const labels of this.variants.get(rollout) ?? []) this.variantInfo.remove(labels);
    this.variants.delete(rollout);
  }

  private rollbackHistogram(service: string): Histogram {
    let h = this.rollbackHistograms.get(service);
    if (!h) {
      h = new Histogram({
        name: m.rollbackDurationMetric(service),
        help: `Seconds from the rollback decision until 100% of ${service} traffic is confirmed on stable.`,
        buckets: ROLLBACK_BUCKETS,
        registers: [this.registry],
      });
      this.rollbackHistograms.set(service, h);
    }
    return h;
  }
}
