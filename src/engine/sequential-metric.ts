import type { IntervalObservation } from '../schema/observation.js';
import type { MetricPolicy } from '../schema/policy.js';
import { CountEvidence, ERROR_MIXTURE } from './count-evidence.js';
import type { StartTimePrior } from './start-time-prior.js';
import { boundForQuantile, countAbove, sum } from './observation-stats.js';

/**
 * One count test of a metric: errors, or "slow" requests above a latency bound. Each interval it adds the
 * canary's and baseline's bad-event counts together with the canary's share of requests in that interval.
 */
export interface CountTest {
  label: string;
  evidence: CountEvidence;
  /** Latency tests: the bound (ms) used in the last interval. */
  boundMs?: number;
  add(o: IntervalObservation): void;
}

export function errorCountTest(prior?: StartTimePrior): CountTest {
  const evidence = new CountEvidence(prior, ERROR_MIXTURE);
  return {
    label: 'errors',
    evidence,
    add(o) {
      const c = o.canary;
      const b = o.baseline;
      if (!c || !b || c.errors == null || b.errors == null || c.requests == null || b.requests == null) return;
      const total = c.requests + b.requests;
      if (!(total > 0)) return;
      evidence.add(c.errors, b.errors, c.requests / total, { canary: c.requests, baseline: b.requests });
    },
  };
}

/**
 * Share of requests slower than the bound nearest the q-quantile of the baseline's earlier intervals plus this
 * interval's pooled (canary + baseline) histogram. The bound never looks at which version a request came from:
 * under "same distribution" the canary's requests are a random subset of the interval's whatever the pooled
 * histogram is, so each interval's factor still has expectation ≤ 1 (count-evidence.ts) and the product stays
 * a test supermartingale — and the first interval already counts.
 */
export function latencyCountTest(q: number, boundsMs: readonly number[], prior?: StartTimePrior): CountTest {
  const evidence = new CountEvidence(prior);
  const history = new Float64Array(boundsMs.length + 1);
  const pooled = new Float64Array(boundsMs.length + 1);
  const test: CountTest = {
    label: `slower than baseline p${Math.round(q * 1000) / 10}`,
    evidence,
    add(o) {
      const c = o.canary?.latency;
      const b = o.baseline?.latency;
      if (c && b && c.length === history.length && b.length === history.length) {
        for (let i = 0; i < pooled.length; i++) pooled[i] = history[i]! + c[i]! + b[i]!;
        const k = boundForQuantile(pooled, q);
        const nc = sum(c);
        const nb = sum(b);
        if (k >= 0 && nc + nb > 0) {
          evidence.add(countAbove(c, k), countAbove(b, k), nc / (nc + nb), { canary: nc, baseline: nb });
          test.boundMs = boundsMs[k];
        }
      }
      if (b && b.length === history.length) for (let i = 0; i < b.length; i++) history[i]! += b[i]!;
    },
  };
  return test;
}

export function countTestsFor(
  metric: MetricPolicy,
  boundsMs: readonly number[],
  extraQuantiles: readonly number[],
  prior?: StartTimePrior,
): CountTest[] {
  if (metric.kind === 'errors') return [errorCountTest(prior)];
  if (metric.kind === 'latency') {
    const qs = [...new Set([...extraQuantiles, metric.quantile])].sort((a, b) => a - b);
    return qs.map((q) => latencyCountTest(q, boundsMs, prior));
  }
  return [];
}
