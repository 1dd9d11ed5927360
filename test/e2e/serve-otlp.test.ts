import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaestroApi, type MaestroApi } from '../../src/demo/maestro-api.js';
import { CANARY_HASH, STABLE_HASH, startTraffic } from '../support/scraped-pair.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { untilValue } from '../support/poll.js';
import {
  clusterIntervals,
  errorRatePolicy,
  seedAnnotatedRollout,
  startServeCli,
  type ServeCli,
} from '../support/serve-cli.js';

// The built CLI's `serve` against the in-test API server (no cluster runs here) and the Argo simulator, judging
// one Rollout from OTLP alone: two sample-service instances instrumented with the real OpenTelemetry SDK export to
// serve's /v1/metrics with their pod template hash as the resource attribute k8s.pod.label.rollouts-pod-template-hash
// (on a cluster the Downward API puts it there). No Prometheus runs.
const NS = 'shop';
const HASH_ATTR = 'k8s.pod.label.rollouts-pod-template-hash';
let api: KubeApiServer;
let argo: ArgoSimulator;
let stable: MaestroApi;
let canary: MaestroApi;
let proc: ChildProcess;
let url = '';
let serve: ServeCli;
let stopTraffic: (() => void) | undefined;

beforeAll(async () => {
  api = await KubeApiServer.start();
  argo = new ArgoSimulator(api);
  const policy = errorRatePolicy('2s', {
    inconclusive: { maxExtension: '2s', then: 'rollback' },
    metricSource: { type: 'otlp' },
  });
  seedAnnotatedRollout(api, argo, NS, policy);
  serve = await startServeCli(api, NS, { env: { POD_NAME: 'pod-otlp' } });
  proc = serve.proc;
  url = serve.url;
  const otel = (hash: string) => ({
    url: `${url}/v1/metrics`,
    intervalMs: 250,
    resource: { [HASH_ATTR]: hash },
  });
  stable = await startMaestroApi({ version: '1.4.0', otel: otel(STABLE_HASH) });
  canary = await startMaestroApi({ version: '1.5.0', otel: otel(CANARY_HASH) });
  stopTraffic = startTraffic(stable, canary, { path: '/version' });
});

afterAll(async () => {
  stopTraffic?.();
  if (proc?.exitCode === null) proc.kill('SIGKILL');
  argo?.close();
  await api?.close();
  await stable?.close();
  await canary?.close();
});

const until = <T>(get: () => Promise<T | undefined>, ms = 60_000): Promise<T> =>
  untilValue('condition', get, { timeoutMs: ms, detail: () => `serve stderr:\n${serve.stderr()}` });

describe('adaptive-canary serve judging from OTLP (built CLI)', () => {
  it('promotes the Rollout on observations the OpenTelemetry SDK pushed, split by pod template hash', async () => {
    const snapshot = await until(async () => {
      const res = (await (await fetch(`${url}/api/v1/analysis/${NS}/maestro-api`)).json()) as {
        data?: { phase: string };
      };
      return res.data?.phase === 'promoted' ? res.data : undefined;
    });
    expect(snapshot.phase).toBe('promoted');
    // The simulated Argo controller then makes the canary the stable ReplicaSet.
    await until(() =>
      Promise.resolve(api.getRollout(NS, 'maestro-api')?.status?.stableRS === 'c4n4ry' ? true : undefined),
    );
    const intervals = clusterIntervals(api);
    // Stable got three requests for each one of the canary's; both came only from OTLP (no Prometheus here).
    expect(intervals.some((i) => (i.observation.canary?.requests ?? 0) > 0)).toBe(true);
    expect(intervals.some((i) => i.observation.baseline)).toBe(true);
    expect(serve.stderr()).not.toMatch(/no Prometheus/);
  });
});
