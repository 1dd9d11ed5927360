import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalActuator } from '../../src/actuators/local/local-actuator.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import { openLocalRollout } from '../../src/app/run/open-local-rollout.js';
import { StateStore } from '../../src/controller/state-store.js';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { policySpec } from '../../src/schema/policy.js';
import { receiver, spawnCli, traffic, waitFor, runArgs } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ac-faults-'));

const policyYaml = (extra = ''): string =>
  maestroPolicyYaml(`  steps: [{weight: 50, bake: 5s}]
${extra}`);

describe('controller under faults', () => {
  it('rolls back at once while the webhook receivers hang or fail, and records the deliveries', async () => {
    const cwd = tmp();
    const slow = await receiver('hang');
    const failing = await receiver('fail');
    cleanups.push(
      () => slow.close(),
      () => failing.close(),
    );
    const stable = await startMaestroApi({ version: '1.0.0' });
    const canary = await startMaestroApi({ version: '1.1.0', faults: { errorRate: 0.6 } });
    const actuator = await LocalActuator.start({
      stable: stable.url,
      canary: canary.url,
      latencyBoundsMs: [5, 25, 100],
    });
    cleanups.push(
      () => stable.close(),
      () => canary.close(),
      () => actuator.close(),
    );
    const policy = policySpec.parse({
      service: 'maestro-api',
      interval: '500ms',
      steps: [{ weight: 50, bake: '30s' }],
      latencyBoundsMs: [5, 25, 100],
      webhooks: [
        { url: slow.url, secret: 's1' },
        { url: failing.url, secret: 's2' },
        { url: 'http://127.0.0.1:9/closed', secret: 's3' },
      ],
    });
    const store = await StateStore.open(join(cwd, 'state.db'));
    const rollout = await openLocalRollout({
      id: 'hooks',
      policy,
      actuator,
      upstreams: { stable: stable.url, canary: canary.url },
      store,
      metrics: new ControllerMetrics(),
      cwd,
      webhookTimeoutMs: 30_000,
    });
    cleanups.push(() => store.close());
    const stop = traffic(actuator.url, 100);
    cleanups.push(stop);
    const t0 = Date.now();
    rollout.controller.start();
    const snap = await rollout.controller.done;
    expect(snap.phase).toBe('rolled-back');
    // The rollback webhook reached the hanging receiver, which never answers: the rollout was already done.
    await waitFor(
      () => slow.got.some((g) => g.event === 'rollback'),
      5_000,
      'the rollback webhook at the slow receiver',
    );
    // Done before the bake (30 s) and before the hanging hook's request timeout (30 s) could have run out: the
    // rollback waited on neither. Half that is the bound, generous for a loaded machine.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(snap.rollbackDurationSeconds).toBeLessThan(1);
    expect((await actuator.state()).canaryWeight).toBe(0);
    const closing = Date.now();
    await rollout.close(); // drains for at most 2 s, then records the rest as abandoned
    // The promise is that close does not wait out the hanging hook's 30 s request timeout; the 'abandoned' outcome
    // below shows it by itself, and half that timeout is room for a loaded machine.
    expect(Date.now() - closing).toBeLessThan(15_000);
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(join(rollout.evidence.dir, 'webhooks.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { outcome: string; url: string });
    expect(log.some((d) => d.outcome === 'abandoned')).toBe(true);
    expect(log.some((d) => /closed/.test(d.url))).toBe(true);
  });

  it('rolls back and says why when the canary process dies mid-rollout', async () => {
    const cwd = tmp();
    const serve = `node -e "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT,'127.0.0.1')"`;
    const actuator = await LocalActuator.start({ stable: serve, canary: serve, latencyBoundsMs: [5, 25, 100] });
    cleanups.push(() => actuator.close());
    const store = await StateStore.open(join(cwd, 'state.db'));
    cleanups.push(() => store.close());
    const policy = policySpec.parse({
      service: 'maestro-api',
      interval: '500ms',
      steps: [{ weight: 50, bake: '60s' }],
      latencyBoundsMs: [5, 25, 100],
    });
    const rollout = await openLocalRollout({
      id: 'dies',
      policy,
      actuator,
      upstreams: { stable: actuator.upstreamUrl('stable'), canary: actuator.upstreamUrl('canary') },
      store,
      metrics: new ControllerMetrics(),
      cwd,
    });
    cleanups.push(() => rollout.close());
    rollout.controller.start();
    await new Promise((r) => setTimeout(r, 1200));
    const pid = (actuator as unknown as { upstreams: { canary: { child: { pid: number } } } }).upstreams.canary.child
      .pid;
    process.kill(-pid, 'SIGKILL');
    const snap = await rollout.controller.done;
    expect(snap.phase).toBe('rolled-back');
    expect(snap.decisions.at(-1)).toMatchObject({ action: 'rollback', by: 'fault' });
    expect(snap.decisions.at(-1)?.reasons[0]?.message).toMatch(/canary command exited \(SIGKILL\); rolling back/);
  });

  it('refuses to start when the canary command never listens (exit 3, says which and why)', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'canary.yaml'), policyYaml());
    const r = spawnCli(runArgs('http://127.0.0.1:9', 'sleep 30', ['--start-timeout', '1s', '--allow-unsigned']), cwd);
    expect(await r.exited).toBe(3);
    expect(r.out()).toMatch(
      /canary upstream: `sleep 30` did not accept connections on 127\.0\.0\.1:\d+ \(the command gets PORT=\d+\)/,
    );
  });

  it('refuses to start when the evidence directory cannot be written (exit 2), leaving no rollout behind', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'canary.yaml'), policyYaml());
    writeFileSync(join(cwd, '.evidence'), 'a file where the evidence directory should be');
    const up = await startMaestroApi();
    cleanups.push(() => up.close());
    const r = spawnCli(runArgs(up.url, up.url, ['--allow-unsigned']), cwd);
    expect(await r.exited).toBe(2);
    expect(r.out()).toMatch(/E_EVIDENCE_UNWRITABLE.*cannot write evidence/);
    expect(r.out()).not.toMatch(/START/);
  });

  it('reports an invalid policy with file:line:column (exit 2)', async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'canary.yaml'), policyYaml('  alpha: 2\n  judge: magic\n'));
    const r = spawnCli(
      ['run', '--policy', 'canary.yaml', '--stable', 'http://127.0.0.1:9', '--canary', 'http://127.0.0.1:9', '--no-ui'],
      cwd,
    );
    expect(await r.exited).toBe(2);
    expect(r.out()).toMatch(/canary\.yaml:8:\d+: error: .*alpha/);
    expect(r.out()).toMatch(/canary\.yaml:9:\d+: error: .*judge/);
  });
});
