import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, CheckFailedError } from '../errors.js';
import type { PolicySpec } from '../schema/policy.js';
import { verifyFile } from '../supply-chain/verify-file.js';
import type { EvidenceNote } from './ports.js';

export interface ManifestGateResult {
  /** For the evidence of the rollout (`signature` note). */
  note: EvidenceNote;
  /** Set when an unsigned or failing manifest was let through with --allow-unsigned: say it loudly. */
  warning?: string;
}

/**
 * Issue 5's gate: `run` and `demo` refuse to roll out when the policy requires signatures (`spec.signing.required`,
 * the default) and the manifest next to the policy (`spec.preflight.manifest`, `rollouts.yaml`) is unsigned or
 * does not verify against `spec.signing.publicKey` — through its `.sig` and its `.sigstore.json`, each present one
 * must verify (the same rule as preflight). `allowUnsigned` lets it through for local experiments, as a warning.
 * Throws CheckFailedError (exit 1) with the verifier's message otherwise.
 */
export function checkSignedManifest(
  policyDir: string,
  spec: PolicySpec,
  opts: { allowUnsigned: boolean },
): ManifestGateResult {
  const rel = spec.preflight.manifest;
  if (!spec.signing.required) {
    return {
      note: {
        topic: 'signature',
        level: 'info',
        message: `${rel} not checked: the policy does not require signatures (spec.signing.required: false)`,
      },
    };
  }
  const problem = verifyManifest(policyDir, spec);
  if (problem === undefined) {
    return {
      note: {
        topic: 'signature',
        level: 'info',
        message: `${rel} verifies against ${spec.signing.publicKey}`,
        details: { manifest: rel, publicKey: spec.signing.publicKey },
      },
    };
  }
  if (!opts.allowUnsigned) {
    throw new CheckFailedError(
      'E_MANIFEST_SIGNATURE',
      `${problem}; refusing to roll out (the policy requires signatures: ` +
        `sign it with \`adaptive-canary sign --key cosign.key ${rel}\`, or ` +
        `pass --allow-unsigned for a local experiment)`,
    );
  }
  const warning = `--allow-unsigned: rolling out although ${problem}`;
  return {
    warning,
    note: {
      topic: 'signature',
      level: 'warning',
      message: warning,
      details: { manifest: rel, publicKey: spec.signing.publicKey, allowUnsigned: true },
    },
  };
}

/** Undefined when the manifest verifies; otherwise what is wrong, with the verifier's own words. */
function verifyManifest(policyDir: string, spec: PolicySpec): string | undefined {
  const rel = spec.preflight.manifest;
  const manifest = join(policyDir, rel);
  if (!existsSync(manifest)) return `${rel} is missing next to the policy (${manifest})`;
  const present = [
    { file: `${manifest}.sig`, name: `${rel}.sig`, kind: 'signature' as const },
    { file: `${manifest}.sigstore.json`, name: `${rel}.sigstore.json`, kind: 'bundle' as const },
  ].filter((s) => existsSync(s.file));
  if (present.length === 0) return `${rel} is not signed (no ${rel}.sig or ${rel}.sigstore.json next to it)`;
  try {
    for (const s of present) {
      const out = verifyFile({ file: manifest, keyFile: join(policyDir, spec.signing.publicKey), [s.kind]: s.file });
      if (!out.ok)
        return `${rel} does not verify against ${spec.signing.publicKey} (${s.name}): ${out.lines.join(' ')}`;
    }
  } catch (err) {
    // A missing or unreadable public key: the manifest cannot be shown to be signed.
    if (err instanceof AppError) return `${rel} cannot be verified: ${err.message}`;
    throw err;
  }
  return undefined;
}
