import type { ChainHead } from './chain.js';
import { canonicalJson } from './canonical.js';

/**
 * A signed head: head.json carries, besides seq and hash, a signature over `headBlob(head)` made with the
 * controller's evidence key (cosign's key format, ECDSA P-256 over SHA-256, base64 DER — the crypto lives in
 * src/supply-chain and is injected, as this folder does no crypto of its own). Whoever can rewrite the folder
 * can recompute an unsigned head; only the key's holder can sign one, so `evidence verify --key` proves the
 * chain ends where the controller last said it did.
 */
export interface SignedHead extends ChainHead {
  signature?: string;
}

/** Signs the head's bytes; returns the signature (base64 DER). */
export type HeadSigner = (blob: Buffer) => string;

/** Checks a signature over the head's bytes: undefined when valid, else why not (a sentence). */
export type HeadSignatureCheck = (blob: Buffer, signature: string) => string | undefined;

/** The exact bytes signed: the canonical JSON of seq and hash (the hash binds the whole chain before it). */
export function headBlob(head: ChainHead): Buffer {
  return Buffer.from(canonicalJson({ seq: head.seq, hash: head.hash }), 'utf8');
}

/** head.json's content: the head, and its signature when there is a signer. */
export function headFileText(head: ChainHead, sign?: HeadSigner): string {
  const body: SignedHead = { seq: head.seq, hash: head.hash };
  if (sign) body.signature = sign(headBlob(head));
  return `${canonicalJson(body)}\n`;
}

/** Why a head does not carry a valid signature by the given check's key; undefined when it does. */
export function headSignatureProblem(head: SignedHead | undefined, check: HeadSignatureCheck): string | undefined {
  if (!head) return 'head.json is missing, so there is no signed head to check';
  if (typeof head.signature !== 'string' || head.signature === '')
    return (
      'head.json is not signed (written without an evidence key, or the signature was removed): ' +
      'the end of the chain is not attested'
    );
  const why = check(headBlob(head), head.signature);
  return why && `head.json's signature does not verify with the given key: ${why}`;
}
