import { isObject } from './merge-patch.js';

/** A stored Kubernetes object (only the parts the store looks at are typed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
  rv: number;
}
type Listener = (event: WatchEvent) => void;

/**
 * Objects of one resource type with a cluster-wide resourceVersion counter and an event history, so a watch
 * can resume from a resourceVersion or be told it is too old (410 Gone) after `compact()`.
 */
export class KubeStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: WatchEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private compactedTo = 0;

  constructor(private readonly clock: { next(): number }) {}

  static key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  get(namespace: string, name: string): KubeObject | undefined {
    const obj = this.objects.get(KubeStore.key(namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  list(namespace?: string, labelSelector?: string): KubeObject[] {
    const all = [...this.objects.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace);
    return all.filter((o) => matchesLabels(o, labelSelector)).map((o) => structuredClone(o));
  }

  /** Stores `obj` (new or replacing), bumping resourceVersion and notifying watchers. */
  put(obj: KubeObject, type: WatchEventType): KubeObject {
    const rv = this.clock.next();
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    if (type === 'DELETED') this.objects.delete(KubeStore.key(obj.metadata.namespace, obj.metadata.name));
    else this.objects.set(KubeStore.key(obj.metadata.namespace, obj.metadata.name), stored);
    const event: WatchEvent = { type, object: stored, rv };
    this.history.push(event);
    for (const l of this.listeners) l({ ...event, object: structuredClone(stored) });
    return structuredClone(stored);
  }

  /** Events after `fromRv`, or 'gone' when history before it was compacted away. */
  since(fromRv: number): WatchEvent[] | 'gone' {
    if (fromRv < this.compactedTo) return 'gone';
    return this.history.filter((e) => e.rv > fromRv).map((e) => ({ ...e, object: structuredClone(e.object) }));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget history up to now: a watch resuming from an older resourceVersion gets 410 Gone. */
  compact(upToRv: number): void {
    this.compactedTo = upToRv;
    this.history.splice(0, this.history.length);
  }
}

function matchesLabels(obj: KubeObject, selector?: string): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (k === undefined) return true;
    return v === undefined ? k in labels : labels[k] === v;
  });
}

export function isKubeObject(v: unknown): v is KubeObject {
  return isObject(v) && isObject(v.metadata) && typeof v.metadata.name === 'string';
}
