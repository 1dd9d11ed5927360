import type { KeyObject } from 'node:crypto';
import { bundleFromJSON, bundleToJSON, toMessageSignatureBundle, type SerializedBundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError } from '@sigstore/verify';
import { sha256, SignatureError } from './blob-signature.js';

/**
 * Sigstore bundle v0.3 for a key-signed blob with no transparency-log entry: what `cosign sign-blob --bundle`
 * writes with a no-Rekor signing config. Built and verified with @sigstore/bundle + @sigstore/verify, offline.
 */

/** cosign's key hint: base64 SHA-256 of the SPKI DER (cosign ignores it when given --key). */
export function keyHint(publicKey: KeyObject): string {
  return sha256(publicKey.export({ type: 'spki', format: 'der' })).toString('base64');
}

export function buildBundle(blob: Uint8Array, signatureDer: Buffer, publicKey: KeyObject): SerializedBundle {
  const bundle = toMessageSignatureBundle({
    digest: sha256(blob),
    signature: signatureDer,
    keyHint: keyHint(publicKey),
  });
  return bundleToJSON(bundle);
}

type TrustedRoot = Parameters<typeof toTrustMaterial>[0];

/** An empty trusted root: no CAs, no logs, no TSAs; only the caller's public key is trusted. */
const KEY_ONLY_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
} as unknown as TrustedRoot;

/** Verify a bundle against `publicKey` for `blob`; SignatureError on anything wrong (tamper, wrong key, junk). */
export function verifyBundle(bundleJson: string, blob: Uint8Array, publicKey: KeyObject): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bundleJson);
  } catch (err) {
    throw new SignatureError('bundle is not valid JSON (truncated or not a sigstore bundle)', { cause: err });
  }
  let entity;
  let bundle;
  try {
    bundle = bundleFromJSON(parsed);
    entity = toSignedEntity(bundle, Buffer.from(blob));
  } catch (err) {
    throw new SignatureError(`not a valid sigstore bundle: ${(err as Error).message}`, { cause: err });
  }
  // The hint is advisory; like `cosign verify-blob --key`, trust exactly the key we were given.
  const trust = toTrustMaterial(KEY_ONLY_ROOT, () => ({ publicKey, validFor: () => true }));
  try {
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
  } catch (err) {
    if (err instanceof VerificationError) {
      const why =
        err.code === 'SIGNATURE_ERROR'
          ? 'the file was changed after signing, or it was signed with a different key'
          : err.message;
      throw new SignatureError(`invalid bundle signature: ${why}`, { cause: err });
    }
    throw new SignatureError(`bundle could not be verified: ${(err as Error).message}`, { cause: err });
  }
  // @sigstore/verify checks the signature over the blob but not the bundle's own digest of it; cosign does
  // ("artifact digest does not match message digest"), so an edited messageDigest is refused here as well.
  if (bundle.content.$case === 'messageSignature') {
    const digest = bundle.content.messageSignature.messageDigest?.digest;
    if (digest && !Buffer.from(digest).equals(sha256(blob))) {
      throw new SignatureError(
        'invalid bundle: its messageDigest is not the SHA-256 of the file (the ' +
          'bundle was edited, or belongs to another file)',
      );
    }
  }
}
