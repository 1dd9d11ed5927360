import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { INTERVALS_KEY, joinSegments } from '../../src/controller/cluster/evidence-segments.js';
import type { ArgoSimulator } from './argo-simulator.js';
import { ADAPTIVE_CANARY_BIN } from './built-cli.js';
import type { KubeApiServer } from './kube-apiserver.js';
import { makeRollout } from './rollout-fixture.js';

/**
 * The policy the serve tests annotate their Rollout with: the threshold judge on the error rate (5%, critical),
 * 1 s intervals, steps 10% and 50% baked `bake` each; `extra` adds or overrides fields (the metric source, webhooks).
 */
export function errorRatePolicy(bake: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    service: 'maestro-api',
    interval: '1s',
    judge: 'threshold',
    steps: [
      { weight: 10, bake },
      { weight: 50, bake },
    ],
    metrics: [{ name: 'error-rate', kind: 'errors', critical: true, threshold: { max: 0.05 } }],
    ...extra,
  };
}

/** Seeds `maestro-api` in NS with a policy annotation and steps 10/50, and lets the Argo simulator reconcile it. */
export function seedAnnotatedRollout(api: KubeApiServer, argo: ArgoSimulator, ns: string, policy: object): void {
  api.seedRollout(
    makeRollout({
      name: 'maestro-api',
      namespace: ns,
      weights: [10, 50],
      annotations: { 'adaptive-canary.dev/policy': JSON.stringify(policy) },
    }),
  );
  argo.reconcile(ns, 'maestro-api');
}

export interface ServeCli {
  proc: ChildProcess;
  /** The controller's base URL, from its "serving URL" line. */
  url: string;
  /** A fresh folder holding the kubeconfig; tests may use it as the user's working folder. */
  home: string;
  kubeconfig: string;
  stderr(): string;
}

/**
 * The built CLI's `serve` against the in-test API server through a kubeconfig file, as a user runs it; resolves
 * once it prints the line with its URL.
 */
export async function startServeCli(
  api: KubeApiServer,
  ns: string,
  opts: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeCli> {
  const home = mkdtempSync(join(tmpdir(), 'ac-serve-'));
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeConfig(ns).exportConfig());
  const args = ['serve', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--lease-namespace', 'adaptive-canary'];
  const proc = spawn(process.execPath, [ADAPTIVE_CANARY_BIN, ...args, '--allow-unsigned', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`serve exited ${code} before serving:\n${stderr}`)));
  });
  const url = /serving (\S+)/.exec(line)?.[1]?.replace(/\/$/, '') ?? '';
  return { proc, url, home, kubeconfig, stderr: () => stderr };
}

/**
 * The analysis intervals serve stored, as the cluster holds them: intervals.jsonl over the evidence ConfigMaps
 * (the state annotation only counts them).
 */
export function clusterIntervals(api: KubeApiServer, namespace = 'adaptive-canary'): { observation: Observed }[] {
  const segments = api.configMaps.store.list(namespace).map((cm) => ({
    index: Number(cm.metadata.labels?.['adaptive-canary.dev/segment']),
    data: (cm.data ?? {}) as Record<string, string>,
  }));
  const text = joinSegments(segments)[INTERVALS_KEY] ?? '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { observation: Observed });
}
type Observed = { canary?: { requests?: number } | null; baseline?: object | null };
