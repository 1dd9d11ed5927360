import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import admission from '../../render/admission.js';
import { INPUT_LIMITS } from '../../schema/input-limits.js';
import { canaryPolicy } from '../../schema/policy.js';
import { checkAdmission } from './admission-check.js';
import type { PreflightContext } from './check.js';

const dir = mkdtempSync(join(tmpdir(), 'ac-admission-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'cosign.pub'),
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }),
);
const policy = canaryPolicy.parse({
  apiVersion: 'adaptive-canary/v1',
  kind: 'CanaryPolicy',
  metadata: { name: 'p' },
  spec: { service: 'maestro-api' },
});
const ctx: PreflightContext = {
  policy,
  policyFile: join(dir, 'canary.yaml'),
  policyDir: dir,
  now: 0,
  fetch: () => Promise.reject(new Error('no network in this test')),
};

/** A sparse file: its size is what the limit checks (before reading), so it costs no disk or time. */
function sized(file: string, bytes: number): void {
  writeFileSync(file, '');
  truncateSync(file, bytes);
}

describe('preflight admission-policy check', () => {
  const rendered = admission.render({ policy, policyDir: dir, env: {} }) as { path: string; content: string }[];

  it('passes when the rendered files are present and current, fails when one is stale', async () => {
    for (const f of rendered) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    expect(await checkAdmission(ctx)).toMatchObject({ status: 'pass' });
    writeFileSync(join(dir, rendered[0]!.path), `${rendered[0]!.content}# edited\n`);
    expect(await checkAdmission(ctx)).toMatchObject({ status: 'fail', reason: /out of date/ });
  });

  it('fails on a rendered file over the document limit, unread, naming the limit', async () => {
    // Without the limit the file would be read whole and reported as merely "out of date".
    sized(join(dir, rendered[0]!.path), INPUT_LIMITS.document + 1);
    const r = await checkAdmission(ctx);
    expect(r).toMatchObject({ status: 'fail' });
    expect(r.reason).toMatch(/E_TOO_LARGE/);
    expect(r.reason).toMatch(/is 1 MiB, over the 1 MiB limit/);
    expect(r.reason).not.toMatch(/out of date/);
  });

  it('fails on a public key file over the document limit when rendering (E_TOO_LARGE)', async () => {
    sized(join(dir, 'huge.pub'), INPUT_LIMITS.document + 1);
    const big = canaryPolicy.parse({ ...policy, spec: { service: 'maestro-api', signing: { publicKey: 'huge.pub' } } });
    expect(() => admission.render({ policy: big, policyDir: dir, env: {} })).toThrow(
      expect.objectContaining({ code: 'E_TOO_LARGE' }),
    );
    const r = await checkAdmission({ ...ctx, policy: big });
    expect(r).toMatchObject({ status: 'fail', reason: expect.stringMatching(/cannot render.*over the 1 MiB limit/) });
  });
});
