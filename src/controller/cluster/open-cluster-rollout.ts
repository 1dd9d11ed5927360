import type { KubeConfig } from '@kubernetes/client-node';
import type { HeadSigner } from '../../evidence/head-signature.js';
import { ArgoActuator } from '../../actuators/argo/argo-actuator.js';
import type { RequestCounter } from '../../actuators/argo/rollout-client.js';
import type { RolloutEvent } from '../../actuators/argo/rollout-watcher.js';
import { createAnalysis } from '../../engine/analysis.js';
import type { PolicySpec } from '../../schema/policy.js';
import { resolveWebhookEnvOrThrow } from '../load-policy.js';
import type { ControllerMetrics } from '../metrics.js';
import { ObservabilityHooks } from '../observability-hooks.js';
import { fanOut, type Notifier, type ObservationSource } from '../ports.js';
import { RolloutController } from '../rollout-controller.js';
import { StateStore } from '../state-store.js';
import { WebhookNotifier } from '../webhook-notifier.js';
import { seedStore, type DecodedState } from './annotation-state.js';
import { ClusterEvidence, clusterRolloutId } from './cluster-evidence.js';
import type { EvidenceConfigMaps } from './evidence-configmaps.js';
import { RolloutEventRecorder } from './rollout-events.js';

export interface ClusterRolloutInput {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  uid: string | undefined;
  policy: PolicySpec;
  variant: { baseline: string; canary: string };
  /** The state annotation's stored rollout, when a replica already ran this canary. */
  stored: DecodedState | null;
  sources: ObservationSource[];
  evidenceStore: EvidenceConfigMaps;
  evidenceDir: string;
  identity: string;
  metrics: ControllerMetrics;
  env: NodeJS.ProcessEnv;
  fence: () => boolean;
  watch: (listener: (e: RolloutEvent) => void) => () => void;
  warn: (message: string) => void;
  onNotified: () => void;
  clock?: (() => number) | undefined;
  counter?: RequestCounter | undefined;
  webhookTimeoutMs?: number | undefined;
  signHead?: HeadSigner | undefined;
}

/** Everything one driven Rollout holds open; `close()` stops it without touching traffic. */
export interface ClusterRollout {
  controller: RolloutController;
  store: StateStore;
  evidence: ClusterEvidence;
  hooks: ObservabilityHooks | undefined;
  notifier: Notifier;
  close(): void;
}

/**
 * Wires one Rollout on a cluster the way open-local-rollout.ts wires one on a laptop: state (seeded from the
 * annotation), the Argo actuator, the evidence (ConfigMaps, continued from where the last leader left it),
 * signed webhooks (secrets from the controller's environment), the observability hooks, Events on the Rollout,
 * and the controller. The evidence and webhooks carry the canary revision's own id (clusterRolloutId).
 */
export async function openClusterRollout(i: ClusterRolloutInput): Promise<ClusterRollout> {
  const key = `${i.namespace}/${i.name}`;
  const rolloutId = clusterRolloutId(i.namespace, i.name, i.variant.canary);
  const warn = (m: string): void => i.warn(`${key}: ${m}`);
  // Resolved secrets only reach the senders: the policy stored in the state annotation keeps ${env:…} as written.
  const { spec: withSecrets, secrets } = resolveWebhookEnvOrThrow(i.policy, i.env, key);
  const closers: (() => void)[] = [];
  try {
    const store = await StateStore.open(':memory:');
    closers.push(() => store.close());
    const actuator = await ArgoActuator.create({
      kubeConfig: i.kubeConfig,
      namespace: i.namespace,
      rollout: i.name,
      fence: i.fence,
      now: i.clock,
      watch: i.watch,
      counter: i.counter,
    });
    closers.push(() => actuator.close());
    const evidence = await ClusterEvidence.open({
      store: i.evidenceStore,
      owner: { rolloutId, service: i.policy.service, namespace: i.namespace, name: i.name },
      policy: i.policy,
      workDir: i.evidenceDir,
      secrets,
      versions: { stable: i.variant.baseline, canary: i.variant.canary },
      fence: i.fence,
      signHead: i.signHead,
    });
    closers.push(() => evidence.close());
    if (i.stored) {
      const { stored, intervalsInEvidence } = i.stored;
      const intervals = [...stored.intervals, ...evidence.intervals(intervalsInEvidence)];
      seedStore(store, { ...stored, intervals }, (i.clock ?? Date.now)());
    }
    const webhooks = WebhookNotifier.create(withSecrets, {
      evidence: evidence.sink,
      timeoutMs: i.webhookTimeoutMs,
      onError: (err) => warn(`webhook: ${(err as Error).message}`),
    });
    const hooks = ObservabilityHooks.create({
      policy: i.policy,
      rolloutId,
      env: i.env,
      evidence: evidence.sink,
      onWarning: warn,
      now: i.clock,
    });
    const events = await RolloutEventRecorder.create(
      i.kubeConfig,
      { namespace: i.namespace, name: i.name, uid: i.uid },
      { instance: i.identity, onWarning: warn, now: i.clock },
    );
    const notifier = fanOut([evidence.sendAfterUpload(webhooks, warn), hooks, events]);
    const controller = await RolloutController.open({
      id: key,
      publicId: rolloutId,
      policy: i.policy,
      actuator,
      sources: i.sources,
      createAnalysis: (p) => createAnalysis(p),
      store,
      metrics: i.metrics,
      clock: i.clock,
      onWarning: warn,
      evidence: evidence.sink,
      notifier,
      onNotified: i.onNotified,
      versions: { stable: i.variant.baseline, canary: i.variant.canary },
    });
    return { controller, store, evidence, hooks, notifier, close: () => closers.reverse().forEach((c) => c()) };
  } catch (err) {
    closers.reverse().forEach((c) => c());
    throw err;
  }
}
