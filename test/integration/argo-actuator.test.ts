import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgoActuator } from '../../src/actuators/argo/argo-actuator.js';
import type { ActuatorFault } from '../../src/actuators/actuator.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { makeRollout } from '../support/rollout-fixture.js';
import { until as pollUntil } from '../support/poll.js';

const NS = 'shop';
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };

let api: KubeApiServer;
let argo: ArgoSimulator;

async function actuator(extra: Partial<Parameters<typeof ArgoActuator.create>[0]> = {}): Promise<ArgoActuator> {
  return ArgoActuator.create({
    kubeConfig: api.kubeConfig(NS),
    namespace: NS,
    rollout: 'maestro-api',
    retry: fastRetry,
    confirmTimeoutMs: 5_000,
    pollIntervalMs: 10,
    ...extra,
  });
}

const until = (cond: () => boolean, ms = 3_000): Promise<number> => pollUntil(cond, ms);

async function startAtFirstStep(statusSubresource = true): Promise<void> {
  api = await KubeApiServer.start({ statusSubresource });
  argo = new ArgoSimulator(api);
  api.seedRollout(makeRollout({ name: 'maestro-api', namespace: NS, weights: [10, 25, 50] }));
  argo.reconcile(NS, 'maestro-api');
  await until(() => api.getRollout(NS, 'maestro-api')?.status?.phase === 'Paused');
  api.requests.length = 0;
}

afterEach(async () => {
  argo.close();
  await api.close();
});

