import type { IntervalObservation } from '../schema/observation.js';
import type { MetricPolicy, PolicySpec } from '../schema/policy.js';
import type { Judge, JudgeOutput, MetricJudgement } from './judge-interface.js';
import { metricValue } from './observation-stats.js';
import { fmt } from './sequential-judge.js';
import type { Reason, Verdict } from './assessment.js';

/**
 * Argo Rollouts / Flagger semantics (docs/statistics.md, "Threshold judge"): every interval each metric is one
 * measurement of the canary alone against absolute bounds. A measurement outside them is Failed; the run fails when
 * failed > failureLimit (−1 disables). No data is, per `threshold.noData`: Argo's Error (the run fails when
 * consecutive errors > consecutiveErrorLimit; a good measurement resets the streak), Flagger's failed check
 * ("no values found" counts like a failure), or ignored.
 */
const DEFAULT_BOUNDS: Record<MetricPolicy['kind'], { max?: number; min?: number }> = {
  // Flagger's documented built-ins: request-success-rate ≥ 99%, request-duration P99 ≤ 500 ms.
  errors: { max: 0.01 },
  latency: { max: 500 },
  custom: {},
};

interface Counter {
  failed: number;
  consecutiveError: number;
  measurements: number;
}

export function createThresholdJudge(spec: PolicySpec): Judge {
  const counters = new Map<string, Counter>(
    spec.metrics.map((m) => [m.name, { failed: 0, consecutiveError: 0, measurements: 0 }]),
  );
  const { failureLimit, consecutiveErrorLimit, noData } = spec.threshold;
  return {
    name: 'threshold',
    update(o: IntervalObservation): JudgeOutput {
      let rule: string | undefined;
      const metrics = spec.metrics.map((m): MetricJudgement => {
        const c = counters.get(m.name)!;
        const value = metricValue(o.canary, m, spec.latencyBoundsMs);
        const bounds = m.threshold ?? DEFAULT_BOUNDS[m.kind];
        c.measurements++;
        const outcome = measure(value, bounds, noData);
        if (outcome === 'failed') c.failed++;
        c.consecutiveError =
          outcome === 'error' ? c.consecutiveError + 1 : outcome === 'skipped' ? c.consecutiveError : 0;
        const overFailures = failureLimit >= 0 && c.failed > failureLimit;
        const overErrors = c.consecutiveError > consecutiveErrorLimit;
        if (overFailures) rule ??= 'threshold-failure-limit';
        else if (overErrors) rule ??= 'threshold-consecutive-errors';
        const verdict: Verdict =
          overFailures || overErrors ? 'fail' : outcome === 'successful' ? 'pass' : 'inconclusive';
        return {
          metric: m.name,
          verdict,
          health: outcome === 'failed' ? 0 : 1,
          critical: m.critical,
          weight: m.weight,
          reason: reason(m, { value, bounds, outcome, verdict, c }, spec),
        };
      });
      return rule ? { metrics, verdict: 'fail', rule } : { metrics };
    },
  };
}

type Outcome = 'successful' | 'failed' | 'error' | 'skipped';

function measure(
  value: number | null,
  bounds: { max?: number; min?: number },
  noData: PolicySpec['threshold']['noData'],
): Outcome {
  if (value === null) return noData === 'fail' ? 'failed' : noData === 'error' ? 'error' : 'skipped';
  return (bounds.max !== undefined && value > bounds.max) || (bounds.min !== undefined && value < bounds.min)
    ? 'failed'
    : 'successful';
}

interface Measurement {
  value: number | null;
  bounds: { max?: number; min?: number };
  outcome: Outcome;
  verdict: Verdict;
  c: Counter;
}

function reason(m: MetricPolicy, { value, bounds, outcome, verdict, c }: Measurement, spec: PolicySpec): Reason {
  const unit = m.kind === 'latency' ? ' ms' : '';
  const limits = [
    bounds.min !== undefined ? `≥ ${bounds.min}${unit}` : '',
    bounds.max !== undefined ? `≤ ${bounds.max}${unit}` : '',
  ];
  const range = limits.filter(Boolean).join(' and ') || 'no bounds';
  const shown = value === null ? 'no data' : `${fmt(value)}${unit}`;
  return {
    signal: m.name,
    verdict,
    statistic: 'threshold',
    value: value ?? 0,
    threshold: bounds.max ?? bounds.min ?? 0,
    message:
      `${outcome}: canary ${shown}, must be ${range}; ${c.failed} failed ` +
      `(limit ${spec.threshold.failureLimit}), ${c.consecutiveError} ` +
      `consecutive errors (limit ${spec.threshold.consecutiveErrorLimit})`,
    details: {
      value,
      failed: c.failed,
      consecutiveError: c.consecutiveError,
      measurements: c.measurements,
      max: bounds.max ?? null,
      min: bounds.min ?? null,
    },
  };
}
