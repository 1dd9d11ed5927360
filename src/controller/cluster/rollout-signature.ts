import type { KeyObject } from 'node:crypto';
import type { RolloutObject } from '../../actuators/argo/rollout-status.js';
import { CheckFailedError } from '../../errors.js';
import type { PolicySpec } from '../../schema/policy.js';
import { verifyAnnotatedObject } from '../../supply-chain/manifest-annotations.js';
import type { Json } from '../../supply-chain/manifest-diff.js';

/** `serve --public-key` / `--allow-unsigned`: how the manifest signature gate runs on a cluster. */
export interface RolloutSignatureOptions {
  /** The cosign public key the Rollouts' k8s-manifest-sigstore annotations must verify against. */
  publicKey?: KeyObject | undefined;
  /** Drive a Rollout that is unsigned or does not verify anyway (warned). */
  allowUnsigned?: boolean | undefined;
}

/**
 * Issue 5's gate for `serve`. There is no rollouts.yaml next to a policy on a cluster: what Argo runs is the live
 * Rollout, signed in place by `adaptive-canary sign --annotate` (the annotations Kyverno's `validate.manifests`
 * checks at admission). With `spec.signing.required` the live object must verify against the key — every signed
 * field present and equal; status, server metadata and fields only the cluster added (Argo's annotations, our
 * state annotation) are not compared (`live: true`). Returns a warning to log when it let something through;
 * throws E_MANIFEST_SIGNATURE (the controller then does not drive the Rollout) otherwise.
 */
export function checkRolloutSignature(
  ro: RolloutObject,
  policy: PolicySpec,
  options: RolloutSignatureOptions,
): string | undefined {
  if (!policy.signing.required) return undefined;
  const problem = options.publicKey
    ? verifyProblem(ro, options.publicKey)
    : 'there is no public key to verify it with (serve --public-key <cosign.pub>)';
  if (problem === undefined) return undefined;
  if (options.allowUnsigned) return `--allow-unsigned: driving the Rollout although ${problem}`;
  throw new CheckFailedError(
    'E_MANIFEST_SIGNATURE',
    `the policy requires signatures and ${problem}; not driving it (sign ` +
      `the Rollout with \`adaptive-canary sign --annotate\` and re-apply it, ` +
      `or run serve with --allow-unsigned)`,
  );
}

function verifyProblem(ro: RolloutObject, key: KeyObject): string | undefined {
  const r = verifyAnnotatedObject(ro as unknown as Json, key, { live: true });
  return r.verified ? undefined : `the Rollout does not verify: ${r.reason}`;
}
