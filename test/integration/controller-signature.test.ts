import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSignedManifest } from '../../src/controller/manifest-gate.js';
import { loadPolicy } from '../../src/controller/load-policy.js';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { CheckFailedError } from '../../src/errors.js';
import { spawnCli, traffic, waitFor, runArgs } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/maestro-api');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A copy of the committed example; `tamper` changes one byte of rollouts.yaml after it was signed. */
function exampleCopy(tamper: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ac-sig-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(EXAMPLE, dir, { recursive: true });
  if (tamper) {
    const file = join(dir, 'rollouts.yaml');
    const bytes = readFileSync(file);
    const i = bytes.indexOf('replicas: ');
    bytes[i + 10] = bytes[i + 10] === 0x35 ? 0x36 : 0x35; // one digit of the replica count
    writeFileSync(file, bytes);
  }
  return dir;
}

/** A fast policy in the copied directory: same signing defaults (cosign.pub, rollouts.yaml next to it). */
const fastPolicy = maestroPolicyYaml(`  steps: [{weight: 50, bake: 30s}]
  latencyBoundsMs: [5, 25, 100]
`);

const example = loadPolicy(join(EXAMPLE, 'canary.yaml'), { CANARY_WEBHOOK_SECRET: 'x' }).spec;

describe('signed-manifest gate: run refuses a manifest that does not verify', () => {
  it("accepts the committed example and refuses a one-byte-changed copy with the verifier's message", () => {
    expect(checkSignedManifest(EXAMPLE, example, { allowUnsigned: false }).note).toMatchObject({
      level: 'info',
      message: 'rollouts.yaml verifies against cosign.pub',
    });
    const dir = exampleCopy(true);
    let err: unknown;
    try {
      checkSignedManifest(dir, example, { allowUnsigned: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckFailedError);
    expect((err as CheckFailedError).message).toMatch(
      new RegExp(
        String.raw`rollouts\.yaml does not verify against cosign\.pub \(rollout` +
          String.raw`s\.yaml\.sig\): FAILED: .*invalid signature: the file was ch` +
          String.raw`anged after signing`,
      ),
    );
    const allowed = checkSignedManifest(dir, example, { allowUnsigned: true });
    expect(allowed.warning).toMatch(/^--allow-unsigned: rolling out although rollouts\.yaml does not verify/);
    expect(allowed.note.level).toBe('warning');
  });

  it('refuses an unsigned manifest unless the policy does not require signatures', () => {
    const dir = exampleCopy(false);
    rmSync(join(dir, 'rollouts.yaml.sig'));
    rmSync(join(dir, 'rollouts.yaml.sigstore.json'));
    expect(() => checkSignedManifest(dir, example, { allowUnsigned: false })).toThrow(
      /rollouts\.yaml is not signed .*--allow-unsigned/,
    );
    // The loaded spec is already parsed (durations in ms): change the one field rather than parse it again.
    const optional = { ...example, signing: { ...example.signing, required: false } };
    expect(checkSignedManifest(dir, optional, { allowUnsigned: false }).note.message).toMatch(/not checked/);
  });

  it('run exits 1 on a tampered rollouts.yaml before touching traffic', async () => {
    const dir = exampleCopy(true);
    writeFileSync(join(dir, 'canary.yaml'), fastPolicy);
    const r = spawnCli(runArgs('http://127.0.0.1:9', 'http://127.0.0.1:9'), dir);
    expect(await r.exited, r.out()).toBe(1);
    expect(r.out()).toMatch(/E_MANIFEST_SIGNATURE.*invalid signature: the file was changed after signing/);
    expect(r.out()).not.toMatch(/starting rollout/);
  });

  it('run --allow-unsigned goes ahead, warns on stderr and records it in the evidence', async () => {
    const dir = exampleCopy(true);
    writeFileSync(join(dir, 'canary.yaml'), fastPolicy);
    const stable = await startMaestroApi({ version: '1.0.0' });
    const canary = await startMaestroApi({ version: '1.1.0', faults: { errorRate: 0.6 } });
    cleanups.push(
      () => stable.close(),
      () => canary.close(),
    );
    const r = spawnCli(runArgs(stable.url, canary.url, ['--id', 'unsigned', '--allow-unsigned']), dir);
    await waitFor(() => /send traffic to (http:\/\/\S+)/.test(r.out()), 20_000, 'the rollout to start');
    const stop = traffic(/send traffic to (http:\/\/\S+)/.exec(r.out())![1]!, 100);
    cleanups.push(stop);
    expect(await r.exited, r.out()).toBe(1); // the canary is bad: rolled back
    expect(r.out()).toMatch(/WARNING: --allow-unsigned: rolling out although rollouts\.yaml does not verify/);
    expect(r.out()).toMatch(/unsigned: rolled-back/);
    const records = readFileSync(join(dir, '.evidence', 'maestro-api', 'unsigned', 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; topic?: string; level?: string });
    expect(records[0]).toMatchObject({ kind: 'note', topic: 'signature', level: 'warning' });
  });
});
