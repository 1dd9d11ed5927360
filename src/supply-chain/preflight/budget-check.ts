import { formatDuration } from '../../schema/duration.js';
import { AppError } from '../../errors.js';
import { instantQuery } from './prometheus-query.js';
import type { CheckResult, PreflightContext } from './types.js';

/**
 * Share of the period's error budget burned in the burn window (reference/slo-alerting-dashboards.md §1):
 * (errors_W / total_W) / (1 - SLO) × W / period.
 */
export function burnQuery(service: string, slo: number, windowMs: number, periodMs: number): string {
  const w = formatDuration(windowMs);
  const errors = `sum(increase(http_requests_total{job="${service}",code=~"5.."}[${w}]))`;
  const total = `sum(increase(http_requests_total{job="${service}"}[${w}]))`;
  return `(${errors} / ${total}) / (1 - ${slo}) * (${windowMs / 1000} / ${periodMs / 1000})`;
}

export async function checkErrorBudget(ctx: PreflightContext): Promise<CheckResult> {
  const name = 'error-budget';
  const { slo, period, maxBurn } = ctx.policy.spec.promotion.errorBudget;
  const window = ctx.policy.spec.preflight.burnWindow;
  if (!ctx.prometheusUrl) {
    return { name, status: 'unknown', reason: 'no --prometheus URL given and no embedded request history to compute burn from' };
  }
  const query = burnQuery(ctx.policy.spec.service, slo, window, period);
  let burn: number | undefined;
  try {
    burn = await instantQuery(ctx.fetch, ctx.prometheusUrl, query);
  } catch (err) {
    if (err instanceof AppError) return { name, status: 'unknown', reason: err.message, details: { query } };
    throw err;
  }
  if (burn === undefined) {
    return { name, status: 'unknown', reason: `Prometheus has no http_requests_total for job="${ctx.policy.spec.service}" in the last ${formatDuration(window)}`, details: { query } };
  }
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const details = { burn, maxBurn, slo, window: formatDuration(window), query };
  const numbers = `${pct(burn)} of the ${formatDuration(period)} error budget burned in the last ${formatDuration(window)} (limit ${pct(maxBurn)}, SLO ${slo})`;
  return burn < maxBurn ? { name, status: 'pass', reason: numbers, details } : { name, status: 'fail', reason: numbers, details };
}
