import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ANNOTATION } from '../../src/actuators/argo/state-annotation.js';
import { ClusterController, type ClusterControllerOptions } from '../../src/controller/cluster/cluster-controller.js';
import { pullEvidence } from '../../src/controller/cluster/evidence-pull.js';
import type { ObservationSource } from '../../src/controller/ports.js';
import { readRollout } from '../../src/evidence/index.js';
import type { VariantObservation } from '../../src/schema/observation.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { until as pollUntil } from '../support/poll.js';
import { makeRollout } from '../support/rollout-fixture.js';
import { sdkHarness } from '../support/otel-sdk.js';
import { POD_TEMPLATE_HASH_ATTR } from '../../src/metric-names.js';
import { decodeMetricsRequest } from '../../src/sources/otlp/decode-request.js';
import { clusterOtlpSources } from '../../src/sources/otlp/from-policy.js';
import { OtlpReceiver } from '../../src/sources/otlp/receiver.js';

// `serve` with a baseline (rollout.baseline: an Experiment step per policy step) against the in-test Kubernetes
// API server (client-node over HTTP; Rollouts and Experiments validated against the upstream CRDs) and the Argo
// simulator, which creates each step's Experiment and reports its baseline ReplicaSet's pod-template-hash like
// Argo's experiment controller. No real cluster: the scripted source below plays Prometheus, answering for the
// `control` label value it is told to select. The canary is the stable code, cold: 5% errors for its whole
// (short) life; the baseline pods, as fresh, show the same; the warm stable shows 0.1%.
const NS = 'shop';
const policy = {
  service: 'maestro-api',
  interval: '150ms',
  // The baseline's pods start after the canary's; until the Experiment reports them the canary is compared
  // with stable, so the warm-up covers that start (docs/kubernetes.md, "Baseline").
  warmup: '300ms',
  steps: [
    { weight: 10, bake: '600ms' },
    { weight: 50, bake: '600ms' },
  ],
  metrics: [{ name: 'error-rate', kind: 'errors', critical: true }],
  inconclusive: { maxExtension: '300ms', then: 'promote' },
};

const obs = (requests: number, errors: number): VariantObservation => ({
  requests,
  errors,
  latency: [requests - errors, errors, 0, 0, 0, 0, 0, 0, 0, 0, 0],
});

let api: KubeApiServer;
let argo: ArgoSimulator;
const controllers: ClusterController[] = [];
/** Every control label value the controller told the source to select, in order. */
let controls: (string | undefined)[] = [];
/** The canary's errors per 200 requests: a cold start (10), or none. */
let canaryErrors = 10;

function scripted(): ObservationSource[] {
  let control: string | undefined;
  return [
    {
      name: 'scripted',
      setControl: (value) => {
        if (value !== control) controls.push(value);
        control = value;
      },
      collect: () =>
        Promise.resolve({
          baseline: obs(2000, 2),
          canary: obs(200, canaryErrors),
          // Only pods that exist have series: the hash of a baseline the simulator really started.
          ...(control?.startsWith('base') ? { control: obs(200, canaryErrors) } : {}),
        }),
    },
  ];
}

async function drive(
  baseline: boolean,
  o: { sources?: ClusterControllerOptions['sources']; policy?: object } = {},
): Promise<{ controller: ClusterController; warnings: string[] }> {
  api.seedRollout(
    makeRollout({
      name: 'maestro-api',
      namespace: NS,
      baseline,
      weights: [10, 50],
      annotations: { 'adaptive-canary.dev/policy': JSON.stringify(o.policy ?? policy) },
    }),
  );
  argo.reconcile(NS, 'maestro-api');
  const warnings: string[] = [];
  const controller = new ClusterController({
    kubeConfig: api.kubeConfig(NS),
    identity: 'pod-a',
    leaseNamespace: 'adaptive-canary',
    leaseDurationMs: 1_000,
    renewDeadlineMs: 700,
    retryPeriodMs: 100,
    sources: o.sources ?? scripted,
    evidenceDir: mkdtempSync(join(tmpdir(), 'ac-baseline-')),
    onWarning: (m) => warnings.push(m),
  });
  controllers.push(controller);
  await controller.start();
  return { controller, warnings };
}

type Stored = { stored?: { state?: { phase?: string } } } | null;
const stored = (): Stored =>
  JSON.parse(api.getRollout(NS, 'maestro-api')?.metadata.annotations?.[STATE_ANNOTATION] ?? 'null') as Stored;
const phase = (): string | undefined => stored()?.stored?.state?.phase;
const until = (cond: () => boolean, ms = 15_000): Promise<number> => pollUntil(cond, ms);

beforeEach(async () => {
  controls = [];
  canaryErrors = 10;
  api = await KubeApiServer.start();
  argo = new ArgoSimulator(api);
});
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.stop();
  argo.close();
  await api.close();
});

