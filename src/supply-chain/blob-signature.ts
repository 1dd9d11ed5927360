import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { CheckFailedError } from '../errors.js';

/**
 * cosign's raw blob signature: ECDSA P-256 over SHA-256(blob), ASN.1 DER. `--output-signature` writes base64(DER)
 * with no newline; `verify-blob` accepts base64 or raw DER, with or without a trailing newline.
 */
export class SignatureError extends CheckFailedError {
  override name = 'SignatureError';
  constructor(message: string, options?: ErrorOptions) {
    super('E_SIGNATURE', message, options);
  }
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function signBlob(blob: Uint8Array, key: KeyObject): Buffer {
  return cryptoSign('sha256', blob, { key, dsaEncoding: 'der' });
}

/** The `.sig` file content exactly as `cosign sign-blob --output-signature` writes it. */
export function formatSignatureFile(der: Buffer): string {
  return der.toString('base64');
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** `.sig` bytes → DER. A file that is neither base64 nor plausible DER is a clear error, not a crypto failure. */
export function parseSignatureFile(content: Buffer): Buffer {
  const text = content.toString('latin1').trim();
  if (text.length > 0 && BASE64_RE.test(text) && text.length % 4 === 0) return Buffer.from(text, 'base64');
  if (content[0] === 0x30) return content; // raw DER SEQUENCE, as cosign also accepts
  throw new SignatureError('signature file is neither base64 nor a DER ECDSA signature');
}

/** Minimal structural check: SEQUENCE { INTEGER r, INTEGER s } with consistent lengths (catches truncation). */
function isDerEcdsa(der: Buffer): boolean {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return false;
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (der[at] !== 0x02) return false;
    const len = der[at + 1] ?? 0;
    at += 2 + len;
  }
  return at === der.length;
}

/** Throws SignatureError with a reason a person can act on; returns on success. */
export function verifyBlobSignature(blob: Uint8Array, der: Buffer, key: KeyObject): void {
  if (!isDerEcdsa(der))
    throw new SignatureError('signature is malformed or truncated (not an ASN.1 DER ECDSA signature)');
  let ok: boolean;
  try {
    ok = cryptoVerify('sha256', blob, { key, dsaEncoding: 'der' }, der);
  } catch (err) {
    throw new SignatureError(`signature could not be checked: ${(err as Error).message}`, { cause: err });
  }
  if (!ok) {
    throw new SignatureError(
      'invalid signature: the file was changed after signing, or it was signed with a different key',
    );
  }
}
