import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { decodeStateText, STATE_ANNOTATION, updateState } from '../../src/actuators/argo/state-annotation.js';
import { RolloutClient } from '../../src/actuators/argo/rollout-client.js';
import { ClusterController, type ClusterControllerOptions } from '../../src/controller/cluster/cluster-controller.js';
import { EvidenceConfigMaps } from '../../src/controller/cluster/evidence-configmaps.js';
import { INTERVALS_KEY } from '../../src/controller/cluster/evidence-segments.js';
import { annotateManifests } from '../../src/supply-chain/manifest-annotations.js';
import type { ObservationSource } from '../../src/controller/ports.js';
import type { VariantObservation } from '../../src/schema/observation.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { FAST_ROLLOUT_POLICY, makeRollout } from '../support/rollout-fixture.js';
import { until as pollUntil } from '../support/poll.js';
import { silence } from './controller-helpers.js';

// `serve` building block: ClusterController against the in-test API server (client-node over HTTP) with the Argo
// simulator. Observations come from a scripted source here; the Prometheus source is tested against a real
// Prometheus in prometheus-source.test.ts.
const NS = 'shop';
const LEASE_MS = 1_000;

let api: KubeApiServer;
let argo: ArgoSimulator;
const controllers: ClusterController[] = [];
let canaryErrors = 0;

