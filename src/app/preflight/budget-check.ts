import { budgetConsumed } from '../../engine/error-budget.js';
import { formatDuration } from '../../schema/duration.js';
import { AppError } from '../../errors.js';
import { ERROR_CODE_MATCHER, HTTP_REQUESTS, serviceSelector } from '../../metric-names.js';
import { observedTraffic } from './budget-history.js';
import { instantQuery } from './prometheus-query.js';
import type { CheckResult, PreflightContext } from './check.js';

/** The service's error ratio over the burn window (docs/statistics.md, error budget): errors_W / total_W. */
export function errorRatioQuery(service: string, windowMs: number): string {
  const w = formatDuration(windowMs);
  const errors = `sum(increase(${HTTP_REQUESTS}{${serviceSelector(service)},${ERROR_CODE_MATCHER}}[${w}]))`;
  const total = `sum(increase(${HTTP_REQUESTS}{${serviceSelector(service)}}[${w}]))`;
  return `${errors} / ${total}`;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * Share of the period's error budget burned in the burn window, by the engine's own formula
 * (burn = ratio / (1 − SLO), consumed = burn × W / period), whichever source gave the ratio.
 */
function judge(ctx: PreflightContext, errorRatio: number, source: string, extra: Record<string, unknown>): CheckResult {
  const { slo, period, maxBurn } = ctx.policy.spec.promotion.errorBudget;
  const window = ctx.policy.spec.preflight.burnWindow;
  const burn = budgetConsumed(errorRatio, slo, window, period);
  const details = { burn, maxBurn, slo, errorRatio, window: formatDuration(window), source, ...extra };
  const reason =
    `${pct(burn)} of the ${formatDuration(period)} error budget burned in ` +
    `the last ${formatDuration(window)} (limit ${pct(maxBurn)}, SLO ${slo}` +
    `) from ${source}`;
  return { name: 'error-budget', status: burn < maxBurn ? 'pass' : 'fail', reason, details };
}

async function fromPrometheus(ctx: PreflightContext, url: string): Promise<CheckResult> {
  const name = 'error-budget';
  const window = ctx.policy.spec.preflight.burnWindow;
  const query = errorRatioQuery(ctx.policy.spec.service, window);
  let ratio: number | undefined;
  try {
    ratio = await instantQuery(ctx.fetch, url, query);
  } catch (err) {
    if (err instanceof AppError) return { name, status: 'unknown', reason: err.message, details: { query } };
    throw err;
  }
  if (ratio === undefined) {
    return {
      name,
      status: 'unknown',
      reason:
        `Prometheus has no ${HTTP_REQUESTS} for ${serviceSelector(ctx.policy.spec.service)}` +
        ` in the last ${formatDuration(window)}`,
      details: { query },
    };
  }
  return judge(ctx, ratio, 'Prometheus', { query });
}

/** From Prometheus when a URL is given, else from the local controller's state (the embedded history). */
export async function checkErrorBudget(ctx: PreflightContext): Promise<CheckResult> {
  if (ctx.prometheusUrl) return fromPrometheus(ctx, ctx.prometheusUrl);
  const t = await observedTraffic(ctx);
  if (typeof t === 'string') return { name: 'error-budget', status: 'unknown', reason: t };
  const source =
    `the controller state ${ctx.stateFile ?? ''}: ${t.errors} errors in ${t.requests}` +
    ` requests over ${t.intervals} interval(s) of ${t.rollouts} rollout(s)`;
  return judge(ctx, t.errors / t.requests, source, { ...t, stateFile: ctx.stateFile });
}
