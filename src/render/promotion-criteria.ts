import { formatDuration } from '../schema/duration.js';
import type { PolicySpec } from '../schema/policy.js';

/**
 * The promotion criteria ADR 0002 records, the policy enforces and `rollouts.yaml` carries as annotations — one
 * table, so render writes them and preflight compares them with the same names. Values are strings, as
 * annotations are.
 */
export const CRITERIA_PREFIX = 'adaptive-canary.dev/';

export const PROMOTION_CRITERIA: { name: string; policyPath: string; of: (s: PolicySpec) => string }[] = [
  { name: 'min-composite-score', policyPath: 'spec.promotion.minScore', of: (s) => String(s.promotion.minScore) },
  {
    name: 'synthetic-min-score',
    policyPath: 'spec.promotion.synthetic.minScore',
    of: (s) => String(s.promotion.synthetic.minScore),
  },
  {
    name: 'synthetic-consecutive-intervals',
    policyPath: 'spec.promotion.synthetic.consecutive',
    of: (s) => String(s.promotion.synthetic.consecutive),
  },
  {
    name: 'error-budget-slo',
    policyPath: 'spec.promotion.errorBudget.slo',
    of: (s) => String(s.promotion.errorBudget.slo),
  },
  {
    name: 'error-budget-max-burn',
    policyPath: 'spec.promotion.errorBudget.maxBurn',
    of: (s) => String(s.promotion.errorBudget.maxBurn),
  },
  { name: 'synthetic-min-uptime', policyPath: 'spec.preflight.minUptime', of: (s) => String(s.preflight.minUptime) },
  { name: 'alpha', policyPath: 'spec.alpha', of: (s) => String(s.alpha) },
  { name: 'judge', policyPath: 'spec.judge', of: (s) => s.judge },
  { name: 'analysis-interval', policyPath: 'spec.interval', of: (s) => formatDuration(s.interval) },
  {
    name: 'steps',
    policyPath: 'spec.steps',
    of: (s) => s.steps.map((st) => `${st.weight}%/${formatDuration(st.bake)}`).join(','),
  },
];

/** criterion name → value, from the policy. */
export function criteriaFromPolicy(spec: PolicySpec): Record<string, string> {
  return Object.fromEntries(PROMOTION_CRITERIA.map((c) => [c.name, c.of(spec)]));
}

/** Annotations for the Rollout: `adaptive-canary.dev/<criterion>: "<value>"`. */
export function criteriaAnnotations(spec: PolicySpec): Record<string, string> {
  return Object.fromEntries(Object.entries(criteriaFromPolicy(spec)).map(([k, v]) => [`${CRITERIA_PREFIX}${k}`, v]));
}
