import type { KubeApiServer } from './kube-apiserver.js';
import type { KubeObject } from './kube-store.js';

type Step = {
  setWeight?: number;
  pause?: { duration?: string | number };
  experiment?: { duration?: string; templates: { name: string; specRef: string; replicas?: number }[] };
};
type Status = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Plays the Argo Rollouts controller for canary Rollouts with `setWeight`/`pause: {}` steps, enough to answer
 * the patches `kubectl argo rollouts` sends: abort → canary weight 0 and Degraded; promote (pause condition
 * cleared or step index advanced) → next steps; promoteFull or last step → stable = canary, Healthy. It writes
 * through the status subresource after `delayMs`, like a controller reconciling asynchronously.
 *
 * An `experiment` step blocks like Argo's (rollout/experiment.go): it creates the Experiment Argo would (name
 * `<rollout>-<pod hash>-<revision>-<step index>`, the Rollout's labels plus `rollouts-pod-template-hash`, owned by
 * the Rollout), names it in `status.canary.currentExperiment`, and `experimentDelayMs` later reports each
 * template's ReplicaSet in `status.templateStatuses` with a pod-template-hash of its own (`templateHash`), as the
 * experiment controller does once the ReplicaSet exists. Moving past the step, an abort or a full promotion
 * terminates it. Durations are not timed here (nor are pauses): the step ends when it is promoted.
 */
export class ArgoSimulator {
  private readonly stop: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  reconciles = 0;

  /** How long after its creation an Experiment reports its ReplicaSets (their hashes); null: until released. */
  experimentDelayMs: number | null = 50;
  private readonly held: (() => void)[] = [];

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
    this.syncExperiments(ro, next);
    if (JSON.stringify(next) === JSON.stringify(ro.status)) return;
    this.reconciles++;
    const nulls = Object.fromEntries(
      Object.keys(ro.status)
        .filter((k) => !(k in next))
        .map((k) => [k, null]),
    );
    // A merge patch keeps nested keys it does not mention: the finished step's experiment is removed explicitly.
    const ended = (ro.status as Status).canary?.currentExperiment && !next.canary?.currentExperiment;
    const canary = ended ? { canary: { ...next.canary, currentExperiment: null } } : {};
    this.server.patchRollout(namespace, name, { status: { ...nulls, ...next, ...canary } }, 'status');
  }

  /** The pod-template-hash the simulated experiment controller gives a template's pods. */
  static templateHash(template: string, stepIndex: number): string {
    return `${template.slice(0, 4)}${stepIndex}x7`;
  }

  /** Creates the current step's Experiment if missing; terminates the Rollout's others. */
  private syncExperiments(ro: KubeObject, next: Status): void {
    const ns = ro.metadata.namespace;
    const current: string | undefined = next.canary?.currentExperiment;
    const owned = this.server.experiments.store
      .list(ns)
      .filter((ex) => ex.metadata.annotations?.['simulator/rollout'] === ro.metadata.name);
    for (const ex of owned) {
      if (ex.metadata.name === current || ex.spec?.terminate) continue;
      const statuses = ((ex.status?.templateStatuses ?? []) as Status[]).map((t) => ({
        ...t,
        replicas: 0,
        availableReplicas: 0,
        readyReplicas: 0,
        updatedReplicas: 0,
        status: 'Successful',
      }));
      this.server.putExperiment({
        ...ex,
        spec: { ...ex.spec, terminate: true },
        status: { ...ex.status, phase: 'Successful', message: 'Experiment terminated', templateStatuses: statuses },
      });
    }
    if (!current || owned.some((ex) => ex.metadata.name === current)) return;
    const steps = ((ro.spec?.strategy as Status | undefined)?.canary?.steps ?? []) as Step[];
    const index: number = next.currentStepIndex;
    const step = steps[index]?.experiment;
    if (!step) return;
    const ex: KubeObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Experiment',
      metadata: {
        name: current,
        namespace: ns,
        labels: { ...ro.metadata.labels, 'rollouts-pod-template-hash': next.currentPodHash },
        annotations: { 'simulator/rollout': ro.metadata.name },
        ...(ro.metadata.uid
          ? {
              ownerReferences: [
                { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: ro.metadata.name, uid: ro.metadata.uid },
              ],
            }
          : {}),
      },
      spec: {
        ...(step.duration ? { duration: step.duration } : {}),
        templates: step.templates.map((t) => ({
          name: t.name,
          replicas: t.replicas ?? 1,
          selector: ro.spec?.selector,
          template: ro.spec?.template, // the stable or canary ReplicaSet's template; the same spec in the fixture
        })),
      },
      status: { phase: 'Pending' },
    };
    this.server.putExperiment(ex);
    const report = (): void => {
      const stored = this.server.experiments.store.get(ns, current);
      if (!stored || stored.spec?.terminate) return;
      this.server.putExperiment({
        ...stored,
        status: {
          phase: 'Running',
          availableAt: new Date().toISOString(),
          templateStatuses: step.templates.map((tpl) => ({
            name: tpl.name,
            replicas: tpl.replicas ?? 1,
            updatedReplicas: tpl.replicas ?? 1,
            readyReplicas: tpl.replicas ?? 1,
            availableReplicas: tpl.replicas ?? 1,
            status: 'Running',
            podTemplateHash: ArgoSimulator.templateHash(tpl.name, index),
          })),
        },
      });
    };
    if (this.experimentDelayMs === null) return void this.held.push(report);
    const t = setTimeout(() => {
      this.timers.delete(t);
      report();
    }, this.experimentDelayMs);
    this.timers.add(t);
  }

  /** Reports the ReplicaSets of Experiments held back by `experimentDelayMs = null`. */
  releaseExperiments(): void {
    for (const report of this.held.splice(0)) report();
  }
}

function weights(status: Status, canaryWeight: number): Status {
  return {
    canary: { weight: canaryWeight, podTemplateHash: status.currentPodHash },
    stable: { weight: 100 - canaryWeight, podTemplateHash: status.stableRS },
  };
}

/** Argo's name for the Experiment of step `index` (GetExperimentFromTemplate in rollout/experiment.go). */
export function experimentName(ro: KubeObject, podHash: string, index: number): string {
  return `${ro.metadata.name}-${podHash}-${ro.metadata.annotations?.['rollout.argoproj.io/revision'] ?? ''}-${index}`;
}

function nextStatus(ro: KubeObject): Status {
  const s: Status = structuredClone(ro.status ?? {});
  if (s.canary) delete s.canary.currentExperiment;
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
    else if (step.experiment) {
      s.canary = { ...s.canary, currentExperiment: experimentName(ro, s.currentPodHash, i) };
      break;
    } else if (step.pause) {
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
