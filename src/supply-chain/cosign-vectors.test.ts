import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSignatureFile, signBlob, verifyBlobSignature, formatSignatureFile } from './blob-signature.js';
import { buildBundle, keyHint, verifyBundle } from './bundle.js';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateCosignKeyPair,
  publicKeyPem,
  readPublicKey,
  LEGACY_COSIGN_PRIVATE_KEY_PEM,
  pemDecode,
  pemEncode,
} from './cosign-key-format.js';
import { createPublicKey } from 'node:crypto';

// Real cosign 3.1.1 output (test/fixtures/cosign/README.md).
const dir = join(import.meta.dirname, '../../test/fixtures/cosign');
const read = (f: string): Buffer => readFileSync(join(dir, f));
const text = (f: string): string => read(f).toString('utf8');
const pub = readPublicKey(text('cosign.pub'));
const blob = read('rollouts.yaml');
const tampered = read('rollouts.tampered.yaml');

describe('cosign key files', () => {
  it("decrypts cosign's key (N=65536) and the empty-password key; public keys match byte for byte", () => {
    const key = decryptPrivateKey(text('cosign.key'), 'test-password');
    expect(publicKeyPem(createPublicKey(key))).toBe(text('cosign.pub'));
    const nopass = decryptPrivateKey(text('nopass.key'), '');
    expect(publicKeyPem(createPublicKey(nopass))).toBe(text('nopass.pub'));
  });

  it('rejects a wrong password and a corrupt file with a clear message', () => {
    expect(() => decryptPrivateKey(text('cosign.key'), 'wrong')).toThrow(/wrong password/);
    expect(() => decryptPrivateKey(text('cosign.pub'), 'x')).toThrow(/not a cosign private key/);
    const truncated = text('cosign.key')
      .split('\n')
      .filter((_, i) => i !== 3)
      .join('\n');
    expect(() => decryptPrivateKey(truncated, 'test-password')).toThrow(/corrupt|wrong password/);
  });

  it('accepts the legacy ENCRYPTED COSIGN PRIVATE KEY label and refuses other scrypt parameters', () => {
    const block = pemDecode(text('cosign.key'), ['ENCRYPTED SIGSTORE PRIVATE KEY'])!;
    const legacy = pemEncode(LEGACY_COSIGN_PRIVATE_KEY_PEM, block.der);
    expect(decryptPrivateKey(legacy, 'test-password').asymmetricKeyType).toBe('ec');
    const json = JSON.parse(block.der.toString());
    json.kdf.params.N = 1024;
    const weak = pemEncode('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify(json)));
    expect(() => decryptPrivateKey(weak, 'test-password')).toThrow(/unsupported scrypt parameters N=1024/);
  });

  it("round-trips a generated key pair in cosign's layout", () => {
    const pair = generateCosignKeyPair('pw');
    expect(pair.privatePem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    const body = JSON.parse(pemDecode(pair.privatePem, ['ENCRYPTED SIGSTORE PRIVATE KEY'])!.der.toString());
    expect(Object.keys(body)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(body.kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    const key = decryptPrivateKey(pair.privatePem, 'pw');
    expect(publicKeyPem(createPublicKey(key))).toBe(pair.publicPem);
    expect(decryptPrivateKey(encryptPrivateKey(key, ''), '').asymmetricKeyType).toBe('ec');
  });
});

describe('cosign blob signatures', () => {
  const sig = parseSignatureFile(read('rollouts.yaml.sig'));

  it("verifies cosign's .sig and rejects the tampered blob", () => {
    expect(() => verifyBlobSignature(blob, sig, pub)).not.toThrow();
    expect(() => verifyBlobSignature(tampered, sig, pub)).toThrow(/invalid signature/);
  });

  it('rejects the wrong key, a truncated signature, garbage, and a CRLF-converted file', () => {
    const other = readPublicKey(text('nopass.pub'));
    expect(() => verifyBlobSignature(blob, sig, other)).toThrow(/invalid signature/);
    expect(() => verifyBlobSignature(blob, sig.subarray(0, sig.length - 3), pub)).toThrow(/malformed or truncated/);
    expect(() => parseSignatureFile(Buffer.from('this is not a signature!'))).toThrow(/neither base64/);
    const crlf = Buffer.from(blob.toString('utf8').replace(/\n/g, '\r\n'));
    expect(() => verifyBlobSignature(crlf, sig, pub)).toThrow(/invalid signature/);
  });

  it('accepts a trailing newline and raw DER, as cosign does', () => {
    expect(() =>
      verifyBlobSignature(blob, parseSignatureFile(Buffer.concat([read('rollouts.yaml.sig'), Buffer.from('\n')])), pub),
    ).not.toThrow();
    expect(() => verifyBlobSignature(blob, parseSignatureFile(sig), pub)).not.toThrow();
  });

  it("signs with cosign's key in cosign's .sig format", () => {
    const der = signBlob(blob, decryptPrivateKey(text('cosign.key'), 'test-password'));
    const file = formatSignatureFile(der);
    expect(file).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(() => verifyBlobSignature(blob, parseSignatureFile(Buffer.from(file)), pub)).not.toThrow();
  });
});

describe('sigstore bundle v0.3', () => {
  it("verifies cosign's bundle offline with the key and rejects tampering and the wrong key", () => {
    const json = text('rollouts.yaml.sigstore.json');
    expect(() => verifyBundle(json, blob, pub)).not.toThrow();
    expect(() => verifyBundle(json, tampered, pub)).toThrow(/invalid bundle signature/);
    expect(() => verifyBundle(json, blob, readPublicKey(text('nopass.pub')))).toThrow(/invalid bundle signature/);
    expect(() => verifyBundle(json.slice(0, 100), blob, pub)).toThrow(/not valid JSON/);
    expect(() => verifyBundle('{"mediaType":"nope"}', blob, pub)).toThrow(/not a valid sigstore bundle/);
  });

  it('rejects a bundle whose messageDigest was edited, as cosign does (the signature alone still verifies)', () => {
    const b = JSON.parse(text('rollouts.yaml.sigstore.json')) as {
      messageSignature: { messageDigest: { digest: string } };
    };
    const d = Buffer.from(b.messageSignature.messageDigest.digest, 'base64');
    d[0] = d[0]! ^ 1;
    b.messageSignature.messageDigest.digest = d.toString('base64');
    expect(() => verifyBundle(JSON.stringify(b), blob, pub)).toThrow(/messageDigest is not the SHA-256 of the file/);
  });

  it('builds the same shape cosign writes (media type, key hint, digest)', () => {
    const der = signBlob(blob, decryptPrivateKey(text('cosign.key'), 'test-password'));
    const ours = buildBundle(blob, der, pub);
    const theirs = JSON.parse(text('rollouts.yaml.sigstore.json'));
    expect(ours.mediaType).toBe(theirs.mediaType);
    expect(ours.verificationMaterial.publicKey).toEqual(theirs.verificationMaterial.publicKey);
    expect(keyHint(pub)).toBe(theirs.verificationMaterial.publicKey.hint);
    expect(ours.messageSignature?.messageDigest).toEqual(theirs.messageSignature.messageDigest);
    expect(() => verifyBundle(JSON.stringify(ours), blob, pub)).not.toThrow();
  });
});
