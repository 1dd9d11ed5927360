import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planScaffold, serviceNames } from '../app/init/init-service.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { generateCosignKeyPair } from './cosign-key-format.js';
import { signFileDetached } from './sign-files.js';
import { verifyFile } from './verify-file.js';

// Sparse files: their size is what is checked (before reading), so a 64 MiB+ file costs no disk or time.
const dir = mkdtempSync(join(tmpdir(), 'file-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sized(name: string, bytes: number): string {
  const file = join(dir, name);
  writeFileSync(file, '');
  truncateSync(file, bytes);
  return file;
}

const tooLarge = { code: 'E_TOO_LARGE', message: expect.stringContaining('limit') as string };
const pair = generateCosignKeyPair('pw');
const pub = join(dir, 'cosign.pub');
writeFileSync(pub, pair.publicPem);

describe('size limits on files the supply-chain commands read', () => {
  it('sign refuses a file over the signed-file limit before reading it, and signs one under it', () => {
    const ok = join(dir, 'small.yaml');
    writeFileSync(ok, 'kind: ConfigMap\n');
    const sigs = signFileDetached(ok, pair.privatePem, 'pw');
    writeFileSync(join(dir, 'small.yaml.sig'), sigs.sig);
    expect(verifyFile({ file: ok, keyFile: pub, signature: join(dir, 'small.yaml.sig') }).ok).toBe(true);
    const big = sized('big.bin', INPUT_LIMITS.signedFile + 1);
    expect(() => signFileDetached(big, pair.privatePem, 'pw')).toThrow(expect.objectContaining(tooLarge));
    expect(() => verifyFile({ file: big, keyFile: pub, signature: join(dir, 'small.yaml.sig') })).toThrow(
      expect.objectContaining(tooLarge),
    );
  });

  it('verify refuses a signature or bundle file over the document limit', () => {
    const ok = join(dir, 'small.yaml');
    const sig = sized('huge.sig', INPUT_LIMITS.document + 1);
    expect(() => verifyFile({ file: ok, keyFile: pub, signature: sig })).toThrow(expect.objectContaining(tooLarge));
    expect(() => verifyFile({ file: ok, keyFile: pub, bundle: sig })).toThrow(expect.objectContaining(tooLarge));
  });

  it('init refuses a template file over the document limit', () => {
    const template = join(dir, 'template');
    mkdirSync(template);
    writeFileSync(join(template, 'canary.yaml'), 'service: maestro-api\n');
    expect(planScaffold(template, serviceNames('orders')).files.map((f) => f.path)).toContain('canary.yaml');
    sized('template/dashboard.json', INPUT_LIMITS.document + 1);
    expect(() => planScaffold(template, serviceNames('orders'))).toThrow(expect.objectContaining(tooLarge));
  });
});
