/**
 * Pure reading of an Argo Rollout and the exact merge patches `kubectl argo rollouts`
 * sends (pkg/kubectl-argo-rollouts/cmd/{abort,promote}; docs/kubernetes.md, "Direct mode").
 */
export interface RolloutObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: { paused?: boolean; strategy?: { canary?: { steps?: RolloutStep[] } } };
  status?: RolloutStatus;
}

export interface RolloutStep {
  setWeight?: number;
  pause?: { duration?: string | number };
  [other: string]: unknown;
}

export interface PauseCondition {
  reason: string;
  startTime?: string;
}

export interface RolloutStatus {
  phase?: string;
  message?: string;
  abort?: boolean;
  abortedAt?: string;
  currentStepIndex?: number;
  controllerPause?: boolean;
  pauseConditions?: PauseCondition[] | null;
  promoteFull?: boolean;
  stableRS?: string;
  currentPodHash?: string;
  canary?: {
    /** The Experiment the current `experiment` step runs (set by Argo while it runs). */
    currentExperiment?: string;
    weights?: {
      canary?: { weight?: number; podTemplateHash?: string };
      stable?: { weight?: number; podTemplateHash?: string };
    };
  };
}

export interface RolloutView {
  phase: string;
  aborted: boolean;
  /** currentPodHash == stableRS: nothing left to promote. */
  promoted: boolean;
  paused: boolean;
  currentStepIndex: number;
  stepCount: number;
  /** null when Argo has not reported weights yet. */
  canaryWeight: number | null;
  stableHash: string | null;
  canaryHash: string | null;
  pauseReasons: string[];
  message: string | null;
  /** The running Experiment of the current `experiment` step (a baseline), or null. */
  currentExperiment: string | null;
}

export function viewRollout(ro: RolloutObject): RolloutView {
  const s = ro.status ?? {};
  const steps = ro.spec?.strategy?.canary?.steps ?? [];
  const pauseReasons = (s.pauseConditions ?? []).map((p) => p.reason);
  return {
    phase: s.phase ?? 'Unknown',
    aborted: s.abort === true,
    promoted: s.currentPodHash !== undefined && s.currentPodHash === s.stableRS,
    paused: ro.spec?.paused === true || pauseReasons.length > 0,
    currentStepIndex: s.currentStepIndex ?? 0,
    stepCount: steps.length,
    canaryWeight: s.canary?.weights?.canary?.weight ?? null,
    stableHash: s.stableRS ?? null,
    canaryHash: s.currentPodHash ?? null,
    pauseReasons,
    message: s.message ?? null,
    currentExperiment: currentExperiment(s),
  };
}

function currentExperiment(s: RolloutStatus): string | null {
  return s.canary?.currentExperiment || null;
}

export interface Patches {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export const ABORT_PATCH = { status: { abort: true } } as const;

/** `kubectl argo rollouts promote` (one step) or `promote --full`, computed from the Rollout as read. */
export function promotePatches(ro: RolloutObject, full: boolean): Patches {
  const out: Patches = {};
  const s = ro.status ?? {};
  if (ro.spec?.paused) out.spec = { spec: { paused: false } };
  if (full) {
    if (s.currentPodHash !== s.stableRS) out.status = { status: { promoteFull: true } };
    return out;
  }
  const conditions = s.pauseConditions ?? [];
  const steps = ro.spec?.strategy?.canary?.steps;
  const next = Math.min((s.currentStepIndex ?? 0) + 1, steps?.length ?? 0);
  const inconclusive = conditions.some((c) => c.reason === 'InconclusiveAnalysisRun');
  if (inconclusive && s.controllerPause)
    out.status = { status: { pauseConditions: null, controllerPause: false, currentStepIndex: next } };
  else if (conditions.length > 0) out.status = { status: { pauseConditions: null } };
  else if (steps?.length) out.status = { status: { pauseConditions: null, currentStepIndex: next } };
  return out;
}

/** Weight of the next `setWeight` step after the current one, or null when none is left. */
export function nextStepWeight(ro: RolloutObject): number | null {
  const steps = ro.spec?.strategy?.canary?.steps ?? [];
  const from = ro.status?.currentStepIndex ?? 0;
  for (let i = from + 1; i < steps.length; i++) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return null;
}

/** Whether `weight` is a `setWeight` step the Rollout has already passed (Argo is ahead; it cannot step back). */
export function passedStepWeight(ro: RolloutObject, weight: number): boolean {
  const steps = ro.spec?.strategy?.canary?.steps ?? [];
  const upTo = Math.min(ro.status?.currentStepIndex ?? 0, steps.length - 1);
  return steps.slice(0, upTo + 1).some((st) => st.setWeight === weight);
}
