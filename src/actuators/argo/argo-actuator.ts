import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../errors.js';
import type { Actuator, ActuatorFault, ActuatorState, RollbackResult } from '../actuator.js';
import { defaultSleep, type RetryOptions } from './retry.js';
import { RolloutClient, type RequestCounter } from './rollout-client.js';
import {
  ABORT_PATCH,
  nextStepWeight,
  passedStepWeight,
  promotePatches,
  viewRollout,
  type RolloutView,
} from './rollout-status.js';
import { RolloutWatcher, type RolloutEvent } from './rollout-watcher.js';

export interface ArgoActuatorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  rollout: string;
  retry?: RetryOptions;
  /** How long to wait for Argo to show a new weight (rollback: canary at 0). Default 60 s. */
  confirmTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Leadership check: every mutating call throws E_NOT_LEADER when it returns false. */
  fence?: () => boolean;
  now?: () => number;
  counter?: RequestCounter;
  /** A shared Rollout watch to subscribe to (serve has one for the cluster); default: this actuator's own watch. */
  watch?: (listener: (event: RolloutEvent) => void) => () => void;
}

/**
 * Direct mode (docs/architecture.md): drives an Argo Rollout whose steps were rendered from the policy
 * (`setWeight` + `pause: {}` per policy step) with the merge patches of `kubectl argo rollouts`.
 * Every promote reads the Rollout first and refuses on an aborted or unreadable one (never a blind promote);
 * rollback sends its one patch before anything else.
 */
export class ArgoActuator implements Actuator {
  readonly kind = 'argo';
  private readonly faultListeners = new Set<(f: ActuatorFault) => void>();
  private watcher: RolloutWatcher | undefined;
  private unwatch: (() => void) | undefined;
  private abortingSelf = false;
  private lastSeenAborted = false;
  private promotingSelf = false;
  private lastSeenPromoted = false;

  private constructor(
    private readonly opts: ArgoActuatorOptions,
    readonly client: RolloutClient,
  ) {}

