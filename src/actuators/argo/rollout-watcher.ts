import type { KubeConfig } from '@kubernetes/client-node';
import type { RolloutClient } from './rollout-client.js';
import { ROLLOUT_GROUP, ROLLOUT_PLURAL, ROLLOUT_VERSION } from './rollout-client.js';
import { defaultSleep } from './retry.js';
import type { RolloutObject } from './rollout-status.js';

export type RolloutEvent = { type: 'upsert' | 'delete'; rollout: RolloutObject };

export interface WatcherOptions {
  namespace?: string;
  labelSelector?: string;
  /** Delay before reconnecting after a dropped watch (doubles up to 5 s while failing). */
  reconnectDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * List-then-watch for Rollouts. When the watch ends for any reason (dropped connection, 410 Gone, server
 * timeout) it re-lists, emits what changed meanwhile, and watches again from the new list's
 * resourceVersion, so no change is lost. `relists` counts the re-lists (tests and metrics).
 */
export class RolloutWatcher {
  private readonly known = new Map<string, string>(); // key → resourceVersion
  private abort: AbortController | undefined;
  private stopped = false;
  relists = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly client: RolloutClient,
    private readonly listener: (event: RolloutEvent) => void,
    private readonly opts: WatcherOptions = {},
  ) {}

  /** Resolves after the first list was delivered. */
  async start(): Promise<void> {
    const rv = await this.relist();
    void this.loop(rv);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async relist(): Promise<string> {
    const { items, resourceVersion } = await this.client.list(this.opts.namespace, this.opts.labelSelector);
    const seen = new Set<string>();
    for (const ro of items) {
      const key = keyOf(ro);
      seen.add(key);
      if (this.known.get(key) !== ro.metadata.resourceVersion) this.deliver('upsert', ro);
    }
    for (const key of [...this.known.keys()]) {
      if (!seen.has(key)) {
        this.known.delete(key);
        const [namespace, name] = key.split('/');
        this.listener({ type: 'delete', rollout: { metadata: { namespace, name } } });
      }
    }
    return resourceVersion;
  }

  private deliver(type: 'upsert' | 'delete', ro: RolloutObject): void {
    if (type === 'delete') this.known.delete(keyOf(ro));
    else this.known.set(keyOf(ro), ro.metadata.resourceVersion ?? '');
    this.listener({ type, rollout: ro });
  }

  private async loop(initialRv: string): Promise<void> {
    let rv = initialRv;
    let delay = this.opts.reconnectDelayMs ?? 200;
    const sleep = this.opts.sleep ?? defaultSleep;
    while (!this.stopped) {
      await this.watchOnce(rv, (newRv) => (rv = newRv));
      if (this.stopped) return;
      await sleep(delay);
      try {
        rv = await this.relist();
        this.relists++;
        delay = this.opts.reconnectDelayMs ?? 200;
      } catch {
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async watchOnce(rv: string, onRv: (rv: string) => void): Promise<'ended'> {
    const { Watch } = await import('@kubernetes/client-node');
    const ns = this.opts.namespace;
    const path =
      ns === undefined
        ? `/apis/${ROLLOUT_GROUP}/${ROLLOUT_VERSION}/${ROLLOUT_PLURAL}`
        : `/apis/${ROLLOUT_GROUP}/${ROLLOUT_VERSION}/namespaces/${ns}/${ROLLOUT_PLURAL}`;
    return new Promise((resolve) => {
      const onEvent = (phase: string, obj: RolloutObject): void => {
        if (phase === 'ERROR') return; // 410 Gone and friends: the watch ends and we re-list
        if (obj.metadata.resourceVersion) onRv(obj.metadata.resourceVersion);
        this.deliver(phase === 'DELETED' ? 'delete' : 'upsert', obj);
      };
      const params = { resourceVersion: rv, allowWatchBookmarks: false, labelSelector: this.opts.labelSelector };
      new Watch(this.kc)
        .watch(path, params, onEvent, () => resolve('ended'))
        .then((ctrl) => {
          this.abort = ctrl;
          if (this.stopped) ctrl.abort();
        })
        .catch(() => resolve('ended'));
    });
  }
}

export function keyOf(ro: RolloutObject): string {
  return `${ro.metadata.namespace ?? ''}/${ro.metadata.name ?? ''}`;
}
