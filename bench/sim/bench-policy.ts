import { policySpec, type PolicySpec } from '../../src/schema/policy.js';

/**
 * The policy every judge runs under in the benchmark: three 2-minute steps (10/25/50%), 10 s intervals,
 * 2 minutes of bake extension when inconclusive, then hold. Threshold bounds are Flagger's documented example
 * (≥ 99% success) and ~2× the healthy p99, with Argo `failureLimit: 3` so one noisy interval is forgiven.
 */
export function benchPolicy(): PolicySpec {
  return policySpec.parse({
    service: 'bench',
    interval: '10s',
    steps: [
      { weight: 10, bake: '2m' },
      { weight: 25, bake: '2m' },
      { weight: 50, bake: '2m' },
    ],
    metrics: [
      { name: 'error-rate', kind: 'errors', critical: true, threshold: { max: 0.01 } },
      { name: 'latency-p99', kind: 'latency', quantile: 0.99, threshold: { max: 300 } },
    ],
    threshold: { failureLimit: 3 },
    inconclusive: { maxExtension: '2m', then: 'hold' },
  });
}