  static async create(opts: ArgoActuatorOptions): Promise<ArgoActuator> {
    return new ArgoActuator(opts, await RolloutClient.create(opts.kubeConfig, opts.retry, opts.counter));
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async view(): Promise<RolloutView> {
    return viewRollout(await this.client.get(this.opts.namespace, this.opts.rollout));
  }

  async state(): Promise<ActuatorState> {
    const v = await this.view();
    const phase = v.aborted
      ? 'rolled-back'
      : v.promoted
        ? 'promoted'
        : v.currentStepIndex === 0 && !v.canaryWeight
          ? 'idle'
          : 'progressing';
    const canaryWeight = v.aborted ? 0 : v.promoted ? 100 : (v.canaryWeight ?? 0);
    return { phase, canaryWeight, stableUp: null, canaryUp: null };
  }

  /** Advances to the next paused step when its weight is `percent` (promote), or promotes fully at 100. */
  async setWeight(percent: number): Promise<void> {
    this.checkFence();
    if (percent >= 100) return this.promote();
    const ro = await this.client.get(this.opts.namespace, this.opts.rollout);
    const v = viewRollout(ro);
    this.refuseIfDone(v);
    if (v.canaryWeight === percent) return;
    // Timed pauses let Argo advance by itself; a step we asked for that it already passed is done, not an error.
    if (v.canaryWeight !== null && v.canaryWeight > percent && passedStepWeight(ro, percent)) return;
    const next = nextStepWeight(ro);
    if (next !== percent) {
      throw new AppError(
        'E_ARGO_STEP',
        `${this.id}: the Rollout's next setWeight step is ${next ?? 'none'}, ` +
          `not ${percent}; render its steps from the policy (adaptive-canary ` +
          `render rollout)`,
      );
    }
    await this.applyPatches(promotePatches(ro, false));
    await this.waitFor((w) => w.canaryWeight === percent || w.aborted, `canary weight ${percent}`);
  }

  /** `kubectl argo rollouts promote --full`. */
  async promote(): Promise<void> {
    this.checkFence();
    const ro = await this.client.get(this.opts.namespace, this.opts.rollout);
    const v = viewRollout(ro);
    this.refuseIfDone(v, true);
    if (v.promoted) return;
    this.promotingSelf = true;
    try {
      await this.applyPatches(promotePatches(ro, true));
      await this.waitFor((w) => w.promoted || w.aborted, 'promotion');
    } finally {
      this.promotingSelf = false;
    }
  }

  /** `kubectl argo rollouts abort`: one patch, sent first; confirmed when Argo shows the canary at weight 0. */
  async rollback(): Promise<RollbackResult> {
    this.checkFence();
    this.abortingSelf = true;
    try {
      await this.client.patchStatus(this.opts.namespace, this.opts.rollout, ABORT_PATCH);
      await this.waitFor((w) => w.canaryWeight === 0 || w.promoted, 'canary weight 0 after abort');
      return { confirmedAt: this.now };
    } finally {
      this.abortingSelf = false;
    }
  }

  /**
   * Faults: the Rollout aborted by someone else (a person's `kubectl argo rollouts abort`, Argo's own analysis) or
   * deleted; and, marked `ended: 'promoted'`, fully promoted by someone else (`kubectl argo rollouts promote --full`).
   */
  onFault(listener: (fault: ActuatorFault) => void): () => void {
    this.faultListeners.add(listener);
    const handle = (e: RolloutEvent): void => {
      if (e.rollout.metadata.namespace === this.opts.namespace)
        this.onEvent(e.type, viewRollout(e.rollout), e.rollout.metadata.name);
    };
    if (this.opts.watch && !this.unwatch) this.unwatch = this.opts.watch(handle);
    if (!this.opts.watch && !this.watcher) {
      this.watcher = new RolloutWatcher(this.opts.kubeConfig, this.client, handle, { namespace: this.opts.namespace });
      void this.watcher.start().catch(() => undefined);
    }
    return () => {
      this.faultListeners.delete(listener);
      if (this.faultListeners.size === 0) this.close();
    };
  }

  close(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
  }

  private onEvent(type: 'upsert' | 'delete', v: RolloutView, name: string | undefined): void {
    if (name !== this.opts.rollout) return;
    if (type === 'delete') return this.emit(`Rollout ${this.id} was deleted`);
    if (v.aborted && !this.lastSeenAborted && !this.abortingSelf)
      this.emit(`Rollout ${this.id} was aborted outside adaptive-canary (status.abort=true, phase ${v.phase})`);
    if (v.promoted && !this.lastSeenPromoted && !this.promotingSelf && !v.aborted)
      this.emit(`Rollout ${this.id} was fully promoted outside adaptive-canary (stable is now the canary)`, 'promoted');
    this.lastSeenAborted = v.aborted;
    this.lastSeenPromoted = v.promoted;
  }

  private emit(message: string, ended?: 'promoted'): void {
    const fault: ActuatorFault = { variant: 'canary', message, at: this.now, ...(ended ? { ended } : {}) };
    for (const l of this.faultListeners) l(fault);
  }

  private get id(): string {
    return `${this.opts.namespace}/${this.opts.rollout}`;
  }

  private checkFence(): void {
    if (this.opts.fence && !this.opts.fence())
      throw new AppError('E_NOT_LEADER', `${this.id}: not the leader; refusing to change the Rollout`);
  }

  private refuseIfDone(v: RolloutView, allowPromoted = false): void {
    if (v.aborted)
      throw new AppError(
        'E_ARGO_ABORTED',
        `${this.id}: the Rollout is aborted (${v.message ?? v.phase}); not promoting`,
      );
    if (v.promoted && !allowPromoted)
      throw new AppError('E_ARGO_PROMOTED', `${this.id}: the Rollout is already fully promoted`);
  }

  private async applyPatches(p: ReturnType<typeof promotePatches>): Promise<void> {
    this.checkFence();
    if (p.status) await this.client.patchStatus(this.opts.namespace, this.opts.rollout, p.status);
    if (p.spec) await this.client.patchMain(this.opts.namespace, this.opts.rollout, p.spec);
  }

  private async waitFor(done: (v: RolloutView) => boolean, what: string): Promise<RolloutView> {
    const deadline = this.now + (this.opts.confirmTimeoutMs ?? 60_000);
    for (;;) {
      const v = await this.view();
      if (done(v)) return v;
      if (this.now >= deadline)
        throw new AppError(
          'E_ARGO_TIMEOUT',
          `${this.id}: Argo did not show ${what} in time (phase ${v.phase}, ` +
            `canary weight ${v.canaryWeight ?? 'unknown'})`,
        );
      await defaultSleep(this.opts.pollIntervalMs ?? 50);
    }
  }
}
