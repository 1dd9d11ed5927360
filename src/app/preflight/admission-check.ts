import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import admission from '../../render/admission.js';
import type { CheckResult, PreflightContext } from './check.js';
import { readLimitedText } from '../../read-input.js';

/** The admission policy is rendered and current (same key, same policy). No cluster is consulted here. */
export async function checkAdmission(ctx: PreflightContext): Promise<CheckResult> {
  const name = 'admission-policy';
  let expected;
  try {
    expected = await admission.render({ policy: ctx.policy, policyDir: ctx.policyDir, env: {} });
  } catch (err) {
    if (err instanceof AppError)
      return { name, status: 'fail', reason: `cannot render the admission policy: ${err.message}` };
    throw err;
  }
  const missing = expected.filter((f) => !existsSync(join(ctx.policyDir, f.path))).map((f) => f.path);
  if (missing.length > 0)
    return {
      name,
      status: 'fail',
      reason: `not rendered: ${missing.join(', ')} (run adaptive-canary render admission)`,
    };
  const stale: string[] = [];
  for (const f of expected) {
    let text: string;
    try {
      // Limited like every file read: an oversized (or hostile) file in the folder fails this check, unread.
      text = readLimitedText(join(ctx.policyDir, f.path), INPUT_LIMITS.document);
    } catch (err) {
      if (err instanceof AppError)
        return { name, status: 'fail', reason: `cannot read the rendered ${f.path} [${err.code}]: ${err.message}` };
      throw err;
    }
    if (text !== f.content) stale.push(f.path);
  }
  if (stale.length > 0)
    return {
      name,
      status: 'fail',
      reason: `out of date with the policy or key: ${stale.join(', ')} (re-run adaptive-canary render admission)`,
    };
  return {
    name,
    status: 'pass',
    reason:
      `${expected.map((f) => f.path).join(' + ')} rendered and current; no ` +
      `cluster configured, so presence in a cluster was not checked`,
    details: { files: expected.map((f) => f.path), cluster: null },
  };
}
