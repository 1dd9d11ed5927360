import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../src/evidence/log.js';
import { headSigner } from '../../src/supply-chain/evidence-key.js';
import { runCli } from '../support/supply-chain-cli.js';

/**
 * Both directions against the real cosign (Debian's package, fetched by scripts/get-cosign.sh without installing
 * anything). Never skipped: if cosign cannot be fetched, this suite fails and says why.
 */
const root = join(import.meta.dirname, '../..');
const PASSWORD = 'interop-test-password';
let cosign: string;
let dir: string;

function runCosign(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string } {
  const r = spawnSync(cosign, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, ...env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  cosign = execFileSync(join(root, 'scripts/get-cosign.sh'), {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  dir = mkdtempSync(join(tmpdir(), 'cosign-interop-'));
  copyFileSync(join(root, 'test/fixtures/cosign/rollouts.yaml'), join(dir, 'rollouts.yaml'));
}, 180_000);

describe('real cosign verifies what we sign', () => {
  it('cosign verify-blob accepts our .sig and our bundle, and rejects them on a tampered file', async () => {
    const env = { COSIGN_PASSWORD: PASSWORD };
    expect((await runCli(['keygen', '--output-key-prefix', 'ours'], { cwd: dir, env })).code).toBe(0);
    expect((await runCli(['sign', '--key', 'ours.key', 'rollouts.yaml'], { cwd: dir, env })).code).toBe(0);
    const sig = runCosign([
      'verify-blob',
      '--key',
      'ours.pub',
      '--signature',
      'rollouts.yaml.sig',
      '--insecure-ignore-tlog',
      'rollouts.yaml',
    ]);
    expect(sig.out).toContain('Verified OK');
    expect(sig.code).toBe(0);
    const bundle = runCosign([
      'verify-blob',
      '--key',
      'ours.pub',
      '--bundle',
      'rollouts.yaml.sigstore.json',
      '--insecure-ignore-tlog',
      'rollouts.yaml',
    ]);
    expect(bundle.out).toContain('Verified OK');
    expect(bundle.code).toBe(0);
    writeFileSync(join(dir, 'tampered.yaml'), 'kind: Rollout # changed\n');
    const bad = runCosign([
      'verify-blob',
      '--key',
      'ours.pub',
      '--signature',
      'rollouts.yaml.sig',
      '--insecure-ignore-tlog',
      'tampered.yaml',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/invalid signature/);
  });
});

describe('real cosign verifies a signed evidence head', () => {
  it('the signature in head.json is a cosign blob signature over {"hash":…,"seq":…}', async () => {
    const env = { COSIGN_PASSWORD: PASSWORD };
    expect((await runCli(['keygen', '--output-key-prefix', 'evidence'], { cwd: dir, env })).code).toBe(0);
    const log = openEvidence({
      root: join(dir, '.evidence'),
      service: 'svc',
      rolloutId: 'r1',
      signHead: headSigner(readFileSync(join(dir, 'evidence.key'), 'utf8'), PASSWORD),
    });
    log.append({ action: 'step', step: 0, weight: 10, score: 1, by: 'judge', reasons: [] });
    log.close();
    const head = JSON.parse(readFileSync(join(log.dir, 'head.json'), 'utf8')) as {
      hash: string;
      seq: number;
      signature: string;
    };
    // What docs/security.md says is signed, rebuilt by hand as a verifier outside this project would.
    writeFileSync(join(dir, 'head.blob'), JSON.stringify({ hash: head.hash, seq: head.seq }));
    writeFileSync(join(dir, 'head.sig'), head.signature);
    const args = ['verify-blob', '--key', 'evidence.pub', '--signature', 'head.sig', '--insecure-ignore-tlog'];
    const ok = runCosign([...args, 'head.blob']);
    expect(ok.out).toContain('Verified OK');
    expect(ok.code).toBe(0);
    writeFileSync(join(dir, 'head.blob'), JSON.stringify({ hash: head.hash, seq: head.seq - 1 }));
    expect(runCosign([...args, 'head.blob']).code).not.toBe(0);
  });
});

describe('we verify what real cosign signs', () => {
  it('cosign signs with a key we generated; our verify accepts its .sig and bundle', async () => {
    const env = { COSIGN_PASSWORD: PASSWORD };
    expect((await runCli(['keygen', '--output-key-prefix', 'forcosign'], { cwd: dir, env })).code).toBe(0);
    writeFileSync(join(dir, 'sc.json'), '{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json"}');
    writeFileSync(join(dir, 'blob.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const s1 = runCosign(
      [
        'sign-blob',
        '--yes',
        '--key',
        'forcosign.key',
        '--new-bundle-format=false',
        '--use-signing-config=false',
        '--tlog-upload=false',
        '--output-signature',
        'blob.yaml.sig',
        'blob.yaml',
      ],
      env,
    );
    expect(s1.code, s1.out).toBe(0);
    const s2 = runCosign(
      [
        'sign-blob',
        '--yes',
        '--key',
        'forcosign.key',
        '--signing-config',
        'sc.json',
        '--bundle',
        'blob.yaml.sigstore.json',
        'blob.yaml',
      ],
      env,
    );
    expect(s2.code, s2.out).toBe(0);
    const v1 = await runCli(['verify', '--key', 'forcosign.pub', '--signature', 'blob.yaml.sig', 'blob.yaml'], {
      cwd: dir,
    });
    expect(v1.stdout).toBe('Verified OK\n');
    const v2 = await runCli(['verify', '--key', 'forcosign.pub', '--bundle', 'blob.yaml.sigstore.json', 'blob.yaml'], {
      cwd: dir,
    });
    expect(v2.stdout).toBe('Verified OK\n');
    const other = await runCli(['verify', '--key', 'ours.pub', '--bundle', 'blob.yaml.sigstore.json', 'blob.yaml'], {
      cwd: dir,
    });
    expect(other.code).toBe(1);
  });
});
