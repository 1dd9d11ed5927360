import type { KubeApiServer } from './kube-apiserver.js';
import type { KubeObject } from './kube-store.js';

type Step = { setWeight?: number; pause?: { duration?: string | number } };
type Status = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Plays the Argo Rollouts controller for canary Rollouts with `setWeight`/`pause: {}` steps, enough to answer
 * the patches `kubectl argo rollouts` sends: abort → canary weight 0 and Degraded; promote (pause condition
 * cleared or step index advanced) → next steps; promoteFull or last step → stable = canary, Healthy. It writes
 * through the status subresource after `delayMs`, like a controller reconciling asynchronously.
 */
export class ArgoSimulator {
  private readonly stop: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  reconciles = 0;

  constructor(
    private readonly server: KubeApiServer,
    private readonly delayMs = 5,
  ) {
    this.stop = server.rollouts.store.subscribe((e) => {
      if (e.type !== 'DELETED') this.schedule(e.object.metadata.namespace, e.object.metadata.name);
    });
  }

  close(): void {
    this.stop();
    for (const t of this.timers) clearTimeout(t);
  }

  /** Start an update: a new pod template hash becomes the canary at step 0. */
  startUpdate(namespace: string, name: string, newHash: string): void {
    this.server.patchRollout(
      namespace,
      name,
      {
        status: {
          currentPodHash: newHash,
          currentStepIndex: 0,
          abort: null,
          abortedAt: null,
          pauseConditions: null,
          controllerPause: null,
          phase: 'Progressing',
          message: null,
        },
      },
      'status',
    );
  }

  private schedule(namespace: string, name: string): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.reconcile(namespace, name);
    }, this.delayMs);
    this.timers.add(t);
  }

  reconcile(namespace: string, name: string): void {
    const ro = this.server.getRollout(namespace, name);
    if (!ro?.status) return;
    const next = nextStatus(ro);
    if (JSON.stringify(next) === JSON.stringify(ro.status)) return;
    this.reconciles++;
    const nulls = Object.fromEntries(
      Object.keys(ro.status)
        .filter((k) => !(k in next))
        .map((k) => [k, null]),
    );
    this.server.patchRollout(namespace, name, { status: { ...nulls, ...next } }, 'status');
  }
}

function weights(status: Status, canaryWeight: number): Status {
  return {
    canary: { weight: canaryWeight, podTemplateHash: status.currentPodHash },
    stable: { weight: 100 - canaryWeight, podTemplateHash: status.stableRS },
  };
}

function nextStatus(ro: KubeObject): Status {
  const s: Status = structuredClone(ro.status ?? {});
  const steps = ((ro.spec?.strategy as Status | undefined)?.canary?.steps ?? []) as Step[];
  if (s.currentPodHash === s.stableRS) return { ...s, phase: s.phase === 'Degraded' ? 'Degraded' : 'Healthy' };
  if (s.abort) {
    s.canary = { ...s.canary, weights: weights(s, 0) };
    s.phase = 'Degraded';
    s.message = 'RolloutAborted: Rollout aborted update to revision 2';
    s.abortedAt ??= new Date().toISOString();
    return s;
  }
  if (s.promoteFull) s.currentStepIndex = steps.length;
  if (ro.spec?.paused) return { ...s, phase: 'Paused' };
  let i: number = s.currentStepIndex ?? 0;
  let weight: number = s.canary?.weights?.canary?.weight ?? 0;
  for (; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.setWeight !== undefined) weight = step.setWeight;
    else if (step.pause) {
      // A pause condition removed by `promote` while controllerPause is still set completes the pause step.
      if (s.controllerPause && !s.pauseConditions?.length) {
        delete s.controllerPause;
        continue;
      }
      s.pauseConditions ??= [{ reason: 'CanaryPauseStep', startTime: new Date().toISOString() }];
      s.controllerPause = true;
      break;
    }
  }
  s.currentStepIndex = i;
  if (i >= steps.length) {
    // Fully promoted: the canary ReplicaSet becomes stable.
    delete s.promoteFull;
    delete s.pauseConditions;
    delete s.controllerPause;
    s.stableRS = s.currentPodHash;
    s.canary = { ...s.canary, weights: weights(s, 0) };
    s.phase = 'Healthy';
    return s;
  }
  s.canary = { ...s.canary, weights: weights(s, weight) };
  s.phase = s.pauseConditions?.length ? 'Paused' : 'Progressing';
  return s;
}
