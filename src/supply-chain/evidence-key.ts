import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from '../io.js';
import {
  formatSignatureFile,
  parseSignatureFile,
  signBlob,
  SignatureError,
  verifyBlobSignature,
} from './blob-signature.js';
import { decryptPrivateKey } from './cosign-key-format.js';
import { readPublicKeyFile } from './key-file-store.js';
import { readPassword } from './password.js';
import { readTextFile } from '../read-input.js';

/** Where `run` and `serve` find the evidence key when `--evidence-key` is not given (a mounted Secret's path). */
export const EVIDENCE_KEY_ENV = 'ADAPTIVE_CANARY_EVIDENCE_KEY';

/**
 * The signer of evidence heads: the cosign private key named by `--evidence-key` (else $ADAPTIVE_CANARY_EVIDENCE_KEY),
 * its password from COSIGN_PASSWORD or a prompt, as for `sign`. Decrypted once, at start (a wrong password fails
 * there, before any rollout moves). Undefined when no key is configured (or, with `onAbsentEnvKey`, when the file the
 * env names does not exist): heads are then unsigned.
 */
export async function loadHeadSigner(
  io: CliIO,
  file?: string,
  options: { onAbsentEnvKey?: (path: string) => void } = {},
): Promise<((blob: Buffer) => string) | undefined> {
  const path = file ?? io.env[EVIDENCE_KEY_ENV];
  if (!path) return undefined;
  const full = resolve(io.cwd, path);
  // deploy/ names the file of an optional Secret in the env: a Secret not created leaves no file there. Only a caller
  // that says so (serve) takes that as "no key"; a missing --evidence-key file is always an error.
  if (file === undefined && options.onAbsentEnvKey && !existsSync(full)) {
    options.onAbsentEnvKey(full);
    return undefined;
  }
  const pem = readTextFile(full);
  return headSigner(pem, await readPassword(io, { confirm: false }));
}

/** A signer from a cosign private key (PEM) and its password: base64 DER over SHA-256, as `sign` writes `.sig`. */
export function headSigner(keyPem: string, password: string): (blob: Buffer) => string {
  const key = decryptPrivateKey(keyPem, password);
  return (blob) => formatSignatureFile(signBlob(blob, key));
}

/** Checks a head's signature (base64 DER, as `.sig` files) with a cosign public key: undefined when valid. */
export function headSignatureCheck(publicKeyFile: string): (blob: Buffer, signature: string) => string | undefined {
  const key = readPublicKeyFile(publicKeyFile);
  return (blob, signature) => {
    try {
      verifyBlobSignature(blob, parseSignatureFile(Buffer.from(signature, 'latin1')), key);
      return undefined;
    } catch (err) {
      if (err instanceof SignatureError) return err.message;
      throw err;
    }
  };
}
