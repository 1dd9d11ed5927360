/**
 * Field-wise comparison of a Kubernetes object with the manifest that was signed, after masking the fields the
 * API server and controllers own (k8s-manifest-sigstore's CommonResourceMaskKeys + resources/default-config.yaml).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface FieldDiff {
  /** Dotted path, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  signed: Json | undefined;
  actual: Json | undefined;
}

/** Upstream masks these on every kind; keys are path segments, `*` matches one annotation/label key prefix. */
const COMMON_MASKS: string[][] = [
  ['metadata', 'annotations', 'cosign.sigstore.dev/*'],
  ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'],
  ['metadata', 'annotations', 'namespace'],
  ['metadata', 'annotations', 'deprecated.daemonset.template.generation'],
  ['metadata', 'annotations', 'deployment.kubernetes.io/revision'],
  ['metadata', 'labels', 'app.kubernetes.io/instance'],
  ['metadata', 'managedFields'],
  ['metadata', 'creationTimestamp'],
  ['metadata', 'generation'],
  ['metadata', 'namespace'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'selfLink'],
  ['metadata', 'uid'],
  ['metadata', 'finalizers'],
  ['status'],
];

/** `metadata.annotations.rollout.argoproj.io/*` style patterns → segments (first two dots split, rest is a key). */
export function parseFieldPattern(pattern: string): string[] {
  const parts = pattern.split('.');
  if (parts[0] === 'metadata' && (parts[1] === 'annotations' || parts[1] === 'labels') && parts.length > 2) {
    return ['metadata', parts[1], parts.slice(2).join('.')];
  }
  return parts;
}

function segmentMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return key.startsWith(pattern.slice(0, -1));
  return pattern === key;
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: Json | undefined): boolean {
  return v === undefined || (isObject(v) && Object.keys(v).length === 0);
}

export function mask(value: Json, masks: string[][]): Json {
  const walk = (node: Json, live: string[][]): Json => {
    if (!isObject(node) || live.length === 0) return node;
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) {
      const matching = live.filter((m) => segmentMatches(m[0]!, k));
      if (matching.some((m) => m.length === 1)) continue;
      out[k] = walk(
        v,
        matching.map((m) => m.slice(1)),
      );
    }
    return out;
  };
  return walk(value, masks);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z0-9_-]+$/.test(key) ? key : `"${key}"`;
  return path ? `${path}.${safe}` : safe;
}

/**
 * `live: false` (a manifest file): both sides must be equal. `live: true` (an object read back from the cluster):
 * every signed field must be present and equal; fields only the object has are taken as server defaults — the
 * cluster's admission (Kyverno's dry-run match) is the strict check there.
 */
export function diffFields(signed: Json, actual: Json, opts: { live: boolean; ignore?: string[] }): FieldDiff[] {
  const masks = [...COMMON_MASKS, ...(opts.ignore ?? []).map(parseFieldPattern)];
  const diffs: FieldDiff[] = [];
  const walk = (a: Json | undefined, b: Json | undefined, path: string): void => {
    if (isObject(a) && isObject(b)) {
      const keys = new Set([...Object.keys(a), ...(opts.live ? [] : Object.keys(b))]);
      for (const k of keys) walk(a[k], b[k], join(path, k));
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((item, i) => walk(item, b[i], join(path, i)));
      return;
    }
    // Masking can leave `annotations: {}` on one side only; an empty mapping and no mapping mean the same.
    if (isEmpty(a) && isEmpty(b)) return;
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push({ path, signed: a, actual: b });
  };
  walk(mask(signed, masks), mask(actual, masks), '');
  return diffs;
}
