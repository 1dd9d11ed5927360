import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgoActuator } from '../../src/actuators/argo/argo-actuator.js';
import { LeaderElector } from '../../src/actuators/argo/lease.js';
import { RolloutClient } from '../../src/actuators/argo/rollout-client.js';
import { readState, updateState } from '../../src/actuators/argo/state-annotation.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { makeRollout } from '../support/rollout-fixture.js';
import { until as pollUntil } from '../support/poll.js';

const NS = 'adaptive-canary';
const LEASE_MS = 1_000;
const RETRY_MS = 100;
let api: KubeApiServer;
const electors: LeaderElector[] = [];

function elector(identity: string, events: string[] = [], now?: () => number): LeaderElector {
  const e = new LeaderElector({
    kubeConfig: api.kubeConfig(NS, `token-${identity}`),
    namespace: NS,
    name: 'adaptive-canary-controller',
    identity,
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: 700,
    retryPeriodMs: RETRY_MS,
    onStartedLeading: () => events.push(`${identity} started`),
    onStoppedLeading: () => events.push(`${identity} stopped`),
    ...(now ? { now } : {}),
  });
  electors.push(e);
  return e;
}

const until = (cond: () => boolean, ms = 5_000): Promise<number> => pollUntil(cond, ms);

beforeEach(async () => {
  api = await KubeApiServer.start({ tokens: ['token-pod-a', 'token-pod-b', 'token-pod-c'] });
});
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop(false);
  await api.close();
});

describe('leader election with a coordination.k8s.io/v1 Lease', () => {
  it('exactly one of two replicas starting together leads (create races end in 409)', async () => {
    const [a, b] = [elector('pod-a'), elector('pod-b')];
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const lease = api.leases.store.get(NS, 'adaptive-canary-controller');
    expect(lease?.spec).toMatchObject({
      holderIdentity: results[0] ? 'pod-a' : 'pod-b',
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(String(lease?.spec?.renewTime)).toMatch(/\.\d{6}Z$/); // MicroTime, as the real API server requires
  });

  it(
    'a standby takes over once one lease period has passed on its clock ' + 'since the leader last renewed, not before',
    async () => {
      // The standby's clock is the test's: expiry is caused by advancing it, not by how fast a loaded machine runs.
      const events: string[] = [];
      let bNow = Date.now();
      const [a, b] = [elector('pod-a', events), elector('pod-b', events, () => bNow)];
      a.start();
      await until(() => a.isLeader());
      b.start();
      await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
      expect(b.isLeader()).toBe(false);
      expect(b.currentHolder).toBe('pod-a');
      await a.stop(false); // dies without releasing
      const roundsOfB = async (): Promise<void> => {
        for (let i = 0; i < 3; i++) await b.tryAcquireOrRenew();
      };
      await roundsOfB(); // b sees the last renewal, and the lease unchanged since
      bNow += LEASE_MS - 1;
      await roundsOfB();
      expect(b.isLeader()).toBe(false); // one millisecond short of a lease period: still the dead leader's
      bNow += 1;
      await until(() => b.isLeader()); // one lease period since b last saw it change: b takes over
      expect(events).toEqual(['pod-a started', 'pod-a stopped', 'pod-b started']);
      expect(api.leases.store.get(NS, 'adaptive-canary-controller')?.spec?.leaseTransitions).toBe(1);
    },
  );

  it('a graceful stop releases the lease so the standby takes over at once', async () => {
    // The standby's clock stands still, so the lease can never expire for it: taking over proves the release did it.
    const frozen = Date.now();
    const [a, b] = [elector('pod-a'), elector('pod-b', [], () => frozen)];
    a.start();
    await until(() => a.isLeader());
    b.start();
    await until(() => b.currentHolder === 'pod-a');
    await a.stop(true);
    await until(() => b.isLeader());
  });

  it(
    'a stop during a renewal in flight still releases the lease, and the ' + 'renewal does not make it lead again',
    async () => {
      const events: string[] = [];
      const a = elector('pod-a', events);
      expect(await a.tryAcquireOrRenew()).toBe(true);
      const seen = api.requests.length;
      const renewal = a.tryAcquireOrRenew(); // what the loop's timer may have started when SIGTERM arrives
      await until(() => api.requests.length > seen); // its read is answered; its update is on the way
      await a.stop();
      await renewal;
      expect(api.leases.store.get(NS, 'adaptive-canary-controller')?.spec?.holderIdentity).toBeUndefined();
      expect(a.isLeader()).toBe(false);
      expect(events).toEqual(['pod-a started', 'pod-a stopped']);
    },
  );

  it('a leader whose lease is taken (409 on renew) stops at once', async () => {
    const events: string[] = [];
    const a = elector('pod-a', events);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    const lease = api.leases.store.get(NS, 'adaptive-canary-controller')!;
    api.leases.store.put({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } }, 'MODIFIED');
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(events).toEqual(['pod-a started', 'pod-a stopped']);
  });
});

describe('lease lost mid-rollout', () => {
  it(
    'the cut-off leader stops acting before the standby acts, and the ' + 'standby resumes from the annotation',
    async () => {
      const argo = new ArgoSimulator(api);
      api.seedRollout(makeRollout({ name: 'maestro-api', namespace: NS }));
      argo.reconcile(NS, 'maestro-api');
      await until(() => api.getRollout(NS, 'maestro-api')?.status?.phase === 'Paused');
      const [a, b] = [elector('pod-a'), elector('pod-b')];
      /** Each pod's actuator, with its own token, fenced by its own elector. */
      const fencedActuator = (token: string, leader: { isLeader(): boolean }) =>
        ArgoActuator.create({
          kubeConfig: api.kubeConfig(NS, token),
          namespace: NS,
          rollout: 'maestro-api',
          fence: () => leader.isLeader(),
          retry: { attempts: 2, baseDelayMs: 5 },
          pollIntervalMs: 10,
        });
      const [actA, actB] = [await fencedActuator('token-pod-a', a), await fencedActuator('token-pod-b', b)];
      const client = await RolloutClient.create(api.kubeConfig(NS, 'token-pod-c'));
      a.start();
      await until(() => a.isLeader());
      b.start();
      await actA.setWeight(25);
      await updateState(client, NS, 'maestro-api', () => ({ step: 1, by: 'pod-a' }));

      // pod-a is partitioned from the API server: every request it makes fails from now on; pod-b is fine.
      api.inject({ token: 'token-pod-a', status: 'reset', times: 100_000 });
      const lostAfter = await until(() => !a.isLeader());
      expect(lostAfter).toBeLessThanOrEqual(800);
      await expect(actA.setWeight(50)).rejects.toMatchObject({ code: 'E_NOT_LEADER' });
      await expect(actA.rollback()).rejects.toMatchObject({ code: 'E_NOT_LEADER' });
      expect(b.isLeader()).toBe(false); // pod-a's lease has not expired yet: nobody acts
      await until(() => b.isLeader(), LEASE_MS + 3 * RETRY_MS);
      expect(a.isLeader()).toBe(false);
      const { state } = await readState<{ step: number }>(client, NS, 'maestro-api');
      expect(state).toEqual({ step: 1, by: 'pod-a' });
      await actB.setWeight(50);
      expect((await actB.state()).canaryWeight).toBe(50);
      // The partition heals: pod-a sees pod-b's lease and stays a standby.
      api.clearFaults();
      await new Promise((r) => setTimeout(r, 3 * RETRY_MS));
      expect(a.isLeader()).toBe(false);
      expect(a.currentHolder).toBe('pod-b');
      argo.close();
    },
  );
});
