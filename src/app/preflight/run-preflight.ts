import { checkAdmission } from './admission-check.js';
import { checkErrorBudget } from './budget-check.js';
import { checkPromotionCriteria } from './criteria-check.js';
import { checkSignature, checkSuiteSignature } from './signature-check.js';
import { checkSuiteSync, checkSyntheticSuite } from './suite-check.js';
import type { Check, CheckResult, PreflightContext } from './check.js';

/** The playbook's Definition of Ready, in order. */
export const CHECKS: Check[] = [
  checkPromotionCriteria,
  checkErrorBudget,
  checkSyntheticSuite,
  checkSuiteSignature,
  checkSuiteSync,
  checkSignature,
  checkAdmission,
];

export interface PreflightReport {
  ok: boolean;
  checks: CheckResult[];
}

export async function runPreflight(ctx: PreflightContext, allowUnknown: readonly string[]): Promise<PreflightReport> {
  const checks: CheckResult[] = [];
  for (const check of CHECKS) {
    const r = await check(ctx);
    checks.push(r.status === 'unknown' && allowUnknown.includes(r.name) ? { ...r, allowed: true } : r);
  }
  const ok = checks.every((c) => c.status === 'pass' || (c.status === 'unknown' && c.allowed === true));
  return { ok, checks };
}

const MARK = { pass: '✓', fail: '✗', unknown: '?' } as const;

export function formatChecklist(report: PreflightReport): string[] {
  const lines = report.checks.map(
    (c) => `${MARK[c.status]} ${c.name}: ${c.reason}${c.allowed ? ' (unknown, allowed by --allow-unknown)' : ''}`,
  );
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const unknown = report.checks.filter((c) => c.status === 'unknown' && !c.allowed).length;
  lines.push(report.ok ? 'Ready: every check passed.' : `Not ready: ${failed} failed, ${unknown} unknown.`);
  return lines;
}
