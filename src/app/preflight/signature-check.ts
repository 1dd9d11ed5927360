import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { verifyFile } from '../../supply-chain/verify-file.js';
import type { CheckResult, PreflightContext } from './check.js';

/**
 * `rel` (relative to the policy) verifies against the policy's key via its `.sig` and, when present, its bundle
 * (every present one must): how `rollouts.yaml` and the probe suite are both signed (`adaptive-canary sign`).
 */
function checkSignedFile(ctx: PreflightContext, name: string, rel: string): CheckResult {
  const file = join(ctx.policyDir, rel);
  const keyFile = join(ctx.policyDir, ctx.policy.spec.signing.publicKey);
  if (!existsSync(file)) return { name, status: 'fail', reason: `${rel} does not exist` };
  const present = [existsSync(`${file}.sig`) && 'sig', existsSync(`${file}.sigstore.json`) && 'bundle'].filter(
    (x): x is string => Boolean(x),
  );
  if (present.length === 0)
    return { name, status: 'fail', reason: `${rel} is not signed (no ${rel}.sig or ${rel}.sigstore.json)` };
  try {
    for (const kind of present) {
      const out = verifyFile({
        file,
        keyFile,
        ...(kind === 'sig' ? { signature: `${file}.sig` } : { bundle: `${file}.sigstore.json` }),
      });
      if (!out.ok)
        return {
          name,
          status: 'fail',
          reason:
            `${rel} does not verify (${kind === 'sig' ? `${rel}.sig` : `${rel}.sigstore.json`}` +
            `): ${out.lines.join(' ').replace(/^FAILED: [^:]+: /, '')}`,
        };
    }
  } catch (err) {
    if (err instanceof AppError) return { name, status: 'fail', reason: err.message };
    throw err;
  }
  return {
    name,
    status: 'pass',
    reason: `${rel} verifies against ${ctx.policy.spec.signing.publicKey} (${present.join(' + ')})`,
    details: { file: rel, verified: present },
  };
}

/** The deployed manifest is signed. */
export function checkSignature(ctx: PreflightContext): CheckResult {
  return checkSignedFile(ctx, 'signature', ctx.policy.spec.preflight.manifest);
}

/** The probe suite is signed (the playbook's "probe suite signed and synced": the synced half is checkSuiteSync). */
export function checkSuiteSignature(ctx: PreflightContext): CheckResult {
  return checkSignedFile(ctx, 'synthetic-suite-signature', ctx.policy.spec.preflight.suite);
}
