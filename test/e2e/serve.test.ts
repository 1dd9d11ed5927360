import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { untilValue } from '../support/poll.js';
import { startScrapedPair, type ScrapedPair } from '../support/scraped-pair.js';
import {
  clusterIntervals,
  errorRatePolicy,
  seedAnnotatedRollout,
  startServeCli,
  type ServeCli,
} from '../support/serve-cli.js';

// The built CLI's `serve` against the in-test API server (a kubeconfig file, client-node), the Argo simulator,
// and a real Prometheus scraping two sample-service instances labelled with their pod template hashes.
const NS = 'shop';
let api: KubeApiServer;
let argo: ArgoSimulator;
let pair: ScrapedPair;
let proc: ChildProcess;
let url = '';
let serve: ServeCli;

beforeAll(async () => {
  pair = await startScrapedPair({ path: '/version' });
  api = await KubeApiServer.start();
  argo = new ArgoSimulator(api);
  const policy = errorRatePolicy('2s', {
    inconclusive: { maxExtension: '2s', then: 'promote' },
    prometheus: { url: pair.prom.url, timeout: '2s' },
  });
  seedAnnotatedRollout(api, argo, NS, policy);
  // As deploy/ runs it without the optional evidence-key Secret: the env var names a file that is not there.
  serve = await startServeCli(api, NS, {
    args: ['--identity', 'pod-x'],
    env: { ADAPTIVE_CANARY_EVIDENCE_KEY: '/nonexistent/adaptive-canary-evidence/cosign.key' },
  });
  proc = serve.proc;
  url = serve.url;
});

afterAll(async () => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  argo?.close();
  await api?.close();
  await pair?.stop();
});

const until = <T>(get: () => Promise<T | undefined>, ms = 60_000): Promise<T> =>
  untilValue('condition', get, { timeoutMs: ms, detail: () => `serve stderr:\n${serve.stderr()}` });

describe('adaptive-canary serve (built CLI)', () => {
  it(
    'takes the Lease, drives the Rollout with Prometheus observations, ' +
      'answers the analysis endpoint, and releases the Lease on SIGTERM',
    async () => {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(
        await until(
          () =>
            Promise.resolve(
              api.leases.store.get('adaptive-canary', 'adaptive-canary-controller')?.spec?.holderIdentity,
            ),
          10_000,
        ),
      ).toBe('pod-x');
      const analysis = await until(async () => {
        const res = await fetch(`${url}/api/v1/analysis/${NS}/maestro-api`);
        return res.ok ? ((await res.json()) as { data: { verdict: string; score: number } }) : undefined;
      });
      expect(['pass', 'inconclusive']).toContain(analysis.data.verdict);
      // Real traffic through a real Prometheus: the rollout is promoted through its steps.
      await until(() =>
        Promise.resolve(api.getRollout(NS, 'maestro-api')?.status?.stableRS === 'c4n4ry' ? true : undefined),
      );
      const snapshot = await until(async () => {
        const res = (await (await fetch(`${url}/api/v1/analysis/${NS}/maestro-api`)).json()) as {
          data: { phase: string };
        };
        return res.data.phase === 'promoted' ? res.data : undefined;
      });
      expect(snapshot.phase).toBe('promoted');
      // The policy requires signatures (the default); this Rollout is unsigned and serve has no --public-key.
      expect(serve.stderr()).toMatch(/--allow-unsigned: driving the Rollout although there is no public key/);
      expect(serve.stderr()).toContain(
        'warning: no evidence key at /nonexistent/adaptive-canary-evidence/cosign.key ' +
          '($ADAPTIVE_CANARY_EVIDENCE_KEY; in deploy/, the optional Secret adaptive-canary-evidence-key): ' +
          'evidence heads are written unsigned',
      );
      expect(clusterIntervals(api).some((i) => (i.observation.canary?.requests ?? 0) > 0)).toBe(true);
      const metrics = await until(async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /adaptive_canary_decisions_total\{[^}]*decision="promote"[^}]*\} 1/.test(text) ? text : undefined;
      }, 10_000);
      expect(metrics).toMatch(/adaptive_canary_intervals_total\{/);
      const exited = new Promise<number | null>((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(
        api.leases.store.get('adaptive-canary', 'adaptive-canary-controller')?.spec?.holderIdentity,
      ).toBeUndefined();
    },
  );
});
