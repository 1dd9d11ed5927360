/**
 * Pure reading of an Argo Rollouts Experiment (argoproj.io/v1alpha1, `pkg/apis/rollouts/v1alpha1/
 * experiment_types.go` upstream): which pods a template runs. The experiment controller labels each template's
 * ReplicaSet and pods with their own `rollouts-pod-template-hash` (computed from the template, so it differs from
 * the Rollout's ReplicaSets even for the same spec, on purpose) and reports it in
 * `status.templateStatuses[].podTemplateHash`.
 */
export interface ExperimentObject {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { duration?: string; terminate?: boolean; templates?: { name: string; replicas?: number }[] };
  status?: {
    phase?: string;
    message?: string;
    availableAt?: string;
    templateStatuses?: ExperimentTemplateStatus[];
  };
}

export interface ExperimentTemplateStatus {
  name: string;
  replicas?: number;
  availableReplicas?: number;
  /** Running | Successful | Failed | Error | Progressing | Pending (TemplateStatusCode). */
  status?: string;
  podTemplateHash?: string;
}

/** Experiment phases after which its ReplicaSets are scaled to zero (AnalysisPhase.Completed()). */
const FINISHED = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/**
 * The pod-template-hash of one template's pods, once the experiment controller has created its ReplicaSet;
 * null before that, after the experiment finished or was told to terminate (its pods are going away).
 */
export function templatePodHash(ex: ExperimentObject, template: string): string | null {
  if (ex.spec?.terminate || FINISHED.has(ex.status?.phase ?? '')) return null;
  const t = ex.status?.templateStatuses?.find((x) => x.name === template);
  return t?.podTemplateHash || null;
}
