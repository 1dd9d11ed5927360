import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { FileError, UsageError } from '../errors.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { generateCosignKeyPair, readPublicKey } from './cosign-key-format.js';
import { readLimitedFile, readTextFile } from '../read-input.js';

/** Refuse to clobber keys: losing a private key silently is worse than one more flag. */
export function assertWritable(files: string[], force: boolean): void {
  if (force) return;
  const existing = files.filter((f) => existsSync(f));
  if (existing.length > 0)
    throw new UsageError(
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to overwrite`,
    );
}

export function writeKeyPair(
  prefix: string,
  password: string,
  force: boolean,
): { privateFile: string; publicFile: string } {
  const privateFile = `${prefix}.key`;
  const publicFile = `${prefix}.pub`;
  assertWritable([privateFile, publicFile], force);
  const pair = generateCosignKeyPair(password);
  try {
    // mode applies only on create; chmod covers --force over an existing, looser file.
    writeFileSync(privateFile, pair.privatePem, { mode: 0o600 });
    chmodSync(privateFile, 0o600);
    writeFileSync(publicFile, pair.publicPem, { mode: 0o644 });
  } catch (err) {
    throw new FileError(privateFile, (err as Error).message, { cause: err });
  }
  return { privateFile, publicFile };
}

export function readPublicKeyFile(file: string): KeyObject {
  return readPublicKey(readTextFile(file), file);
}

/** A file to sign or verify, or (with `maxBytes` = INPUT_LIMITS.document) a signature or bundle beside it. */
export function readBinaryFile(file: string, maxBytes: number = INPUT_LIMITS.signedFile): Buffer {
  return readLimitedFile(file, maxBytes);
}
