import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { BIN, spawnCli, traffic, waitFor, type Spawned } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

/**
 * `run --baseline CMD` with real processes: a warm stable (started long before), and a canary that is the same
 * code as stable but cold for its first 600 requests (each 150 ms slower: empty caches, JIT). Compared with
 * the warm stable, the cold start reads as a latency regression; compared with a baseline — the stable version
 * started as a command together with the canary, cold the same way — it does not.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const policy = maestroPolicyYaml(`  steps: [{weight: 50, bake: 8s}]
  latencyBoundsMs: [5, 25, 100, 250]
`);

const sample = (version: string): string =>
  `"${process.execPath}" "${BIN}" sample-service --service-version ${version}` +
  ` --listen 127.0.0.1:$PORT --cold-requests 600 --cold-latency-ms 150`;

async function runRollout(withBaseline: boolean): Promise<{ run: Spawned; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ac-baseline-'));
  writeFileSync(join(cwd, 'canary.yaml'), policy);
  const stable = await startMaestroApi({ version: '1.0.0' });
  cleanups.push(() => stable.close());
  const args = ['run', '--policy', 'canary.yaml', '--allow-unsigned', '--no-ui', '--listen', '127.0.0.1:0'];
  args.push('--router', '127.0.0.1:0', '--stable', stable.url, '--canary', sample('1.1.0'));
  if (withBaseline) args.push('--baseline', sample('1.0.0'));
  const run = spawnCli(args, cwd);
  cleanups.push(() => {
    run.child.kill('SIGTERM');
  });
  await waitFor(() => /send traffic to (http:\/\/\S+)/.test(run.out()), 20_000, `the router to listen:\n${run.out()}`);
  const router = /send traffic to (http:\/\/\S+)/.exec(run.out())![1]!;
  cleanups.push(traffic(router, 200));
  return { run, cwd };
}

function decisions(cwd: string): { action: string; reasons: { signal: string; message: string }[] }[] {
  const dir = join(cwd, '.evidence', 'maestro-api');
  const [id] = readdirSync(dir);
  return readFileSync(join(dir, id!, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; action: string; reasons: { signal: string; message: string }[] })
    .filter((r) => r.kind === 'decision');
}

describe('run --baseline (real processes)', () => {
  it(
    'promotes a cold-starting canary compared with its baseline; compared ' + 'with warm stable it is rolled back',
    async () => {
      const [alone, paired] = await Promise.all([runRollout(false), runRollout(true)]);
      const [aloneCode, pairedCode] = await Promise.all([alone.run.exited, paired.run.exited]);
      expect(aloneCode, alone.run.out()).toBe(1);
      expect(alone.run.out()).toMatch(/rolled-back/);
      expect(pairedCode, paired.run.out()).toBe(0);
      expect(paired.run.out()).toMatch(/promoted/);
      // The evidence says what each decision compared the canary with.
      const last = decisions(paired.cwd).at(-1)!;
      expect(last.action).toBe('promote');
      expect(last.reasons.find((r) => r.signal === 'comparison')?.message).toMatch(/the baseline \(fresh stable/);
      const rollback = decisions(alone.cwd).at(-1)!;
      expect(rollback.action).toBe('rollback');
      expect(rollback.reasons.find((r) => r.signal === 'comparison')?.message).toMatch(/the stable version/);
    },
    60_000,
  );
});
