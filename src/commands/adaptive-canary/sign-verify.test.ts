import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/supply-chain-cli.js';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/cosign');
const PASSWORD = 'unit-test-pw-7c1e';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-sign-'));
  for (const f of [
    'cosign.pub',
    'cosign.key',
    'nopass.pub',
    'rollouts.yaml',
    'rollouts.yaml.sig',
    'rollouts.yaml.sigstore.json',
    'rollouts.tampered.yaml',
  ]) {
    copyFileSync(join(fixtures, f), join(dir, f));
  }
});

describe('keygen / sign / verify commands', () => {
  it('keygen writes a 0600 private key, refuses to overwrite, never prints the password', async () => {
    const r = await runCli(['keygen', '--output-key-prefix', 'ours'], { cwd: dir, env: { COSIGN_PASSWORD: PASSWORD } });
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'ours.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'ours.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    const again = await runCli(['keygen', '--output-key-prefix', 'ours'], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exist.*--force/);
  });

  it('keygen without COSIGN_PASSWORD and without a terminal is a usage error', async () => {
    const r = await runCli(['keygen', '--output-key-prefix', 'x'], { cwd: dir, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/COSIGN_PASSWORD/);
  });

  it('sign writes .sig and .sigstore.json that verify; tampering fails with exit 1', async () => {
    writeFileSync(join(dir, 'blob.yaml'), 'kind: Test\n');
    const s = await runCli(['sign', '--key', 'ours.key', 'blob.yaml'], {
      cwd: dir,
      env: { COSIGN_PASSWORD: PASSWORD },
    });
    expect(s.code).toBe(0);
    expect(s.stdout + s.stderr).not.toContain(PASSWORD);
    expect(
      (await runCli(['verify', '--key', 'ours.pub', '--signature', 'blob.yaml.sig', 'blob.yaml'], { cwd: dir })).stdout,
    ).toBe('Verified OK\n');
    expect(
      (await runCli(['verify', '--key', 'ours.pub', '--bundle', 'blob.yaml.sigstore.json', 'blob.yaml'], { cwd: dir }))
        .code,
    ).toBe(0);
    writeFileSync(join(dir, 'blob.yaml'), 'kind: Tast\n');
    const bad = await runCli(['verify', '--key', 'ours.pub', '--signature', 'blob.yaml.sig', 'blob.yaml'], {
      cwd: dir,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/FAILED: .*blob\.yaml: invalid signature/);
  });

  it('sign with a wrong password exits 1 with a clear message', async () => {
    const r = await runCli(['sign', '--key', 'cosign.key', 'rollouts.yaml'], {
      cwd: dir,
      env: { COSIGN_PASSWORD: 'nope' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong password/);
    expect(r.stderr).not.toContain('nope');
  });

  it("verifies cosign's vectors and rejects the tampered file, the wrong key, truncation and garbage", async () => {
    const v = (args: string[]): ReturnType<typeof runCli> => runCli(['verify', ...args], { cwd: dir });
    expect((await v(['--key', 'cosign.pub', '--signature', 'rollouts.yaml.sig', 'rollouts.yaml'])).code).toBe(0);
    expect((await v(['--key', 'cosign.pub', '--bundle', 'rollouts.yaml.sigstore.json', 'rollouts.yaml'])).code).toBe(0);
    expect((await v(['--key', 'cosign.pub', '--signature', 'rollouts.yaml.sig', 'rollouts.tampered.yaml'])).code).toBe(
      1,
    );
    expect(
      (await v(['--key', 'cosign.pub', '--bundle', 'rollouts.yaml.sigstore.json', 'rollouts.tampered.yaml'])).code,
    ).toBe(1);
    expect((await v(['--key', 'nopass.pub', '--signature', 'rollouts.yaml.sig', 'rollouts.yaml'])).code).toBe(1);
    writeFileSync(join(dir, 'short.sig'), readFileSync(join(dir, 'rollouts.yaml.sig'), 'utf8').slice(0, 40));
    expect((await v(['--key', 'cosign.pub', '--signature', 'short.sig', 'rollouts.yaml'])).stderr).toMatch(
      /malformed or truncated/,
    );
    writeFileSync(join(dir, 'junk.json'), '\u0000\u0001garbage');
    expect((await v(['--key', 'cosign.pub', '--bundle', 'junk.json', 'rollouts.yaml'])).code).toBe(1);
  });

  it('usage mistakes exit 2', async () => {
    expect((await runCli(['verify', '--key', 'cosign.pub', 'rollouts.yaml'], { cwd: dir })).code).toBe(2);
    expect(
      (
        await runCli(['verify', '--key', 'cosign.pub', '--signature', 'a', '--bundle', 'b', 'rollouts.yaml'], {
          cwd: dir,
        })
      ).code,
    ).toBe(2);
    expect(
      (
        await runCli(['verify', '--key', 'missing.pub', '--signature', 'rollouts.yaml.sig', 'rollouts.yaml'], {
          cwd: dir,
        })
      ).code,
    ).toBe(2);
    expect(
      (
        await runCli(['verify', '--key', 'rollouts.yaml', '--signature', 'rollouts.yaml.sig', 'rollouts.yaml'], {
          cwd: dir,
        })
      ).code,
    ).toBe(2);
  });

  it('sign --annotate then verify --annotated', async () => {
    copyFileSync(join(dir, 'rollouts.yaml'), join(dir, 'annotated.yaml'));
    expect(
      (
        await runCli(['sign', '--annotate', '--key', 'ours.key', 'annotated.yaml'], {
          cwd: dir,
          env: { COSIGN_PASSWORD: PASSWORD },
        })
      ).code,
    ).toBe(0);
    const ok = await runCli(['verify', '--key', 'ours.pub', '--annotated', 'annotated.yaml'], { cwd: dir });
    expect(ok.stdout).toMatch(/Verified OK: Rollout\/maestro-api/);
    writeFileSync(
      join(dir, 'annotated.yaml'),
      readFileSync(join(dir, 'annotated.yaml'), 'utf8').replace('replicas: 4', 'replicas: 40'),
    );
    const bad = await runCli(['verify', '--key', 'ours.pub', '--annotated', 'annotated.yaml'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/spec\.replicas: signed 4, found 40/);
  });
});
