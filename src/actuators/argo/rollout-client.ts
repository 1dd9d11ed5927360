import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { httpStatus, withRetry, type RetryOptions } from './retry.js';
import type { ExperimentObject } from './experiment-status.js';
import type { RolloutObject } from './rollout-status.js';

export const ROLLOUT_GROUP = 'argoproj.io';
export const ROLLOUT_VERSION = 'v1alpha1';
export const ROLLOUT_PLURAL = 'rollouts';
/** The Experiments an `experiment` step creates (same group and version as Rollouts). */
export const EXPERIMENT_PLURAL = 'experiments';

/** Every request the actuator makes, by kind, so callers (and the benchmark) can count API traffic. */
export interface RequestCounter {
  count(kind: 'get' | 'list' | 'patch' | 'watch'): void;
}

/**
 * Rollout reads and merge patches through `@kubernetes/client-node`'s CustomObjectsApi. Status patches go to
 * the status subresource and fall back to the main resource on 404, as `kubectl argo rollouts` does for
 * clusters whose CRD has no status subresource.
 */
export class RolloutClient {
  private constructor(
    private readonly api: CustomObjectsApi,
    private readonly mergePatch: Parameters<CustomObjectsApi['patchNamespacedCustomObject']>[1],
    readonly retry: RetryOptions,
    private readonly counter?: RequestCounter,
  ) {}

  static async create(kc: KubeConfig, retry: RetryOptions = {}, counter?: RequestCounter): Promise<RolloutClient> {
    const k8s = await import('@kubernetes/client-node');
    const options = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    return new RolloutClient(kc.makeApiClient(k8s.CustomObjectsApi), options, retry, counter);
  }

  /** One Experiment, or null when it does not exist (yet, or any more). */
  async getExperiment(namespace: string, name: string): Promise<ExperimentObject | null> {
    this.counter?.count('get');
    const req = { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, namespace, plural: EXPERIMENT_PLURAL, name };
    try {
      return (await withRetry(() => this.api.getNamespacedCustomObject(req), this.retry)) as ExperimentObject;
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  async get(namespace: string, name: string): Promise<RolloutObject> {
    this.counter?.count('get');
    return (await withRetry(
      () =>
        this.api.getNamespacedCustomObject({
          group: ROLLOUT_GROUP,
          version: ROLLOUT_VERSION,
          namespace,
          plural: ROLLOUT_PLURAL,
          name,
        }),
      this.retry,
    )) as RolloutObject;
  }

  /**
   * Lists Rollouts in one namespace (or all when namespace is undefined); returns items and the list resourceVersion.
   */
  async list(
    namespace: string | undefined,
    labelSelector?: string,
  ): Promise<{ items: RolloutObject[]; resourceVersion: string }> {
    this.counter?.count('list');
    const base = { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, plural: ROLLOUT_PLURAL, labelSelector };
    const res = (await withRetry(
      () =>
        namespace === undefined
          ? this.api.listClusterCustomObject(base)
          : this.api.listNamespacedCustomObject({ ...base, namespace }),
      this.retry,
    )) as { items?: RolloutObject[]; metadata?: { resourceVersion?: string } };
    return { items: res.items ?? [], resourceVersion: res.metadata?.resourceVersion ?? '' };
  }

  /** Merge patch of the main resource (spec, metadata). */
  async patchMain(namespace: string, name: string, body: object): Promise<RolloutObject> {
    this.counter?.count('patch');
    const req = { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, namespace, plural: ROLLOUT_PLURAL, name, body };
    return (await withRetry(
      () => this.api.patchNamespacedCustomObject(req, this.mergePatch),
      this.retry,
    )) as RolloutObject;
  }

  /** Merge patch of the status subresource; on 404 the same patch goes to the main resource. */
  async patchStatus(namespace: string, name: string, body: object): Promise<RolloutObject> {
    this.counter?.count('patch');
    const req = { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, namespace, plural: ROLLOUT_PLURAL, name, body };
    try {
      return (await withRetry(
        () => this.api.patchNamespacedCustomObjectStatus(req, this.mergePatch),
        this.retry,
      )) as RolloutObject;
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      return this.patchMain(namespace, name, body);
    }
  }
}
