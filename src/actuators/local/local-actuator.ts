import { preciseNow, type Actuator, type ActuatorFault, type ActuatorState, type RollbackResult } from '../actuator.js';
import { WeightedRouter } from './router.js';
import { Upstream, type UpstreamVariant } from './upstream.js';

export interface LocalActuatorOptions {
  /** Where the router listens; port 0 picks a free one. */
  host?: string;
  port?: number;
  stable: string;
  canary: string;
  /** Baseline: fresh instances of the stable version (URL or command), started with the canary. */
  baseline?: string;
  latencyBoundsMs: readonly number[];
  startTimeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Wall clock for the rollback confirmation time (epoch ms). */
  now?: () => number;
  /** Told about each upstream command as soon as it is spawned (the controller records it for a restart). */
  onSpawn?: (variant: UpstreamVariant, pid: number, command: string) => void;
}

/**
 * The `local` actuator: the embedded router in front of two upstreams (URLs or commands it starts).
 *
 * @example
 * const act = await LocalActuator.start({ stable: 'http://127.0.0.1:9001', canary: 'node server.js', latencyBoundsMs:
 * [50, 250] }); await act.setWeight(10);
 * const { confirmedAt } = await act.rollback(); // every new request now goes to stable
 */
export class LocalActuator implements Actuator {
  readonly kind = 'local';
  private phase: ActuatorState['phase'] = 'idle';
  private readonly listeners = new Set<(f: ActuatorFault) => void>();
  private readonly now: () => number;

  private constructor(
    readonly router: WeightedRouter,
    readonly url: string,
    private readonly upstreams: { stable: Upstream; canary: Upstream; baseline?: Upstream },
    now: () => number,
  ) {
    this.now = now;
  }

  static async start(opts: LocalActuatorOptions): Promise<LocalActuator> {
    const now = opts.now ?? preciseNow;
    const listeners: ((f: ActuatorFault) => void)[] = [];
    const mk = (variant: 'stable' | 'canary' | 'baseline', target: string): Upstream =>
      new Upstream({
        variant,
        target,
        startTimeoutMs: opts.startTimeoutMs,
        cwd: opts.cwd,
        env: opts.env,
        onExit: (message) => {
          for (const l of listeners) l({ variant, message, at: now() });
        },
        onSpawn: (pid, command) => opts.onSpawn?.(variant, pid, command),
      });
    const stable = mk('stable', opts.stable);
    const canary = mk('canary', opts.canary);
    const baseline = opts.baseline !== undefined ? mk('baseline', opts.baseline) : undefined;
    try {
      // The baseline starts with the canary, so both are as cold (or as warm) when traffic reaches them.
      const [stableUrl, canaryUrl, baselineUrl] = await Promise.all([
        stable.start(),
        canary.start(),
        baseline?.start(),
      ]);
      const router = new WeightedRouter({
        host: opts.host,
        port: opts.port,
        stable: stableUrl,
        canary: canaryUrl,
        ...(baselineUrl ? { baseline: baselineUrl } : {}),
        latencyBoundsMs: opts.latencyBoundsMs,
      });
      const url = await router.listen();
      const act = new LocalActuator(router, url, { stable, canary, ...(baseline ? { baseline } : {}) }, now);
      listeners.push((f) => act.emit(f));
      return act;
    } catch (err) {
      await Promise.allSettled([stable.stop(), canary.stop(), baseline?.stop()]);
      throw err;
    }
  }

  /** The direct URL of one upstream (probes target each version on its own, not through the router). */
  upstreamUrl(variant: 'stable' | 'canary' | 'baseline'): string {
    return this.upstreams[variant]?.url?.toString().replace(/\/$/, '') ?? '';
  }

  state(): Promise<ActuatorState> {
    return Promise.resolve({
      phase: this.phase,
      canaryWeight: this.router.weight,
      stableUp: this.upstreams.stable.up,
      canaryUp: this.upstreams.canary.up,
    });
  }

  setWeight(percent: number): Promise<void> {
    if (this.phase === 'rolled-back' || this.phase === 'promoted')
      return Promise.reject(new Error(`the rollout is ${this.phase}; weights no longer change`));
    this.router.setWeight(percent);
    this.phase = 'progressing';
    return Promise.resolve();
  }

  promote(): Promise<void> {
    this.router.setWeight(100);
    this.phase = 'promoted';
    return Promise.resolve();
  }

  /** The fastest path: one assignment moves every new request to stable; nothing is awaited before it. */
  rollback(): Promise<RollbackResult> {
    this.router.setWeight(0);
    this.phase = 'rolled-back';
    return Promise.resolve({ confirmedAt: this.now() });
  }

  onFault(listener: (fault: ActuatorFault) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the router and any upstream commands it started. */
  async close(): Promise<void> {
    await this.router.close();
    await Promise.allSettled([
      this.upstreams.stable.stop(),
      this.upstreams.canary.stop(),
      this.upstreams.baseline?.stop(),
    ]);
  }

  private emit(fault: ActuatorFault): void {
    for (const l of this.listeners) l(fault);
  }
}
