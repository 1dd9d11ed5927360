import { lognormal, scaled, tailScaled, withParetoTail, type Cdf } from './latency.js';
import type { ColdStart, Gauge } from './signals.js';

/**
 * The benchmark's conditions: one list (`scenarios` below), run in order by bench/judges.bench.ts; to add a
 * condition, append it here (its seeds follow from its position, so append rather than insert to keep the others'
 * seeds). Healthy conditions give the false-abort rate; regressions the detection rate, the time to detect and the
 * oracle's (bench/sim/oracle.ts reads `canaryErrorFactor`, `canaryLatency`, `canarySyntheticPass` and `onset`).
 * Everything is relative to a service at 200 requests/s, 0.5% errors, lognormal latency with a 50 ms median.
 */
export interface Scenario {
  name: string;
  healthy: boolean;
  rps: number;
  errorRate: number;
  baselineLatency: Cdf;
  /** Latency of a regressed canary (defaults to the baseline's). */
  canaryLatency?: Cdf;
  canaryErrorFactor?: number;
  /** Seconds from start when the regression begins. */
  onset?: number;
  /** Shared load multiplier λ(t) (both versions); errors and latency worsen with load. */
  load?: (t: number, phase: number) => number;
  /** Shared incidents: per-interval start probability, error multiplier, length in intervals. */
  burst?: { prob: number; errorFactor: number; length: number };
  /** Missing data: per-variant per-interval loss probability, and the chance of a 60 s scrape outage per run. */
  gaps?: { prob: number; outageProb: number };
  /** Actual canary share = weight × this (sticky sessions, uneven pods). */
  shareFactor?: number;
  /** Probability that one synthetic run passes on a regressed canary. */
  canarySyntheticPass?: number;
  /** The fresh processes (canary, baseline) start slow and error-prone (bench/sim/signals.ts). */
  coldStart?: ColdStart;
  /** A baseline runs: the canary's share is split in half between canary and baseline. */
  withBaseline?: boolean;
  /** A custom gauge ("cpu") sampled per variant; the policy gets a critical custom metric for it. */
  gauge?: Gauge;
  /** Policy warm-up for this condition. */
  warmup?: string;
  /**
   * A healthy condition the judge is expected to roll back, and why (a cold canary against warm stable is worse
   * than stable: outside the guarantee's null). The report shows it; the false-abort goal leaves it out.
   */
  expectedAbort?: string;
}

const BASE = lognormal(50, 0.5);
const RPS = 200;
const ERR = 0.005;
/** A cold start: 3× the latency and 2× the errors at first, fading to none over 90 s (bench/sim/signals.ts). */
const COLD: ColdStart = { seconds: 90, latencyFactor: 3, errorFactor: 2 };
/** CPU per pod, three pods a side, 15% log-normal noise per pod, on the shared load (bench/sim/signals.ts). */
const CPU: Gauge = { samples: 3, noise: 0.15 };
const DAILY = (t: number, phase: number): number => 1 + 0.7 * Math.sin((2 * Math.PI * t) / 600 + phase);

export const healthy = (name: string, extra: Partial<Scenario> = {}): Scenario => ({
  name,
  healthy: true,
  rps: RPS,
  errorRate: ERR,
  baselineLatency: BASE,
  ...extra,
});
export const regression = (name: string, extra: Partial<Scenario>): Scenario => ({
  name,
  healthy: false,
  rps: RPS,
  errorRate: ERR,
  baselineLatency: BASE,
  onset: 0,
  ...extra,
});

export const scenarios: Scenario[] = [
  healthy('healthy: steady'),
  healthy('healthy: low traffic (10 rps)', { rps: 10 }),
  healthy('healthy: heavy-tailed latency', { baselineLatency: withParetoTail(BASE, 0.03, 100, 1.2) }),
  healthy('healthy: shared daily load swings', { load: DAILY }),
  healthy('healthy: shared error bursts', { burst: { prob: 0.05, errorFactor: 10, length: 2 } }),
  healthy('healthy: metric gaps', { gaps: { prob: 0.08, outageProb: 0.3 } }),
  healthy('healthy: unequal split (share 0.4×weight)', { shareFactor: 0.4 }),
  regression('errors ×1.5', { canaryErrorFactor: 1.5 }),
  regression('errors ×2', { canaryErrorFactor: 2 }),
  regression('errors ×5', { canaryErrorFactor: 5 }),
  regression('latency +20% (median shift)', { canaryLatency: scaled(BASE, 1.2) }),
  regression('latency tail-only (slowest 5% ×1.5)', { canaryLatency: tailScaled(BASE, 0.95, 1.5) }),
  regression('late onset: errors ×2 from t=200s', { canaryErrorFactor: 2, onset: 200 }),
  regression('synthetic-only failure (60% pass)', { canarySyntheticPass: 0.6 }),
  regression('late onset: errors ×10 from t=300s', { canaryErrorFactor: 10, onset: 300 }),
  // Cold starts, baselines and gauges; each runs under its own policy (specFor in bench/sim/signals.ts).
  healthy('healthy: cold-start canary, no baseline', {
    coldStart: COLD,
    expectedAbort: 'a cold canary is worse than warm stable for 90 s: the remedy is a baseline or a warm-up',
  }),
  healthy('healthy: cold-start canary with a baseline', { coldStart: COLD, withBaseline: true }),
  healthy('healthy: cold-start canary, warmup 90s', { coldStart: COLD, warmup: '90s' }),
  healthy('healthy: CPU gauge, load-driven noise', { gauge: CPU, load: DAILY }),
  regression('CPU +30% (custom gauge)', { gauge: { ...CPU, lift: 1.3 }, load: DAILY }),
  regression('errors ×2 with a baseline', { canaryErrorFactor: 2, withBaseline: true }),
  // A canary-only probe failure that starts late, during the shared bursts that stable's probes see too.
  regression('late onset: synthetic-only failure (60% pass) from t=200s, shared bursts', {
    canarySyntheticPass: 0.6,
    onset: 200,
    burst: { prob: 0.05, errorFactor: 10, length: 2 },
  }),
];
