import { healthy, regression, type Scenario } from './scenarios.js';
import type { ColdStart, Gauge } from './signals.js';

/**
 * The cold-start, baseline and gauge conditions (bench/sim/signals.ts), run by bench/explore-signals.ts with
 * the policy each needs (`specFor`: a critical custom "cpu" metric, a warm-up). Kept apart from `scenarios`
 * until bench/judges.bench.ts gives each condition its own policy.
 */
/** A cold start: 3× the latency and 2× the errors at first, fading to none over 90 s. */
const COLD: ColdStart = { seconds: 90, latencyFactor: 3, errorFactor: 2 };
/** CPU per pod, three pods a side, 15% log-normal noise per pod. */
const CPU: Gauge = { samples: 3, noise: 0.15 };
const DAILY = (t: number, phase: number): number => 1 + 0.7 * Math.sin((2 * Math.PI * t) / 600 + phase);

export const signalScenarios: Scenario[] = [
  healthy('healthy: cold-start canary, no baseline', { coldStart: COLD }),
  healthy('healthy: cold-start canary with a baseline', { coldStart: COLD, withBaseline: true }),
  healthy('healthy: cold-start canary, warmup 90s', { coldStart: COLD, warmup: '90s' }),
  healthy('healthy: CPU gauge, load-driven noise', { gauge: CPU, load: DAILY }),
  regression('CPU +30% (custom gauge)', { gauge: { ...CPU, lift: 1.3 }, load: DAILY }),
  regression('errors ×2 with a baseline', { canaryErrorFactor: 2, withBaseline: true }),
];
