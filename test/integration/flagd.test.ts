import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FlagdCore } from '@openfeature/flagd-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { FlagdActuator } from '../../src/actuators/flagd/flagd-actuator.js';
import { policySpec } from '../../src/schema/policy.js';

const EXAMPLE = new URL('../../examples/maestro-api/flags/maestro-api.flagd.json', import.meta.url);
let dir: string;
let file: string;

/** Share of 10,000 users flagd itself puts on the canary variant. */
function canaryShare(text: string): number {
  const core = new FlagdCore();
  core.setConfigurations(text);
  let on = 0;
  for (let i = 0; i < 10_000; i++) {
    if (
      core.resolveBooleanEvaluation('new-checkout', false, {
        targetingKey: `user-${i}`,
        email: `user-${i}@example.com`,
      }).value
    )
      on++;
  }
  return on / 10_000;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ac-flagd-'));
  file = join(dir, 'maestro-api.flagd.json');
  copyFileSync(EXAMPLE, file);
});

describe('FlagdActuator (--feature-step) with flagd-core evaluating the file', () => {
  it('steps through the policy steps, then rolls back to 0', async () => {
    const a = new FlagdActuator({ file, flag: 'new-checkout' });
    expect(await a.state()).toMatchObject({ phase: 'idle', canaryWeight: 0 });
    expect(canaryShare(readFileSync(file, 'utf8'))).toBe(0);
    for (const { weight } of policySpec.parse({ service: 'maestro-api' }).steps) {
      await a.setWeight(weight);
      expect((await a.state()).canaryWeight).toBe(weight);
      expect(canaryShare(readFileSync(file, 'utf8'))).toBeCloseTo(weight / 100, 1);
    }
    await a.rollback();
    expect(canaryShare(readFileSync(file, 'utf8'))).toBe(0);
    expect(await a.state()).toMatchObject({ phase: 'idle', canaryWeight: 0 });
  });

  it('promote puts every user on the canary variant; the rule for staff and the other flags are kept', async () => {
    const before = JSON.parse(readFileSync(file, 'utf8'));
    const a = new FlagdActuator({ file, flag: 'new-checkout' });
    await a.promote();
    expect(canaryShare(readFileSync(file, 'utf8'))).toBe(1);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.flags['order-page-size']).toEqual(before.flags['order-page-size']);
    expect(after.flags['new-checkout'].targeting.if.slice(0, 2)).toEqual(
      before.flags['new-checkout'].targeting.if.slice(0, 2),
    );
    expect(after.flags['new-checkout'].targeting.if[2]).toEqual({
      fractional: [
        ['on', 100],
        ['off', 0],
      ],
    });
  });

  it('writes atomically: a reader in another thread polling during 200 rewrites never sees half a file', async () => {
    const a = new FlagdActuator({ file, flag: 'new-checkout' });
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // A separate thread reads as fast as it can, like flagd's file watcher would, racing every write.
    const reader = new Worker(
      `
      const { readFileSync } = require('node:fs');
      const { workerData, parentPort } = require('node:worker_threads');
      let reads = 0, torn = 0;
      while (Atomics.load(workerData.stop, 0) === 0) {
        try { JSON.parse(readFileSync(workerData.file, 'utf8')); } catch { torn++; }
        reads++;
      }
      parentPort.postMessage({ reads, torn });
    `,
      { eval: true, workerData: { file, stop } },
    );
    const result = new Promise<{ reads: number; torn: number }>((resolve) => reader.once('message', resolve));
    for (let i = 0; i < 200; i++) await a.setWeight(i % 101);
    Atomics.store(stop, 0, 1);
    const { reads, torn } = await result;
    await reader.terminate();
    expect(reads).toBeGreaterThan(200);
    expect(torn).toBe(0);
    expect(readdirSync(dir)).toEqual(['maestro-api.flagd.json']); // no temp files left behind
  });

  it('refuses a flag without fractional targeting, and an unknown flag, without touching the file', async () => {
    const text = readFileSync(file, 'utf8');
    await expect(new FlagdActuator({ file, flag: 'order-page-size' }).setWeight(10)).rejects.toMatchObject({
      code: 'E_FLAGD_TARGETING',
    });
    await expect(new FlagdActuator({ file, flag: 'nope' }).setWeight(10)).rejects.toMatchObject({
      code: 'E_FLAGD_FLAG',
    });
    await expect(new FlagdActuator({ file, flag: 'new-checkout' }).setWeight(12.5)).rejects.toMatchObject({
      code: 'E_FLAGD_WEIGHT',
    });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('keeps a custom bucketing expression in front of the buckets', async () => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.flags['new-checkout'].targeting = {
      fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['on', 0], ['off', 100]],
    };
    await writeFile(file, JSON.stringify(doc));
    await new FlagdActuator({ file, flag: 'new-checkout' }).setWeight(50);
    const out = JSON.parse(readFileSync(file, 'utf8'));
    expect(out.flags['new-checkout'].targeting.fractional).toEqual([
      { cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] },
      ['on', 50],
      ['off', 50],
    ]);
    expect(canaryShare(readFileSync(file, 'utf8'))).toBeCloseTo(0.5, 1);
  });
});
