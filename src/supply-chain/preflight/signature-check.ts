import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { verifyFile } from '../verify-file.js';
import type { CheckResult, PreflightContext } from './types.js';

/** `rollouts.yaml` verifies against the policy's key, via its `.sig` and, when present, its bundle (both must). */
export function checkSignature(ctx: PreflightContext): CheckResult {
  const name = 'signature';
  const manifest = join(ctx.policyDir, ctx.policy.spec.preflight.manifest);
  const keyFile = join(ctx.policyDir, ctx.policy.spec.signing.publicKey);
  const sig = `${manifest}.sig`;
  const bundle = `${manifest}.sigstore.json`;
  const present = [existsSync(sig) && 'sig', existsSync(bundle) && 'bundle'].filter((x): x is string => Boolean(x));
  const rel = ctx.policy.spec.preflight.manifest;
  if (present.length === 0) return { name, status: 'fail', reason: `${rel} is not signed (no ${rel}.sig or ${rel}.sigstore.json)` };
  try {
    for (const kind of present) {
      const out = verifyFile({ file: manifest, keyFile, ...(kind === 'sig' ? { signature: sig } : { bundle }) });
      if (!out.ok) return { name, status: 'fail', reason: `${rel} does not verify (${kind === 'sig' ? `${rel}.sig` : `${rel}.sigstore.json`}): ${out.lines.join(' ').replace(/^FAILED: [^:]+: /, '')}` };
    }
  } catch (err) {
    if (err instanceof AppError) return { name, status: 'fail', reason: err.message };
    throw err;
  }
  return { name, status: 'pass', reason: `${rel} verifies against ${ctx.policy.spec.signing.publicKey} (${present.join(' + ')})`, details: { verified: present } };
}
