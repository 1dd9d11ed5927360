import type { CrdSchema } from './crd-validator.js';
import { isObject, mergePatch } from './merge-patch.js';
import { isKubeObject, type KubeObject, type KubeStore } from './kube-store.js';

/** One resource type served by the in-test API server. */
export interface ResourceType {
  group: string; // '' for core; path prefix is /apis/<group>/<version>
  version: string;
  plural: string;
  kind: string;
  store: KubeStore;
  statusSubresource: boolean;
  schema?: CrdSchema;
  /** Built-in type checks (the API server's own validation for non-CRD kinds). */
  check?: (obj: KubeObject) => string[];
}

/** A Kubernetes `Status` failure, thrown by handlers and written as the response. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly causes: string[] = [],
  ) {
    super(message);
  }
  toJSON(): Record<string, unknown> {
    const details = this.causes.length ? { causes: this.causes.map((message) => ({ message })) } : undefined;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
      details,
    };
  }
}

/** `rollouts.argoproj.io`, or just `configmaps` for the core group, as the API server names resources. */
function qualified(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

export function notFound(rt: ResourceType, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(rt)} "${name}" not found`);
}

function conflict(rt: ResourceType, name: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(rt)} "${name}": the ` +
      `object has been modified; please apply your changes to the latest ` +
      `version and try again`,
  );
}

/** Prune unknown fields and validate against the CRD schema; returns pruned paths as warnings. */
export function admit(rt: ResourceType, obj: KubeObject): string[] {
  const invalid = rt.check?.(obj) ?? [];
  if (invalid.length)
    throw new StatusError(422, 'Invalid', `${rt.kind}.${rt.group} "${obj.metadata.name}" is invalid`, invalid);
  if (!rt.schema) return [];
  const warnings = rt.schema.prune(obj).map((p) => `unknown field "${p.slice(1)}"`);
  const problems = rt.schema.validate(obj);
  if (problems.length)
    throw new StatusError(422, 'Invalid', `${rt.kind}.${rt.group} "${obj.metadata.name}" is invalid`, problems);
  return warnings;
}

export function create(rt: ResourceType, namespace: string, body: unknown, warnings: string[]): KubeObject {
  if (!isKubeObject(body)) throw new StatusError(400, 'BadRequest', 'body is not a Kubernetes object');
  const name = body.metadata.name;
  if (rt.store.get(namespace, name))
    throw new StatusError(409, 'AlreadyExists', `${qualified(rt)} "${name}" already exists`);
  if (body.metadata.namespace !== undefined && body.metadata.namespace !== namespace)
    throw new StatusError(
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  const obj: KubeObject = {
    ...structuredClone(body),
    metadata: {
      ...body.metadata,
      namespace,
      uid: `uid-${namespace}-${name}`,
      generation: 1,
      creationTimestamp: new Date().toISOString(),
    },
  };
  delete obj.metadata.resourceVersion;
  if (rt.statusSubresource) delete obj.status;
  warnings.push(...admit(rt, obj));
  return rt.store.put(obj, 'ADDED');
}

/** PUT: optimistic concurrency on metadata.resourceVersion (409 when stale). */
export function replace(
  rt: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
  warnings: string[],
): KubeObject {
  const current = rt.store.get(namespace, name);
  if (!current) throw notFound(rt, name);
  if (!isKubeObject(body)) throw new StatusError(400, 'BadRequest', 'body is not a Kubernetes object');
  const rv = body.metadata.resourceVersion;
  if (rv !== undefined && rv !== current.metadata.resourceVersion) throw conflict(rt, name);
  const next: KubeObject = {
    ...structuredClone(body),
    metadata: {
      ...body.metadata,
      namespace,
      name,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
    },
  };
  if (rt.statusSubresource) next.status = current.status;
  next.metadata.generation = (current.metadata.generation ?? 1) + (sameJson(current.spec, next.spec) ? 0 : 1);
  warnings.push(...admit(rt, next));
  return rt.store.put(next, 'MODIFIED');
}

/**
 * Merge patch of the main resource or the status subresource. With a status subresource, the main resource
 * ignores status changes and /status ignores everything else, as the real API server does.
 */
export function patch(
  rt: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
  opts: { status: boolean; warnings: string[] },
): KubeObject {
  const current = rt.store.get(namespace, name);
  if (!current) throw notFound(rt, name);
  if (!isObject(body)) throw new StatusError(400, 'BadRequest', 'merge patch must be a JSON object');
  const meta = body.metadata;
  const rv = isObject(meta) ? meta.resourceVersion : undefined;
  if (rv !== undefined && rv !== current.metadata.resourceVersion) throw conflict(rt, name);
  const merged = mergePatch(current, body) as KubeObject;
  let next: KubeObject;
  if (opts.status) next = { ...current, status: merged.status };
  else if (rt.statusSubresource) next = { ...merged, status: current.status };
  else next = merged;
  next.metadata = { ...next.metadata, name, namespace, uid: current.metadata.uid };
  next.metadata.generation = (current.metadata.generation ?? 1) + (sameJson(current.spec, next.spec) ? 0 : 1);
  opts.warnings.push(...admit(rt, next));
  return rt.store.put(next, 'MODIFIED');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