describe('serve with a baseline Experiment (in-test API server)', () => {
  it('without a baseline, the cold canary is rolled back against the warm stable', async () => {
    await drive(false);
    await until(() => phase() === 'rolled-back' || phase() === 'promoted');
    expect(phase()).toBe('rolled-back');
    const rollback = controllers[0]!.hub.list()[0]!.decisions.at(-1)!;
    expect(rollback.by).not.toBe('fault'); // the judge's call, not a failed step
    expect(JSON.stringify(rollback.reasons)).toMatch(/canary compared with the stable version serving now/);
    expect(controls.filter((c) => c !== undefined)).toEqual([]);
    expect(api.experiments.store.list(NS)).toEqual([]);
  });

  it(
    "compares the canary with each step's baseline pods (their hash from the Experiment) and promotes; the " +
      'evidence says which baseline and hash',
    async () => {
      await drive(true);
      await until(() => phase() === 'rolled-back' || phase() === 'promoted');
      expect(phase(), JSON.stringify(controllers[0]!.hub.list()[0]?.decisions.at(-1), null, 1)).toBe('promoted');
      // One Experiment per step, named as Argo names them, each terminated when the Rollout moved on.
      const experiments = api.experiments.store.list(NS).map((e) => e.metadata.name);
      expect(experiments.sort()).toEqual(['maestro-api-c4n4ry--1', 'maestro-api-c4n4ry--3']);
      // The source was pointed at the first step's baseline pods, then at the second's.
      const [first, second] = [ArgoSimulator.templateHash('baseline', 1), ArgoSimulator.templateHash('baseline', 3)];
      expect(controls.filter((c) => c !== undefined)).toEqual([first, second]);
      // The evidence (pulled from its ConfigMaps) records each baseline, and the decisions say what they compared.
      await until(() =>
        api.configMaps.store
          .list('adaptive-canary')
          .some((cm) => /finish/.test(String((cm.data as Record<string, string>)?.['decisions.jsonl']))),
      );
      const root = join(mkdtempSync(join(tmpdir(), 'ac-pull-')), '.evidence');
      const [pulled] = await pullEvidence({
        kubeConfig: api.kubeConfig(NS),
        evidenceNamespace: 'adaptive-canary',
        root,
      });
      const records = readRollout(pulled!.dir).records;
      const notes = records.filter((r) => r.kind === 'note' && r.topic === 'baseline');
      expect(notes.map((n) => (n.kind === 'note' ? n.details?.podTemplateHash : null))).toEqual([first, second]);
      expect(notes[0]).toMatchObject({ details: { experiment: 'maestro-api-c4n4ry--1', template: 'baseline' } });
      const promote = records.findLast((r) => r.kind === 'decision' && r.action === 'promote');
      expect(JSON.stringify(promote)).toMatch(/canary compared with the baseline \(fresh stable/);
    },
  );

  it('judged from OTLP: the baseline pods export with their own pod-template-hash, selected as control', async () => {
    // The real SDK's delta exports, one MeterProvider per ReplicaSet, with the hash on the resource as the
    // Downward API puts it there; both steps' baselines are as cold as the canary (5% errors), stable is warm.
    const receiver = new OtlpReceiver();
    const pods = (hash: string) =>
      sdkHarness({ resource: { 'service.name': 'maestro-api', [POD_TEMPLATE_HASH_ATTR]: hash }, temporality: 'delta' });
    const stable = pods('st4b1e');
    const cold = ['c4n4ry', ArgoSimulator.templateHash('baseline', 1), ArgoSimulator.templateHash('baseline', 3)].map(
      pods,
    );
    let tick = 0;
    const exporting = setInterval(() => {
      tick++;
      for (let i = 0; i < 200; i++)
        stable.histogram.record(0.003, { 'http.response.status_code': i === 0 && tick % 5 === 0 ? 500 : 200 });
      for (const h of cold)
        for (let i = 0; i < 20; i++) h.histogram.record(0.003, { 'http.response.status_code': i === 0 ? 500 : 200 });
      for (const h of [stable, ...cold])
        void h.collect().then((b) => receiver.ingest(decodeMetricsRequest(b.protobuf, 'protobuf')));
    }, 50);
    try {
      await drive(true, {
        sources: clusterOtlpSources(receiver),
        policy: { ...policy, metricSource: { type: 'otlp' } },
      });
      await until(() => phase() === 'rolled-back' || phase() === 'promoted');
      const last = controllers[0]!.hub.list()[0]!.decisions.at(-1)!;
      expect(phase(), JSON.stringify(last, null, 1)).toBe('promoted');
      expect(JSON.stringify(last.reasons)).toMatch(/canary compared with the baseline \(fresh stable/);
    } finally {
      clearInterval(exporting);
      await Promise.all([stable, ...cold].map((h) => h.shutdown()));
    }
  });

  it('a baseline whose Experiment has not reported its ReplicaSet yet is looked up again every interval', async () => {
    canaryErrors = 0; // healthy, so comparing with stable meanwhile cannot end the rollout before the release
    argo.experimentDelayMs = null; // the baseline's pods are not up until released
    await drive(true);
    const gets = (): number =>
      api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/experiments/maestro-api-c4n4ry--1')).length;
    await until(() => gets() >= 2);
    expect(controls.filter((c) => c !== undefined)).toEqual([]);
    argo.releaseExperiments();
    await until(() => controls.some((c) => c !== undefined));
    expect(controls.filter((c) => c !== undefined)[0]).toBe(ArgoSimulator.templateHash('baseline', 1));
    await until(() => phase() === 'rolled-back' || phase() === 'promoted');
    expect(phase()).toBe('promoted');
  });
});
