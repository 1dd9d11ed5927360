import { parseDuration } from '../../src/schema/duration.js';
import { policySpec, type PolicySpec } from '../../src/schema/policy.js';
import { gaussian, type Rng } from './sampling.js';

/**
 * The benchmark's cold starts, baselines and gauges (docs/statistics.md):
 * - a cold start: the canary (and a baseline, started with it) begins `latencyFactor` × slower and
 *   `errorFactor` × more error-prone, both fading linearly to 1 over `seconds`;
 * - a baseline: the canary's share is split in half between canary and baseline, as `run --baseline` does;
 * - a gauge ("cpu", cores per instance): `samples` per variant and interval, each the interval's shared load
 *   (the scenario's λ(t), and ±20% per interval) × the variant's level × log-normal noise of `noise`.
 */
export interface ColdStart {
  seconds: number;
  latencyFactor: number;
  errorFactor: number;
}

export interface Gauge {
  samples: number;
  noise: number;
  /** The regressed canary's level (1 = the baseline's). */
  lift?: number;
}

/** How much of the cold start is left at time t: 1 at the start, 0 once warm. */
export function coldLeft(cold: ColdStart | undefined, t: number): number {
  if (!cold) return 0;
  return Math.max(0, 1 - t / cold.seconds);
}

export function gaugeSamples(rng: Rng, g: Gauge, level: number, load: number): number[] {
  return Array.from({ length: g.samples }, () => 0.5 * level * load * Math.exp(g.noise * gaussian(rng)));
}

/** The shared per-interval load on the gauge: λ(t) with ±20% interval-to-interval noise. */
export function gaugeLoad(rng: Rng, load: number): number {
  return load * Math.max(0.2, 1 + 0.2 * gaussian(rng));
}

const CPU_METRIC = policySpec.parse({
  service: 'bench',
  metrics: [{ name: 'cpu', kind: 'custom', critical: true, tolerance: 1.2 }],
}).metrics[0]!;

/** The bench policy plus what a condition needs: a critical custom "cpu" metric, a warm-up. */
export function specFor(spec: PolicySpec, s: { gauge?: Gauge; warmup?: string }): PolicySpec {
  if (!s.gauge && !s.warmup) return spec;
  return {
    ...spec,
    ...(s.warmup ? { warmup: parseDuration(s.warmup) ?? 0 } : {}),
    metrics: s.gauge ? [...spec.metrics, CPU_METRIC] : spec.metrics,
  };
}
