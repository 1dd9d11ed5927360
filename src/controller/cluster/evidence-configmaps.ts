import type { CoreV1Api, KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { withRetry, type RetryOptions } from '../../actuators/argo/retry.js';
import {
  evidenceKey,
  joinSegments,
  planSegments,
  segmentName,
  type EvidenceFiles,
  type Segment,
} from './evidence-segments.js';

/** Labels and annotations of the evidence ConfigMaps; `kubectl get cm -l adaptive-canary.dev/evidence` lists them. */
export const EVIDENCE_LABEL = 'adaptive-canary.dev/evidence';
export const SEGMENT_LABEL = 'adaptive-canary.dev/segment';
export const SERVICE_LABEL = 'adaptive-canary.dev/service';
export const ROLLOUT_NAMESPACE_LABEL = 'adaptive-canary.dev/rollout-namespace';
export const ROLLOUT_NAME_LABEL = 'adaptive-canary.dev/rollout-name';
export const ROLLOUT_ID_ANNOTATION = 'adaptive-canary.dev/rollout-id';

/** Which rollout a set of segments belongs to. */
export interface EvidenceOwner {
  rolloutId: string;
  service: string;
  namespace: string;
  name: string;
}

/** One rollout's evidence as found in the cluster. */
export interface StoredEvidence {
  owner: EvidenceOwner;
  segments: Segment[];
  files: EvidenceFiles;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelSafe = (v: string): boolean => v.length <= 63 && LABEL_VALUE.test(v);

/**
 * The evidence ConfigMaps in the controller's own namespace (so its RBAC is a namespaced Role, not write access
 * to every ConfigMap in the cluster): list by label, create, and PUT with the resourceVersion last seen, so a
 * replica that lost the Lease but did not notice yet gets a 409 instead of overwriting the new leader's records.
 */
export class EvidenceConfigMaps {
  private constructor(
    private readonly api: CoreV1Api,
    readonly namespace: string,
    private readonly retry: RetryOptions,
  ) {}

  static async create(kc: KubeConfig, namespace: string, retry: RetryOptions = {}): Promise<EvidenceConfigMaps> {
    const { CoreV1Api } = await import('@kubernetes/client-node');
    return new EvidenceConfigMaps(kc.makeApiClient(CoreV1Api), namespace, retry);
  }

  /** Every rollout's evidence (optionally only the Rollouts of one namespace), or one rollout's by id. */
  async list(filter: { rolloutNamespace?: string; rolloutId?: string } = {}): Promise<StoredEvidence[]> {
    const selector = [
      filter.rolloutId ? `${EVIDENCE_LABEL}=${evidenceKey(filter.rolloutId)}` : EVIDENCE_LABEL,
      ...(filter.rolloutNamespace ? [`${ROLLOUT_NAMESPACE_LABEL}=${filter.rolloutNamespace}`] : []),
    ].join(',');
    const res = await withRetry(
      () => this.api.listNamespacedConfigMap({ namespace: this.namespace, labelSelector: selector }),
      this.retry,
    );
    const byKey = new Map<string, { owner: EvidenceOwner; segments: Segment[] }>();
    for (const cm of res.items) {
      const labels = cm.metadata?.labels ?? {};
      const key = labels[EVIDENCE_LABEL];
      const rolloutId = cm.metadata?.annotations?.[ROLLOUT_ID_ANNOTATION];
      const index = Number(labels[SEGMENT_LABEL]);
      if (!key || !rolloutId || !Number.isInteger(index) || evidenceKey(rolloutId) !== key) continue;
      const entry = byKey.get(key) ?? {
        owner: {
          rolloutId,
          service: labels[SERVICE_LABEL] ?? '',
          namespace: labels[ROLLOUT_NAMESPACE_LABEL] ?? '',
          name: labels[ROLLOUT_NAME_LABEL] ?? '',
        },
        segments: [],
      };
      entry.segments.push({ index, data: cm.data ?? {}, resourceVersion: cm.metadata?.resourceVersion });
      byKey.set(key, entry);
    }
    return [...byKey.values()].map((e) => ({ ...e, files: joinSegments(e.segments) }));
  }

  /** Writes what changed between `segments` (as stored) and `files`; returns the segments as stored now. */
  write(owner: EvidenceOwner, segments: Segment[], files: EvidenceFiles): Promise<Segment[]> {
    return this.writeSegments(owner, segments, planSegments(segments, files));
  }

  /** Writes `changed` (from planSegments or planAppend over `segments`); returns the segments as stored now. */
  async writeSegments(owner: EvidenceOwner, segments: Segment[], changed: Segment[]): Promise<Segment[]> {
    const byIndex = new Map(segments.map((s) => [s.index, s]));
    for (const seg of changed) {
      const body = this.object(owner, seg);
      const known = byIndex.get(seg.index)?.resourceVersion;
      const written = known
        ? await withRetry(
            () =>
              this.api.replaceNamespacedConfigMap({
                name: body.metadata!.name!,
                namespace: this.namespace,
                body: { ...body, metadata: { ...body.metadata, resourceVersion: known } },
              }),
            this.retry,
          )
        : await withRetry(() => this.api.createNamespacedConfigMap({ namespace: this.namespace, body }), this.retry);
      byIndex.set(seg.index, { ...seg, resourceVersion: written.metadata?.resourceVersion });
    }
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }

  private object(owner: EvidenceOwner, seg: Segment): V1ConfigMap {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: segmentName(owner.rolloutId, seg.index),
        namespace: this.namespace,
        labels: {
          'app.kubernetes.io/managed-by': 'adaptive-canary',
          [EVIDENCE_LABEL]: evidenceKey(owner.rolloutId),
          [SEGMENT_LABEL]: String(seg.index),
          ...(labelSafe(owner.service) ? { [SERVICE_LABEL]: owner.service } : {}),
          ...(labelSafe(owner.namespace) ? { [ROLLOUT_NAMESPACE_LABEL]: owner.namespace } : {}),
          ...(labelSafe(owner.name) ? { [ROLLOUT_NAME_LABEL]: owner.name } : {}),
        },
        annotations: {
          [ROLLOUT_ID_ANNOTATION]: owner.rolloutId,
          'adaptive-canary.dev/rollout': `${owner.namespace}/${owner.name}`,
        },
      },
      data: seg.data,
    };
  }
}