describe('ArgoActuator against the in-test API server (client-node, real HTTP)', () => {
  beforeEach(async () => startAtFirstStep());

  it('reads status: paused at the first step with the canary at 10%', async () => {
    const a = await actuator();
    expect(await a.state()).toEqual({ phase: 'progressing', canaryWeight: 10, stableUp: null, canaryUp: null });
    const v = await a.view();
    expect(v).toMatchObject({
      phase: 'Paused',
      currentStepIndex: 1,
      stepCount: 6,
      pauseReasons: ['CanaryPauseStep'],
      stableHash: 'st4b1e',
      canaryHash: 'c4n4ry',
    });
  });

  it("promote to the next step sends exactly kubectl's patch to the status subresource", async () => {
    const a = await actuator();
    await a.setWeight(25);
    const [p] = api.patches();
    expect(p).toMatchObject({
      path: `/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts/maestro-api/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { pauseConditions: null } },
    });
    expect(api.patches()).toHaveLength(1);
    expect((await a.state()).canaryWeight).toBe(25);
    expect(api.warnings).toEqual([]);
  });

  it('promote without a pause condition advances currentStepIndex, and unpauses spec.paused', async () => {
    api.patchRollout(NS, 'maestro-api', { spec: { paused: true } });
    api.patchRollout(NS, 'maestro-api', { status: { pauseConditions: null, controllerPause: null } }, 'status');
    await until(
      () =>
        api.getRollout(NS, 'maestro-api')?.status?.phase === 'Paused' &&
        !api.getRollout(NS, 'maestro-api')?.status?.pauseConditions,
    );
    api.requests.length = 0;
    const a = await actuator();
    await a.setWeight(25);
    expect(api.patches().map((p) => [p.path.endsWith('/status') ? 'status' : 'main', p.body])).toEqual([
      ['status', { status: { pauseConditions: null, currentStepIndex: 2 } }],
      ['main', { spec: { paused: false } }],
    ]);
  });

  it('promote --full patches promoteFull and waits for stable = canary', async () => {
    const a = await actuator();
    await a.promote();
    expect(api.patches().map((p) => p.body)).toEqual([{ status: { promoteFull: true } }]);
    expect(await a.state()).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
    await a.promote(); // already promoted: nothing to send
    expect(api.patches()).toHaveLength(1);
  });

  it('rollback is one abort patch, confirmed when status.canary.weights shows the canary at 0', async () => {
    const a = await actuator();
    const t0 = Date.now();
    const { confirmedAt } = await a.rollback();
    expect(api.patches().map((p) => [p.path.endsWith('/status'), p.body])).toEqual([
      [true, { status: { abort: true } }],
    ]);
    expect(api.requests[0]?.method).toBe('PATCH'); // nothing is read before the abort goes out
    expect(confirmedAt).toBeGreaterThanOrEqual(t0);
    expect(api.getRollout(NS, 'maestro-api')?.status).toMatchObject({
      phase: 'Degraded',
      canary: { weights: { canary: { weight: 0 } } },
    });
    await expect(a.setWeight(25)).rejects.toMatchObject({ code: 'E_ARGO_ABORTED' });
    await expect(a.promote()).rejects.toMatchObject({ code: 'E_ARGO_ABORTED' });
  });

  it('a step Argo already passed by itself (timed pauses) is done, not an error', async () => {
    const a = await actuator();
    await a.setWeight(25);
    api.requests.length = 0;
    await a.setWeight(10);
    expect(api.patches()).toEqual([]);
    expect((await a.state()).canaryWeight).toBe(25);
  });

  it('a weight the Rollout steps do not have is refused, not approximated', async () => {
    const a = await actuator();
    await expect(a.setWeight(40)).rejects.toMatchObject({ code: 'E_ARGO_STEP' });
    expect(api.patches()).toEqual([]);
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    api.inject({ method: 'GET', path: '/rollouts/maestro-api', status: 429, times: 2 });
    api.inject({ method: 'PATCH', path: '/status', status: 500, times: 1 });
    const a = await actuator();
    await a.setWeight(25);
    const gets = api.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThanOrEqual(3);
    expect(api.patches()).toHaveLength(2); // the 500 and its retry
    expect((await a.state()).canaryWeight).toBe(25);
  });

  it('never promotes blind: when the Rollout cannot be read, nothing is patched', async () => {
    api.inject({ method: 'GET', status: 'reset', times: 100 });
    const a = await actuator();
    await expect(a.setWeight(25)).rejects.toBeDefined();
    await expect(a.promote()).rejects.toBeDefined();
    expect(api.patches()).toEqual([]);
  });

  it('refuses to act when the leadership fence is down', async () => {
    let leader = true;
    const a = await actuator({ fence: () => leader });
    leader = false;
    await expect(a.rollback()).rejects.toMatchObject({ code: 'E_NOT_LEADER' });
    await expect(a.setWeight(25)).rejects.toMatchObject({ code: 'E_NOT_LEADER' });
    expect(api.patches()).toEqual([]);
  });

  it('notices a human abort (kubectl argo rollouts abort) and reports it as a fault', async () => {
    const a = await actuator();
    const faults: ActuatorFault[] = [];
    const off = a.onFault((f) => faults.push(f));
    await until(() => api.requests.some((r) => r.query.watch === 'true'));
    api.patchRollout(NS, 'maestro-api', { status: { abort: true } }, 'status'); // what kubectl sends
    await until(() => faults.length > 0);
    expect(faults[0]?.message).toMatch(/aborted outside adaptive-canary/);
    off();
  });

  it('does not report its own rollback as a fault', async () => {
    const a = await actuator();
    const faults: ActuatorFault[] = [];
    const off = a.onFault((f) => faults.push(f));
    await until(() => api.requests.some((r) => r.query.watch === 'true'));
    await a.rollback();
    await new Promise((r) => setTimeout(r, 100));
    expect(faults).toEqual([]);
    off();
  });
});

describe('a cluster whose Rollout CRD has no status subresource', () => {
  beforeEach(async () => startAtFirstStep(false));

  it('abort falls back to the main resource on 404, as kubectl does', async () => {
    const a = await actuator();
    await a.rollback();
    expect(api.patches().map((p) => [p.path.split('/').pop(), p.body])).toEqual([
      ['status', { status: { abort: true } }],
      ['maestro-api', { status: { abort: true } }],
    ]);
    expect(api.getRollout(NS, 'maestro-api')?.status?.abort).toBe(true);
  });
});
