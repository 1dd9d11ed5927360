import type { KubeObject } from './kube-store.js';

/**
 * The policy (as a Rollout's `adaptive-canary.dev/policy` annotation holds it) the in-test cluster tests drive:
 * threshold-judged errors, 150 ms intervals and three 300 ms bakes, so a whole rollout takes about a second.
 */
export const FAST_ROLLOUT_POLICY = {
  service: 'maestro-api',
  interval: '150ms',
  judge: 'threshold',
  steps: [
    { weight: 10, bake: '300ms' },
    { weight: 25, bake: '300ms' },
    { weight: 50, bake: '300ms' },
  ],
  metrics: [{ name: 'error-rate', kind: 'errors', critical: true, threshold: { max: 0.05 } }],
  inconclusive: { maxExtension: '300ms', then: 'promote' },
};

/**
 * A canary Rollout as `render rollout` would produce: setWeight/pause{} per step, mid-update at step 0. With
 * `baseline`, each pause is an Experiment step running a `baseline` template of the stable spec (rollout.baseline).
 */
export function makeRollout(opts: {
  name: string;
  namespace?: string;
  weights?: number[];
  stableHash?: string;
  canaryHash?: string;
  annotations?: Record<string, string>;
  baseline?: boolean;
}): KubeObject {
  const weights = opts.weights ?? [10, 25, 50];
  const labels = { app: opts.name };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: opts.name, namespace: opts.namespace ?? 'default', annotations: { ...opts.annotations }, labels },
    spec: {
      replicas: 4,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'maestro-api:2' }] } },
      strategy: {
        canary: {
          canaryService: `${opts.name}-canary`,
          stableService: `${opts.name}-stable`,
          steps: weights.flatMap((w) => [
            { setWeight: w },
            opts.baseline
              ? { experiment: { templates: [{ name: 'baseline', specRef: 'stable', replicas: Math.ceil(w / 25) }] } }
              : { pause: {} },
          ]),
        },
      },
    },
    status: {
      phase: 'Progressing',
      currentPodHash: opts.canaryHash ?? 'c4n4ry',
      stableRS: opts.stableHash ?? 'st4b1e',
      currentStepIndex: 0,
      canary: {
        weights: {
          canary: { weight: 0, podTemplateHash: opts.canaryHash ?? 'c4n4ry' },
          stable: { weight: 100, podTemplateHash: opts.stableHash ?? 'st4b1e' },
        },
      },
    },
  };
}
