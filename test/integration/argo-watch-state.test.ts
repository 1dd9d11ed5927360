import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RolloutClient } from '../../src/actuators/argo/rollout-client.js';
import { RolloutWatcher, type RolloutEvent } from '../../src/actuators/argo/rollout-watcher.js';
import { readState, STATE_ANNOTATION, updateState } from '../../src/actuators/argo/state-annotation.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { makeRollout } from '../support/rollout-fixture.js';
import { until as pollUntil } from '../support/poll.js';

const NS = 'shop';
let api: KubeApiServer;
let client: RolloutClient;

const until = (cond: () => boolean, ms = 3_000): Promise<number> => pollUntil(cond, ms);

beforeEach(async () => {
  api = await KubeApiServer.start();
  api.seedRollout(makeRollout({ name: 'maestro-api', namespace: NS }));
  client = await RolloutClient.create(api.kubeConfig(NS), { baseDelayMs: 5 });
});
afterEach(async () => api.close());

describe('RolloutWatcher', () => {
  it('lists, watches, and re-lists after a dropped watch without losing the change made meanwhile', async () => {
    const events: RolloutEvent[] = [];
    const w = new RolloutWatcher(api.kubeConfig(NS), client, (e) => events.push(e), {
      namespace: NS,
      reconnectDelayMs: 50,
    });
    await w.start();
    expect(events.map((e) => e.rollout.metadata.name)).toEqual(['maestro-api']);
    await until(() => api.requests.some((r) => r.query.watch === 'true'));
    api.patchRollout(NS, 'maestro-api', { status: { phase: 'Paused' } }, 'status');
    await until(() => events.length === 2);

    api.inject({ method: 'GET', path: '/rollouts', status: 500, times: 1 }); // the first re-list fails too
    api.dropWatches();
    api.patchRollout(NS, 'maestro-api', { status: { abort: true } }, 'status'); // while nobody watches
    await until(() => events.some((e) => e.rollout.status?.abort === true));
    expect(w.relists).toBeGreaterThanOrEqual(1);
    w.stop();
  });

  it('re-lists on 410 Gone (resourceVersion too old)', async () => {
    const events: RolloutEvent[] = [];
    const w = new RolloutWatcher(api.kubeConfig(NS), client, (e) => events.push(e), {
      namespace: NS,
      reconnectDelayMs: 20,
    });
    await w.start();
    await until(() => api.requests.some((r) => r.query.watch === 'true'));
    api.patchRollout(NS, 'maestro-api', { metadata: { labels: { touched: 'yes' } } });
    api.compact();
    api.dropWatches();
    await until(() => w.relists >= 1);
    api.patchRollout(NS, 'maestro-api', { status: { phase: 'Degraded' } }, 'status');
    await until(() => events.some((e) => e.rollout.status?.phase === 'Degraded'));
    w.stop();
  });
});

describe('controller state in the Rollout annotation', () => {
  it('round-trips JSON with resourceVersion checks', async () => {
    expect((await readState(client, NS, 'maestro-api')).state).toBeNull();
    await updateState<{ step: number }>(client, NS, 'maestro-api', () => ({ step: 1 }));
    const patch = api.patches()[0]!;
    expect(patch.body).toMatchObject({
      metadata: { resourceVersion: expect.any(String), annotations: { [STATE_ANNOTATION]: '{"step":1}' } },
    });
    expect((await readState<{ step: number }>(client, NS, 'maestro-api')).state).toEqual({ step: 1 });
  });

  it('on 409 (someone changed the Rollout in between) re-reads and applies the update to the fresh state', async () => {
    await updateState<{ n: number }>(client, NS, 'maestro-api', () => ({ n: 1 }));
    let calls = 0;
    const { state: result } = await updateState<{ n: number }>(client, NS, 'maestro-api', (prev) => {
      calls++;
      // A second replica writes between our read and our patch, once.
      if (calls === 1)
        api.patchRollout(NS, 'maestro-api', { metadata: { annotations: { [STATE_ANNOTATION]: '{"n":10}' } } });
      return { n: (prev?.n ?? 0) + 1 };
    });
    expect(calls).toBe(2);
    expect(result).toEqual({ n: 11 });
    expect(api.getRollout(NS, 'maestro-api')?.metadata.annotations?.[STATE_ANNOTATION]).toBe('{"n":11}');
  });

  it('a 404 from get is an answer, not retried', async () => {
    await expect(client.get(NS, 'missing')).rejects.toMatchObject({ code: 404 });
    expect(api.requests.filter((r) => r.path.endsWith('/missing'))).toHaveLength(1);
  });
});