function obs(requests: number, errors: number): VariantObservation {
  return { requests, errors, latency: [requests - errors, errors, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
}
const scripted = (): ObservationSource[] => [
  { name: 'scripted', collect: () => Promise.resolve({ baseline: obs(1000, 1), canary: obs(100, canaryErrors) }) },
];

function replica(
  identity: string,
  warnings: string[] = [],
  extra: Partial<ClusterControllerOptions> = {},
): ClusterController {
  const c = new ClusterController({
    kubeConfig: api.kubeConfig(NS, `token-${identity}`),
    identity,
    leaseNamespace: 'adaptive-canary',
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: 700,
    retryPeriodMs: 100,
    sources: scripted,
    onWarning: (m) => warnings.push(m),
    ...extra,
  });
  controllers.push(c);
  return c;
}

type LeaseSpec = { holderIdentity?: string; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
const leaseSpec = (): LeaseSpec => api.leases.store.get('adaptive-canary', 'adaptive-canary-controller')?.spec ?? {};

const until = (cond: () => boolean, ms = 10_000): Promise<number> => pollUntil(cond, ms);

type Status = {
  abort?: boolean;
  phase?: string;
  stableRS?: string;
  canary?: { weights?: { canary?: { weight?: number } } };
};
const rollout = () => {
  const ro = api.getRollout(NS, 'maestro-api')!;
  return { ...ro, status: ro.status as Status | undefined };
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stored = (): any => JSON.parse(decodeStateText(rollout().metadata.annotations?.[STATE_ANNOTATION] ?? 'null'));
/** Annotates the Rollout with the fast policy and `extra` over it. */
const setPolicy = (extra: Record<string, unknown>): void => {
  api.patchRollout(NS, 'maestro-api', {
    metadata: { annotations: { 'adaptive-canary.dev/policy': JSON.stringify({ ...FAST_ROLLOUT_POLICY, ...extra }) } },
  });
};

beforeEach(async () => {
  canaryErrors = 0;
  api = await KubeApiServer.start({ tokens: ['token-pod-a', 'token-pod-b'] });
  argo = new ArgoSimulator(api);
  api.seedRollout(
    makeRollout({
      name: 'maestro-api',
      namespace: NS,
      annotations: { 'adaptive-canary.dev/policy': JSON.stringify(FAST_ROLLOUT_POLICY) },
    }),
  );
  argo.reconcile(NS, 'maestro-api');
  await until(() => rollout().status?.phase === 'Paused');
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  argo.close();
  await api.close();
});

describe('serve: ClusterController', () => {
  it('the leader drives a healthy Rollout through every step to promotion; the standby never acts', async () => {
    const [a, b] = [replica('pod-a'), replica('pod-b')];
    await a.start();
    await until(() => a.isLeader());
    await b.start();
    await until(() => rollout().status?.stableRS === 'c4n4ry');
    expect(rollout().status?.phase).toBe('Healthy');
    await until(() => stored()?.stored?.state?.phase === 'promoted');
    await until(() => a.hub.get(`${NS}/maestro-api`)?.decisions.some((d) => d.action === 'promote') === true);
    expect(b.isLeader()).toBe(false);
    expect(b.hub.list()).toEqual([]);
    const snap = a.hub.get(`${NS}/maestro-api`)!;
    expect(snap.phase).toBe('promoted');
    expect(snap.decisions.map((d) => d.action)).toEqual(expect.arrayContaining(['start', 'promote']));
  });

  it('a bad canary is rolled back with one abort patch; the rollback duration is recorded', async () => {
    canaryErrors = 40;
    const a = replica('pod-a');
    await a.start();
    await until(() => rollout().status?.abort === true && rollout().status?.canary?.weights?.canary?.weight === 0);
    expect(rollout().status?.canary).toMatchObject({ weights: { canary: { weight: 0 } } });
    await until(() => stored()?.stored?.state?.phase === 'rolled-back');
    const snap = a.hub.get(`${NS}/maestro-api`)!;
    expect(snap.rollbackDurationSeconds).not.toBeNull();
    expect(api.patches().filter((p) => JSON.stringify(p.body) === '{"status":{"abort":true}}')).toHaveLength(1);
  });

  it('a human abort (kubectl argo rollouts abort) is noticed and recorded', async () => {
    const a = replica('pod-a');
    await a.start();
    await until(() => (a.hub.get(`${NS}/maestro-api`)?.intervals.length ?? 0) >= 1); // started and analysing
    // The variant info the rendered rules join on: the pod template hashes are the version label values.
    expect(await a.metrics.registry.getSingleMetricAsString('adaptive_canary_variant_info')).toContain(
      'variant="canary",version="c4n4ry"',
    );
    api.patchRollout(NS, 'maestro-api', { status: { abort: true } }, 'status');
    await until(() => a.hub.get(`${NS}/maestro-api`)?.phase === 'rolled-back');
    const last = a.hub.get(`${NS}/maestro-api`)!.decisions.at(-1)!;
    expect(last).toMatchObject({ action: 'rollback', by: 'fault' });
    expect(last.reasons[0]?.message).toMatch(/aborted outside adaptive-canary/);
    await until(() => stored()?.stored?.state?.phase === 'rolled-back');
  });

  it("a person's full promotion mid-bake (promote --full) is recorded as promoted, not with a rollback", async () => {
    setPolicy({
      steps: [
        { weight: 10, bake: '1h' },
        { weight: 50, bake: '1h' },
      ],
    });
    const a = replica('pod-a');
    await a.start();
    await until(() => (a.hub.get(`${NS}/maestro-api`)?.intervals.length ?? 0) >= 1);
    api.patchRollout(NS, 'maestro-api', { status: { promoteFull: true } }, 'status');
    await until(() => a.hub.get(`${NS}/maestro-api`)?.phase === 'promoted');
    const last = a.hub.get(`${NS}/maestro-api`)!.decisions.at(-1)!;
    expect(last).toMatchObject({ action: 'promote', by: 'found' });
    expect(last.reasons[0]?.message).toMatch(/fully promoted outside adaptive-canary/);
    await until(() => stored()?.stored?.state?.phase === 'promoted');
    expect(rollout().status).toMatchObject({ stableRS: 'c4n4ry' });
    expect(rollout().status?.abort).toBeFalsy();
    expect(api.patches().filter((p) => p.path.endsWith('/status'))).toEqual([]); // no abort, no promotion of ours
  });

  it(
    'failover: the leader dies mid-rollout; the standby takes over within ' +
      'one lease period and resumes from the annotation',
    async () => {
      // Long second bake: the leader cannot promote (early promotion needs half a bake) before it dies.
      setPolicy({
        steps: [
          { weight: 10, bake: '300ms' },
          { weight: 25, bake: '3s' },
          { weight: 50, bake: '300ms' },
        ],
      });
      const [a, b] = [replica('pod-a'), replica('pod-b')];
      await a.start();
      await until(() => a.isLeader());
      await b.start();
      await until(() => rollout().status?.canary?.weights?.canary?.weight === 25);
      await until(() => (stored()?.stored?.decisions?.length ?? 0) >= 2);
      const decisionsBefore = stored().stored.decisions.length;
      await a.stop({ release: false }); // a crash: the lease is not released
      const held = leaseSpec();
      expect(held.holderIdentity).toBe('pod-a');
      await until(() => b.isLeader(), 30_000);
      // Timed from the Lease's own timestamps (written by the replicas when they renewed and acquired), not from this
      // test's polling: the standby waits out one lease period after the leader's last renewal, never less (it must
      // not steal a live lease), and takes over at a retry after that. The upper bound is one more lease period of
      // room for timers firing late on a loaded machine; a standby that waited for a second expiry would fail it.
      const taken = leaseSpec();
      expect(taken).toMatchObject({ holderIdentity: 'pod-b', leaseTransitions: (held.leaseTransitions ?? 0) + 1 });
      const gapMs = Date.parse(String(taken.acquireTime)) - Date.parse(String(held.renewTime));
      expect(gapMs).toBeGreaterThanOrEqual(LEASE_MS);
      expect(gapMs).toBeLessThan(2 * LEASE_MS);
      await until(() => rollout().status?.stableRS === 'c4n4ry');
      // The controller sets the phase before it appends the decision to its snapshot; wait for both.
      await until(() => b.hub.get(`${NS}/maestro-api`)?.decisions.some((d) => d.action === 'promote') === true);
      const snap = b.hub.get(`${NS}/maestro-api`)!;
      expect(snap.phase).toBe('promoted');
      expect(snap.decisions.length).toBeGreaterThan(decisionsBefore); // resumed: the earlier decisions are there too
      expect(snap.decisions.filter((d) => d.action === 'start')).toHaveLength(1);
    },
  );

  it.each([
    ['aborted', { abort: true }, 'rolled-back', 'rollback', 'CanaryRolledBack'],
    ['fully promoted', { promoteFull: true }, 'promoted', 'promote', 'CanaryPromoted'],
  ] as const)(
    'a leader that %s the Rollout and died before writing it down: the next leader records how it ended',
    async (_how, status, phase, action, eventReason) => {
      setPolicy({
        steps: [
          { weight: 10, bake: '1h' },
          { weight: 50, bake: '1h' },
        ],
      });
      const a = replica('pod-a');
      await a.start();
      await until(() => (stored()?.intervalsInEvidence ?? 0) >= 1);
      await a.stop({ release: false }); // a crash
      // Its last patch landed (rollback is actuated before the state write); the state write behind it never did.
      api.patchRollout(NS, 'maestro-api', { status }, 'status');
      await until(() =>
        phase === 'rolled-back'
          ? rollout().status?.canary?.weights?.canary?.weight === 0
          : rollout().status?.stableRS === 'c4n4ry',
      );
      expect(stored().stored.state.phase).toBe('progressing');
      const b = replica('pod-b');
      await b.start();
      await until(() => stored()?.stored?.state?.phase === phase, 30_000);
      const last = stored().stored.decisions.at(-1);
      expect(last.decision).toMatchObject({ action, by: 'found' });
      expect(last.decision.reasons[0].message).toMatch(
        new RegExp(`found already .* on resume \\(argo\\), while the stored state was progressing at 10%`),
      );
      // The rest of the record follows from the decision as for any other: the Event on the Rollout says why.
      await until(() =>
        api.events.store.list(NS).some((e) => e.reason === eventReason && /found already/.test(String(e.note))),
      );
      // The new leader moved no traffic (the test's own patch above went straight to the store, not over HTTP).
      const traffic = api
        .patches()
        .filter((p) => p.path.endsWith('/status') || Object.hasOwn(p.body as object, 'spec'));
      expect(traffic).toEqual([]);
    },
  );

  it('a long bake: the intervals go to the evidence ConfigMaps, the annotation stays small; 5,000 resume', async () => {
    setPolicy({
      steps: [
        { weight: 10, bake: '1h' },
        { weight: 50, bake: '1h' },
      ],
    });
    const a = replica('pod-a');
    await a.start();
    await until(() => (stored()?.intervalsInEvidence ?? 0) >= 5);
    await a.stop();
    expect(stored().stored.intervals).toEqual([]); // counted, not kept, in the annotation
    // 5,000 intervals, as a day-long bake at 15 s has them: the recorded ones over and over, written the way serve
    // writes them (segments of at most 256 KiB of lines), to an API server that enforces the 1 MiB ConfigMap limit.
    const evidence = await EvidenceConfigMaps.create(api.kubeConfig(NS, 'token-pod-a'), 'adaptive-canary');
    const [found] = await evidence.list();
    const recorded = found!.files[INTERVALS_KEY]!.split('\n').filter(Boolean);
    expect(recorded).toHaveLength(stored().intervalsInEvidence);
    const more = Array.from({ length: 5000 - recorded.length }, (_, i) => {
      const one = JSON.parse(recorded[i % recorded.length]!) as { seq: number };
      return `${JSON.stringify({ ...one, seq: recorded.length + i + 1 })}\n`;
    });
    const files = { ...found!.files, [INTERVALS_KEY]: found!.files[INTERVALS_KEY]! + more.join('') };
    const segments = await evidence.write(found!.owner, found!.segments, files);
    expect(segments.length).toBeGreaterThan(10);
    const client = await RolloutClient.create(api.kubeConfig(NS, 'token-pod-a'));
    await updateState<{ intervalsInEvidence: number }>(client, NS, 'maestro-api', (doc) => ({
      ...doc!,
      intervalsInEvidence: 5000,
    }));
    // The standby resumes every one of them from the ConfigMaps and keeps appending; the annotation does not grow.
    const b = replica('pod-b');
    await b.start();
    await until(() => (b.hub.get(`${NS}/maestro-api`)?.intervals.length ?? 0) > 5000, 30_000);
    await until(() => (stored()?.intervalsInEvidence ?? 0) > 5001, 30_000);
    const raw = rollout().metadata.annotations![STATE_ANNOTATION]!;
    expect(Buffer.byteLength(raw)).toBeLessThan(16 * 1024);
  });

  it('a state written before the intervals moved out (inline in the annotation) resumes, and moves them', async () => {
    const a = replica('pod-a');
    await a.start();
    await until(() => (stored()?.intervalsInEvidence ?? 0) >= 3);
    await a.stop();
    // The same state as an older serve wrote it: every interval inline, none in the ConfigMaps.
    const [cm] = api.configMaps.store.list('adaptive-canary');
    const data = (cm!.data ?? {}) as Record<string, string>;
    const inline = data[INTERVALS_KEY]!.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    const { [INTERVALS_KEY]: _moved, ...rest } = data;
    api.configMaps.store.put({ ...cm!, data: rest }, 'MODIFIED');
    const client = await RolloutClient.create(api.kubeConfig(NS, 'token-pod-a'));
    await updateState<Record<string, unknown>>(client, NS, 'maestro-api', (doc) => {
      const { intervalsInEvidence: _count, ...old } = doc as { stored: object; intervalsInEvidence: number };
      return { ...old, stored: { ...old.stored, intervals: inline } };
    });
    const b = replica('pod-b');
    await b.start();
    await until(() => (b.hub.get(`${NS}/maestro-api`)?.intervals.length ?? 0) > inline.length);
    await until(() => (stored()?.intervalsInEvidence ?? 0) > inline.length);
    expect(stored().stored.intervals).toEqual([]);
    const after = api.configMaps.store.list('adaptive-canary')[0]!.data as Record<string, string>;
    const moved = after[INTERVALS_KEY]!.split('\n').filter(Boolean);
    expect(moved.slice(0, inline.length).map((l) => JSON.parse(l) as unknown)).toEqual(inline);
  });

  it(
    'signature gate: a Rollout whose policy requires signatures is left ' +
      'alone until it verifies against --public-key',
    async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const warnings: string[] = [];
      const a = replica('pod-a', warnings, { signatures: { publicKey } });
      await a.start();
      await until(() =>
        warnings.some((w) =>
          /not started: the policy requires signatures and the Rollout does not verify: not signed/.test(w),
        ),
      );
      expect(a.hub.list()).toEqual([]);
      // `adaptive-canary sign --annotate` on the manifest, re-applied: the live object (with status) now verifies.
      const { status: _status, ...manifest } = rollout();
      const signed = parse(annotateManifests(stringify(manifest), privateKey)) as {
        metadata: { annotations: Record<string, string> };
      };
      api.patchRollout(NS, 'maestro-api', { metadata: { annotations: signed.metadata.annotations } });
      await until(() => a.hub.get(`${NS}/maestro-api`)?.decisions.some((d) => d.action === 'start') === true);
    },
  );

  it(
    'silence check: a muting silence (silenceCheck: hold) holds the start; ' + 'it starts once the silence is gone',
    async () => {
      let silences: unknown[] = [silence()];
      const am = http.createServer(
        (req, res) =>
          void res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(req.url === '/api/v2/silences' ? JSON.stringify(silences) : '{}'),
      );
      await new Promise<void>((r) => am.listen(0, '127.0.0.1', r));
      try {
        const alerting = {
          alertmanagerUrl: `http://127.0.0.1:${(am.address() as AddressInfo).port}`,
          silenceCheck: 'hold',
        };
        setPolicy({ alerting });
        const warnings: string[] = [];
        const a = replica('pod-a', warnings);
        await a.start();
        await until(() => warnings.some((w) => /not started: held by the silence check/.test(w)));
        expect(a.hub.list()).toEqual([]);
        silences = [];
        // retried after an interval
        await until(() => a.hub.get(`${NS}/maestro-api`)?.decisions.some((d) => d.action === 'start') === true);
      } finally {
        am.closeAllConnections();
        await new Promise<void>((r) => am.close(() => r()));
      }
    },
  );
});
