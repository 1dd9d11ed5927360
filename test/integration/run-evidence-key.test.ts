import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCosignKeyPair } from '../../src/supply-chain/cosign-key-format.js';
import { runBuiltCli } from '../support/built-cli.js';
import { spawnCli, upstreamWorkspace, waitFor } from './controller-helpers.js';

/**
 * `run --evidence-key` (or $ADAPTIVE_CANARY_EVIDENCE_KEY) signs every head.json it writes; `evidence verify --key`
 * checks it: exit 0 signed by the key, 1 unsigned or signed by another key, 2 for a key file that is not a key.
 */
describe('run --evidence-key and evidence verify --key (built CLI)', () => {
  it('signs the head; verify --key passes with its key and fails clearly otherwise', async () => {
    const { cwd, args } = await upstreamWorkspace();
    const pair = generateCosignKeyPair('s3cret');
    writeFileSync(join(cwd, 'evidence.key'), pair.privatePem);
    writeFileSync(join(cwd, 'evidence.pub'), pair.publicPem);
    writeFileSync(join(cwd, 'other.pub'), generateCosignKeyPair('x').publicPem);
    const runUntilStarted = async (extra: string[], env: NodeJS.ProcessEnv): Promise<void> => {
      const run = spawnCli([...args, ...extra], cwd, env);
      await waitFor(() => /(starting|resuming) rollout r1/.test(run.out()), 30_000, `the start:\n${run.out()}`);
      await waitFor(() => /r1 {2}t=\d+s/.test(run.out()), 30_000, `an interval:\n${run.out()}`);
      run.child.kill('SIGTERM');
      expect(await run.exited, run.out()).toBe(0);
    };
    const verify = (...extra: string[]) => runBuiltCli(['evidence', 'verify', 'r1', ...extra], { cwd });

    await runUntilStarted(['--evidence-key', 'evidence.key'], { COSIGN_PASSWORD: 's3cret' });
    const ok = verify('--key', 'evidence.pub');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok {7}\S+r1: \d+ records, chain head [0-9a-f]{16}… \(seq \d+, signed by the key\)/);
    const json = JSON.parse(verify('--key', 'evidence.pub', '--json').stdout);
    expect(json).toMatchObject({ ok: true, rollouts: [{ signature: 'valid' }] });

    const wrong = verify('--key', 'other.pub');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^BAD SIG {2}\S+r1: head\.json's signature does not verify with the given key/);

    const notAKey = verify('--key', 'canary.yaml');
    expect(notAKey.code).toBe(2);
    expect(notAKey.stderr).toMatch(/canary\.yaml: not a PEM "PUBLIC KEY"/);
    expect(notAKey.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // The key from the environment (a mounted Secret's path) signs the resumed rollout's heads too.
    await runUntilStarted([], { COSIGN_PASSWORD: 's3cret', ADAPTIVE_CANARY_EVIDENCE_KEY: 'evidence.key' });
    expect(verify('--key', 'evidence.pub').code).toBe(0);

    // A wrong password stops run before anything moves.
    const badPassword = runBuiltCli([...args, '--evidence-key', 'evidence.key'], {
      cwd,
      env: { COSIGN_PASSWORD: 'nope' },
    });
    expect(badPassword.code).toBe(1);
    expect(badPassword.stderr).toMatch(/could not decrypt the private key: wrong password/);

    // Resumed without a key: the head is rewritten unsigned, which verify --key reports (plain verify does not).
    await runUntilStarted([], {});
    const unsigned = verify('--key', 'evidence.pub');
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(/^UNSIGNED \S+r1: head\.json is not signed/);
    expect(verify().code).toBe(0);
  }, 120_000);
});
