import type { CoordinationV1Api, KubeConfig, V1Lease } from '@kubernetes/client-node';
import { httpStatus } from './retry.js';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name, e.g. "adaptive-canary-controller". */
  name: string;
  /** This replica (the pod name). */
  identity: string;
  /** How long a lease is valid without renewal; a standby takes over after this. Default 15 s. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down (must be < leaseDurationMs). Default 10 s. */
  renewDeadlineMs?: number;
  /** How often to try to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  now?: () => number;
  onStartedLeading?: () => void;
  /** Called at once when leadership is lost; the caller must stop acting (see `isLeader`). */
  onStoppedLeading?: () => void;
}

/**
 * Leader election with a `coordination.k8s.io/v1` Lease, the client-go way: update with the lease's
 * resourceVersion (409 = someone else won), and judge another holder's lease expired by *local* time since
 * its record last changed, so clock skew between replicas does not matter. `isLeader()` is a fence: it turns
 * false as soon as the renew deadline passes, even between ticks, so a leader cut off from the API server
 * stops acting before a standby can take over.
 */
export class LeaderElector {
  private api: CoordinationV1Api | undefined;
  private leader = false;
  private lastRenewAt = 0;
  private observed: { record: string; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  /** The acquire/renew round in flight, if any: stop() waits for it before releasing. */
  private inflight: Promise<boolean> | undefined;
  /** Holder identity last seen on the lease. */
  currentHolder: string | null = null;

  constructor(private readonly opts: LeaderElectorOptions) {}

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }
  private get durationMs(): number {
    return this.opts.leaseDurationMs ?? 15_000;
  }
  private get renewDeadlineMs(): number {
    return this.opts.renewDeadlineMs ?? 10_000;
  }

  isLeader(): boolean {
    if (this.leader && this.now - this.lastRenewAt >= this.renewDeadlineMs) this.lose();
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    const tick = async (): Promise<void> => {
      await this.tryAcquireOrRenew();
      if (this.running) this.timer = setTimeout(() => void tick(), this.opts.retryPeriodMs ?? 2_000);
    };
    void tick();
  }

  /** Stops the loop; a leader releases the lease so a standby takes over at once instead of after expiry. */
  async stop(release = true): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const wasLeader = this.leader;
    // Stop acting at once either way; without release the lease simply expires (what a crash looks like).
    this.lose();
    // A renewal in flight would bump the lease's resourceVersion under the release (a 409, so the lease stayed
    // held until it expired); let it land first. `stopped` keeps it from making this replica lead again.
    await this.inflight?.catch(() => undefined);
    if (release && wasLeader) {
      try {
        const lease = await this.read();
        if (lease?.spec?.holderIdentity === this.opts.identity) {
          await this.client().then((api) =>
            api.replaceNamespacedLease({
              namespace: this.opts.namespace,
              name: this.opts.name,
              body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 } },
            }),
          );
        }
      } catch {
        // best effort: the lease expires by itself
      }
    }
  }

  /** One round: create, renew or take over the lease. Returns whether this replica leads afterwards. */
  tryAcquireOrRenew(): Promise<boolean> {
    const round = this.round();
    this.inflight = round;
    return round;
  }

  private async round(): Promise<boolean> {
    try {
      const ok = await this.acquireOrRenew();
      if (ok && this.stopped) return false;
      if (ok) {
        this.lastRenewAt = this.now;
        if (!this.leader) {
          this.leader = true;
          this.opts.onStartedLeading?.();
        }
      } else if (this.leader) this.lose();
    } catch {
      // API server unreachable or 5xx: keep the lease until the renew deadline says otherwise
    }
    return this.isLeader();
  }

  private lose(): void {
    if (!this.leader) return;
    this.leader = false;
    this.opts.onStoppedLeading?.();
  }

  private async acquireOrRenew(): Promise<boolean> {
    const api = await this.client();
    const { namespace, name, identity } = this.opts;
    const k8s = await import('@kubernetes/client-node');
    const nowTime = new k8s.V1MicroTime(this.now);
    const seconds = Math.max(1, Math.ceil(this.durationMs / 1000));
    const lease = await this.read();
    if (!lease) {
      const body: V1Lease = {
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: seconds,
          acquireTime: nowTime,
          renewTime: nowTime,
          leaseTransitions: 0,
        },
      };
      return this.conflictIsFalse(api.createNamespacedLease({ namespace, body }));
    }
    const spec = lease.spec ?? {};
    this.currentHolder = spec.holderIdentity ?? null;
    const record = JSON.stringify(spec);
    if (this.observed?.record !== record) this.observed = { record, at: this.now };
    const heldByOther = !!spec.holderIdentity && spec.holderIdentity !== identity;
    const validMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (heldByOther && this.now - this.observed.at < validMs) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (spec.holderIdentity === identity ? 0 : 1);
    const acquireTime = spec.holderIdentity === identity ? spec.acquireTime : nowTime;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: seconds,
        acquireTime: acquireTime && new k8s.V1MicroTime(new Date(acquireTime).getTime()),
        renewTime: nowTime,
        leaseTransitions: transitions,
      },
    };
    const ok = await this.conflictIsFalse(api.replaceNamespacedLease({ namespace, name, body }));
    if (ok) this.currentHolder = identity;
    return ok;
  }

  private async read(): Promise<V1Lease | null> {
    try {
      return await (await this.client()).readNamespacedLease({ namespace: this.opts.namespace, name: this.opts.name });
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  private async conflictIsFalse(p: Promise<unknown>): Promise<boolean> {
    try {
      await p;
      return true;
    } catch (err) {
      if (httpStatus(err) === 409) return false;
      throw err;
    }
  }

  private async client(): Promise<CoordinationV1Api> {
    if (!this.api) {
      const k8s = await import('@kubernetes/client-node');
      this.api = this.opts.kubeConfig.makeApiClient(k8s.CoordinationV1Api);
    }
    return this.api;
  }
}
