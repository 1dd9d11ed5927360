import { SignatureError, parseSignatureFile, verifyBlobSignature } from './blob-signature.js';
import { verifyBundle } from './bundle.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { readBinaryFile, readPublicKeyFile } from './key-file-store.js';
import { verifyAnnotatedManifests } from './manifest-annotations.js';

export interface VerifyRequest {
  file: string;
  keyFile: string;
  signature?: string | undefined;
  bundle?: string | undefined;
  annotated?: boolean;
  live?: boolean;
  ignoreFields?: string[];
}

export interface VerifyOutcome {
  ok: boolean;
  /** Human lines: `Verified OK` like cosign, or what failed and why. */
  lines: string[];
}

/**
 * One entry point for `verify`, preflight and `run`'s signed-manifest gate. Usage problems throw; bad signatures don't.
 */
export function verifyFile(req: VerifyRequest): VerifyOutcome {
  const key = readPublicKeyFile(req.keyFile);
  const blob = readBinaryFile(req.file);
  if (req.annotated) {
    const results = verifyAnnotatedManifests(blob.toString('utf8'), key, {
      live: req.live === true,
      ignoreFields: req.ignoreFields ?? [],
    });
    const ok = results.every((r) => r.verified);
    const lines = results.map((r) => `${r.verified ? 'Verified OK' : 'FAILED'}: ${r.resource}: ${r.reason}`);
    return { ok, lines };
  }
  try {
    if (req.bundle !== undefined)
      verifyBundle(readBinaryFile(req.bundle, INPUT_LIMITS.document).toString('utf8'), blob, key);
    else if (req.signature !== undefined)
      verifyBlobSignature(blob, parseSignatureFile(readBinaryFile(req.signature, INPUT_LIMITS.document)), key);
    return { ok: true, lines: ['Verified OK'] };
  } catch (err) {
    if (err instanceof SignatureError) return { ok: false, lines: [`FAILED: ${req.file}: ${err.message}`] };
    throw err;
  }
}
