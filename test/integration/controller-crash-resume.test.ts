import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startMaestroApi, type MaestroApi } from '../../src/demo/maestro-api.js';
import { freePort } from '../support/free-port.js';
import { receiver, spawnCli, traffic, waitFor, runArgs } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

function phaseOf(stateFile: string): { phase: string; step: number } | undefined {
  try {
    const db = new Database(stateFile, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT state FROM rollouts WHERE id = ?').get('r1') as { state: string } | undefined;
      return row ? (JSON.parse(row.state) as { phase: string; step: number }) : undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

describe('controller crash and resume (built CLI, SIGKILL, SQLite state)', () => {
  const services: MaestroApi[] = [];
  afterAll(async () => {
    for (const s of services) await s.close();
  });

  it(
    'resumes the same rollout at the same step after kill -9, refuses a ' + 'second controller, promotes exactly once',
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'ac-crash-'));
      const hook = await receiver('ok');
      const stable = await startMaestroApi({ version: '1.0.0' });
      const canary = await startMaestroApi({ version: '1.1.0' });
      services.push(stable, canary);
      writeFileSync(
        join(cwd, 'canary.yaml'),
        maestroPolicyYaml(`  steps: [{weight: 20, bake: 2s}, {weight: 50, bake: 30s}]
  sequential: {minCanaryRequests: 50}
  inconclusive: {maxExtension: 3s, then: promote}
  webhooks: [{url: "${hook.url}", secret: "\${env:HOOK_SECRET}"}]
  signing: {required: false}
`),
      );
      const routerPort = await freePort();
      const args = runArgs(stable.url, canary.url, ['--id', 'r1', '--state', 'state.db'], `127.0.0.1:${routerPort}`);
      const env = { HOOK_SECRET: 'crash-test-secret' };
      // The second bake is long so the first controller is still at step 2 however slowly the second CLI starts on a
      // loaded machine (early promotion waits for half the planned bake, 16 s); the kill follows the second's refusal.
      const stop = traffic(`http://127.0.0.1:${routerPort}`, 100);
      try {
        const first = spawnCli(args, cwd, env);
        await waitFor(
          () => (phaseOf(join(cwd, 'state.db'))?.step ?? 0) >= 1,
          30_000,
          'the first controller to reach step 2',
        ).catch((err: Error) => {
          throw new Error(`${err.message}\n${first.out()}`);
        });
        // A second controller on the same rollout while the first is alive: refused.
        const second = spawnCli([...args.slice(0, -3), '--router', '127.0.0.1:0', '--no-ui'], cwd, env);
        expect(await second.exited).toBe(2);
        expect(second.out()).toMatch(/E_LOCKED.*refusing to run a second one/);
        const before = phaseOf(join(cwd, 'state.db'));
        first.child.kill('SIGKILL');
        await first.exited;
        expect(first.out()).not.toMatch(/PROMOTE/);
        const resumed = spawnCli(args, cwd, env);
        await waitFor(() => /resuming rollout r1/.test(resumed.out()), 20_000, 'the restarted controller to resume');
        expect(before?.phase).toBe('progressing');
        expect(resumed.out()).not.toMatch(/START → step 1/);
        expect(await resumed.exited, resumed.out()).toBe(0);
        expect(resumed.out()).toMatch(/r1: promoted/);
        expect(resumed.out(), resumed.out()).toMatch(/r1 {2}t=[0-9.]+s step 2\/2 weight 50%/);
        const db = new Database(join(cwd, 'state.db'), { readonly: true });
        const actions = (
          db
            .prepare(
              "SELECT json_extract(decision, '$.action') AS a FROM decisions WHERE rollout_id = 'r1' ORDER BY seq",
            )
            .all() as { a: string }[]
        ).map((r) => r.a);
        db.close();
        expect(actions.filter((a) => a === 'start')).toHaveLength(1);
        expect(actions.filter((a) => a === 'promote')).toHaveLength(1);
        await waitFor(() => hook.got.some((g) => g.event === 'promote'), 5_000, 'the promote webhook');
        expect(new Set(hook.got.filter((g) => g.event === 'promote').map((g) => g.id)).size).toBe(1);
        // The evidence chain survived the crash intact.
        const verify = spawnCli(['evidence', 'verify'], cwd);
        expect(await verify.exited, verify.out()).toBe(0);
      } finally {
        stop();
        await hook.close();
      }
    },
  );
});
