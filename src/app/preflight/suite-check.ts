import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { PROBE_SUCCESS } from '../../metric-names.js';
import { formatDuration } from '../../schema/duration.js';
import { openHistory } from '../../synthetics/history.js';
import { announcedSuiteDigest, suiteDigest } from '../../synthetics/suite-info.js';
import { SUITE_INFO } from '../../metric-names.js';
import { checkSuiteFile } from '../../synthetics/validate-suite.js';
import { instantQuery } from './prometheus-query.js';
import type { CheckResult, PreflightContext } from './check.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import { readLimitedBody, readLimitedFile } from '../../read-input.js';

const pct = (x: number): string => `${(x * 100).toFixed(3)}%`;
/** "7d" reads better than formatDuration's "1w" next to the playbook's wording. */
const days = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : formatDuration(ms));

async function uptimeOf(
  ctx: PreflightContext,
  suiteName: string,
): Promise<{ uptime: number; source: string; extra?: Record<string, unknown> } | string> {
  const windowMs = ctx.policy.spec.preflight.uptimeWindow;
  if (ctx.syntheticsDb) {
    if (!existsSync(ctx.syntheticsDb)) return `synthetics history ${ctx.syntheticsDb} does not exist`;
    const history = openHistory(ctx.syntheticsDb);
    try {
      const r = history.uptime({ windowMs, now: ctx.now, suite: suiteName });
      if (r.uptime === null) return `no probe results for suite ${suiteName} in the last ${days(windowMs)}`;
      return {
        uptime: r.uptime,
        source: 'syntheticsctl history',
        extra: { runs: r.runs, points: r.points, upPoints: r.upPoints, pointsWithoutData: r.pointsWithoutData },
      };
    } finally {
      history.close();
    }
  }
  if (ctx.prometheusUrl) {
    const q = `avg(avg_over_time(${PROBE_SUCCESS}[${formatDuration(windowMs)}]))`;
    const v = await instantQuery(ctx.fetch, ctx.prometheusUrl, q);
    if (v === undefined) return `Prometheus has no ${PROBE_SUCCESS} series`;
    return { uptime: v, source: `Prometheus ${PROBE_SUCCESS}`, extra: { query: q } };
  }
  return 'no --synthetics-db or --prometheus to read uptime from';
}

/** The suite validates and its uptime over the trailing window meets the policy (99.9% over 7 days). */
export async function checkSyntheticSuite(ctx: PreflightContext): Promise<CheckResult> {
  const name = 'synthetic-suite';
  const rel = ctx.policy.spec.preflight.suite;
  const file = join(ctx.policyDir, rel);
  if (!existsSync(file)) return { name, status: 'fail', reason: `${rel} does not exist` };
  const check = checkSuiteFile(file, { env: {} });
  const errors = check.diagnostics.filter((d) => d.severity === 'error');
  if (!check.ok || !check.suite)
    return {
      name,
      status: 'fail',
      reason: `${rel} is invalid: ${errors.length} problem(s), first: ${errors[0]?.message ?? '?'}`,
    };
  const min = ctx.policy.spec.preflight.minUptime;
  let u;
  try {
    u = await uptimeOf(ctx, check.suite.metadata.name);
  } catch (err) {
    if (err instanceof AppError)
      return { name, status: 'unknown', reason: `${rel} is valid; uptime unknown: ${err.message}` };
    throw err;
  }
  if (typeof u === 'string') return { name, status: 'unknown', reason: `${rel} is valid; uptime unknown: ${u}` };
  const window = days(ctx.policy.spec.preflight.uptimeWindow);
  const reason = `${rel} is valid; uptime ${pct(u.uptime)} over ${window} from ${u.source} (required ≥ ${pct(min)})`;
  return {
    name,
    status: u.uptime >= min ? 'pass' : 'fail',
    reason,
    details: { uptime: u.uptime, minUptime: min, window, ...u.extra },
  };
}

/** The running `syntheticsctl run` serves the same suite: its syntheticsctl_suite_info sha256 equals the file's. */
export async function checkSuiteSync(ctx: PreflightContext): Promise<CheckResult> {
  const name = 'synthetic-suite-sync';
  const rel = ctx.policy.spec.preflight.suite;
  const file = join(ctx.policyDir, rel);
  if (!ctx.syntheticsUrl)
    return { name, status: 'unknown', reason: 'no --synthetics-url of the running syntheticsctl run to compare with' };
  if (!existsSync(file)) return { name, status: 'fail', reason: `${rel} does not exist` };
  const want = suiteDigest(readLimitedFile(file, INPUT_LIMITS.document));
  let text: string;
  try {
    const res = await ctx.fetch(`${ctx.syntheticsUrl.replace(/\/+$/, '')}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    text = await readLimitedBody(res, INPUT_LIMITS.prometheusResponse, `${ctx.syntheticsUrl}/metrics`);
  } catch (err) {
    return {
      name,
      status: 'unknown',
      reason: `syntheticsctl at ${ctx.syntheticsUrl} unreachable: ${(err as Error).message}`,
    };
  }
  const got = announcedSuiteDigest(text);
  if (!got) return { name, status: 'unknown', reason: `${ctx.syntheticsUrl}/metrics has no ${SUITE_INFO}` };
  const details = { file: want, running: got };
  if (got !== want)
    return {
      name,
      status: 'fail',
      reason:
        `the running suite differs from ${rel}: running sha256 ${got.slice(0, 12)}` +
        `…, file ${want.slice(0, 12)}… (restart syntheticsctl run)`,
      details,
    };
  return {
    name,
    status: 'pass',
    reason: `the running syntheticsctl serves ${rel} (sha256 ${want.slice(0, 12)}…)`,
    details,
  };
}
