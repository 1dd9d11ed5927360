import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import nacl from 'tweetnacl';
import { CheckFailedError, UsageError } from '../errors.js';

/**
 * cosign's key files (go-securesystemslib `encrypted` + cosign pkg/cosign/keys.go): the private key is PKCS#8 DER
 * sealed with NaCl secretbox under scrypt(password), wrapped as compact JSON inside a PEM block. Written here so
 * real cosign reads our keys and we read cosign's (test/fixtures/cosign).
 */
export const SIGSTORE_PRIVATE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** Older cosign releases wrote this label; cosign still reads it, so do we. */
export const LEGACY_COSIGN_PRIVATE_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';

/**
 * The only scrypt parameters cosign accepts (encrypted.go CheckParams); anything else could be a DoS or a downgrade.
 */
const ALLOWED_SCRYPT = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
] as const;
const WRITE_SCRYPT = { N: 65536, r: 8, p: 1 } as const;

interface SealedKey {
  kdf: { name: 'scrypt'; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: 'nacl/secretbox'; nonce: string };
  ciphertext: string;
}

export class KeyFileError extends CheckFailedError {
  override name = 'KeyFileError';
  constructor(message: string, options?: ErrorOptions) {
    super('E_KEY', message, options);
  }
}

function deriveKey(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  // Node's default maxmem (32 MiB) is below what N=65536 (64 MiB) and N=131072 need.
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return scryptSync(Buffer.from(password, 'utf8'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem });
}

export function pemEncode(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function pemDecode(text: string, labels: readonly string[]): { label: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----/.exec(text);
  if (!m || !labels.includes(m[1]!)) return undefined;
  return { label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') };
}

/** Seal a private key the way `cosign generate-key-pair` does (N=65536, fresh salt and nonce). */
export function encryptPrivateKey(key: KeyObject, password: string): string {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const box = nacl.secretbox(der, nonce, deriveKey(password, salt, WRITE_SCRYPT));
  // Key order matters to nobody but keeps the file byte-compatible with cosign's layout.
  const sealed: SealedKey = {
    kdf: { name: 'scrypt', params: { ...WRITE_SCRYPT }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(box).toString('base64'),
  };
  return pemEncode(SIGSTORE_PRIVATE_KEY_PEM, Buffer.from(JSON.stringify(sealed)));
}

function parseSealed(der: Buffer): SealedKey {
  let json: unknown;
  try {
    json = JSON.parse(der.toString('utf8'));
  } catch (err) {
    throw new KeyFileError("private key file is corrupt (its body is not cosign's encrypted JSON)", { cause: err });
  }
  const s = json as Partial<SealedKey>;
  if (s.kdf?.name !== 'scrypt' || s.cipher?.name !== 'nacl/secretbox' || typeof s.ciphertext !== 'string') {
    throw new KeyFileError(
      'private key file is corrupt or uses an unsupported KDF/cipher (expected scrypt + nacl/secretbox)',
    );
  }
  const p = s.kdf.params;
  if (!ALLOWED_SCRYPT.some((a) => a.N === p?.N && a.r === p.r && a.p === p.p)) {
    throw new KeyFileError(`private key file has unsupported scrypt parameters N=${p?.N} r=${p?.r} p=${p?.p}`);
  }
  return s as SealedKey;
}

/** Open a cosign private key file. Wrong password and corrupt files are KeyFileError (exit 1), never a stack. */
export function decryptPrivateKey(pem: string, password: string): KeyObject {
  const block = pemDecode(pem, [SIGSTORE_PRIVATE_KEY_PEM, LEGACY_COSIGN_PRIVATE_KEY_PEM]);
  if (!block) throw new KeyFileError(`not a cosign private key (expected a "${SIGSTORE_PRIVATE_KEY_PEM}" PEM block)`);
  const sealed = parseSealed(block.der);
  const salt = Buffer.from(sealed.kdf.salt, 'base64');
  const nonce = Buffer.from(sealed.cipher.nonce, 'base64');
  if (nonce.length !== 24) throw new KeyFileError('private key file is corrupt (nonce is not 24 bytes)');
  const opened = nacl.secretbox.open(
    Buffer.from(sealed.ciphertext, 'base64'),
    nonce,
    deriveKey(password, salt, sealed.kdf.params),
  );
  if (!opened) throw new KeyFileError('could not decrypt the private key: wrong password or corrupt key file');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(opened), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new KeyFileError('decrypted private key is not a PKCS#8 key', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyFileError("only ECDSA P-256 keys are supported (cosign's default)");
  }
  return key;
}

/** A PEM `PUBLIC KEY` (SPKI) as cosign writes it; Node's SPKI PEM export is byte-identical. */
export function readPublicKey(pem: string, file = 'public key'): KeyObject {
  if (!pemDecode(pem, ['PUBLIC KEY'])) throw new UsageError(`${file}: not a PEM "PUBLIC KEY" (cosign.pub format)`);
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ec') throw new Error(`key type ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new UsageError(`${file}: unsupported public key (${(err as Error).message}); expected ECDSA P-256`, {
      cause: err,
    });
  }
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export interface GeneratedKeyPair {
  privatePem: string;
  publicPem: string;
}

/** `cosign generate-key-pair`: ECDSA P-256, private key sealed under `password` (may be empty, as in cosign). */
export function generateCosignKeyPair(password: string): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privatePem: encryptPrivateKey(privateKey, password), publicPem: publicKeyPem(publicKey) };
}
