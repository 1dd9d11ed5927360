import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalActuator } from '../../src/actuators/local/local-actuator.js';
import { openLocalRollout } from '../../src/app/run/open-local-rollout.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import { StateStore } from '../../src/controller/state-store.js';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { policySpec } from '../../src/schema/policy.js';
import { otlpSubscription } from '../../src/sources/otlp/from-policy.js';
import { OtlpSource } from '../../src/sources/otlp/otlp-source.js';
import { OtlpReceiver } from '../../src/sources/otlp/receiver.js';

// A rollout on this machine closes what it opened: the demo runs several rollouts on one OTLP receiver, so a
// subscription left behind would keep indexing points for a rollout that has ended.
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a local rollout, closed', () => {
  it('closes its OTLP subscriptions', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-close-'));
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const stable = await startMaestroApi({ version: '1.4.0' });
    const canary = await startMaestroApi({ version: '1.5.0' });
    const actuator = await LocalActuator.start({ stable: stable.url, canary: canary.url, latencyBoundsMs: [25] });
    const store = await StateStore.open(join(cwd, 'state.db'));
    cleanups.push(
      () => stable.close(),
      () => canary.close(),
      () => actuator.close(),
      () => store.close(),
    );
    const policy = policySpec.parse({ service: 'maestro-api', interval: '1s', metricSource: { type: 'otlp' } });
    const receiver = new OtlpReceiver();
    const open = (id: string) =>
      openLocalRollout({
        id,
        policy,
        actuator,
        sources: [new OtlpSource(receiver, otlpSubscription(policy, { baseline: '1.4.0', canary: '1.5.0' }))],
        store,
        metrics: new ControllerMetrics(),
        cwd,
      });
    const [a, b] = [await open('first'), await open('second')];
    expect(receiver.subscriptionCount).toBe(2);
    await a.close();
    expect(receiver.subscriptionCount).toBe(1);
    await b.close();
    expect(receiver.subscriptionCount).toBe(0);
  });
});
