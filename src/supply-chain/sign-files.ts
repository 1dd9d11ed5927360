import { createPublicKey } from 'node:crypto';
import { formatSignatureFile, signBlob } from './blob-signature.js';
import { buildBundle } from './bundle.js';
import { decryptPrivateKey } from './cosign-key-format.js';
import { readBinaryFile } from './key-file-store.js';

/** What `sign FILE` produces: `.sig` and `.sigstore.json` carry the same signature (docs/security.md, "Signatures"). */
export interface DetachedSignatures {
  sig: string;
  bundle: string;
}

export function signDetached(blob: Buffer, keyPem: string, password: string): DetachedSignatures {
  const key = decryptPrivateKey(keyPem, password);
  const der = signBlob(blob, key);
  return {
    sig: formatSignatureFile(der),
    bundle: JSON.stringify(buildBundle(blob, der, createPublicKey(key))),
  };
}

export function signFileDetached(file: string, keyPem: string, password: string): DetachedSignatures {
  return signDetached(readBinaryFile(file), keyPem, password);
}
