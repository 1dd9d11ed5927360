import type { KubeConfig } from '@kubernetes/client-node';
import { ArgoActuator } from '../../actuators/argo/argo-actuator.js';
import { LeaderElector } from '../../actuators/argo/lease.js';
import { RolloutClient, type RequestCounter } from '../../actuators/argo/rollout-client.js';
import { viewRollout, type RolloutObject } from '../../actuators/argo/rollout-status.js';
import { keyOf, RolloutWatcher, type RolloutEvent } from '../../actuators/argo/rollout-watcher.js';
import { STATE_ANNOTATION, updateState } from '../../actuators/argo/state-annotation.js';
import { createAnalysis } from '../../engine/analysis.js';
import { AppError, errorMessage } from '../../errors.js';
import type { PolicySpec } from '../../schema/policy.js';
import { PrometheusSource } from '../../sources/prometheus.js';
import { OTEL_POD_HASH_LABEL, otelNames, queryNamesFor } from '../../sources/prometheus/otel-names.js';
import { ControllerHub } from '../hub.js';
import { ControllerMetrics } from '../metrics.js';
import { ObservabilityHooks } from '../observability-hooks.js';
import type { ObservationSource } from '../ports.js';
import { RolloutController } from '../rollout-controller.js';
import { StateStore } from '../state-store.js';
import { decodeState, seedStore, type AnnotationState } from './annotation-state.js';
import { Limiter } from './limiter.js';
import { POLICY_ANNOTATION, policyFromAnnotation } from './rollout-policy.js';
import { checkRolloutSignature, type RolloutSignatureOptions } from './rollout-signature.js';

export interface ClusterControllerOptions {
  kubeConfig: KubeConfig;
  /** This replica (pod name). */
  identity: string;
  leaseNamespace: string;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Used when a policy has no spec.prometheus. */
  prometheusUrl?: string;
  /** Observation sources for one rollout; default (or when it gives undefined): Prometheus by pod template hash. */
  sources?: (policy: PolicySpec, variant: { baseline: string; canary: string }) => ObservationSource[] | undefined;
  clock?: () => number;
  onWarning?: (message: string) => void;
  /** Counts Kubernetes API requests (benchmark). */
  counter?: RequestCounter;
  /**
   * The manifest signature gate (rollout-signature.ts): given, a Rollout whose policy requires signatures is only
   * driven when it verifies against `publicKey` (or `allowUnsigned`). `serve` always passes it; left out, no gate.
   */
  signatures?: RolloutSignatureOptions;
  /** Where the observability hooks read `spec.grafana.tokenEnv`; default: no Grafana annotations. */
  env?: NodeJS.ProcessEnv;
}

interface Running {
  controller: RolloutController;
  store: StateStore;
  actuator: ArgoActuator;
  sources: ObservationSource[];
  canaryHash: string;
  persist: Promise<void>;
  hooks: ObservabilityHooks | undefined;
  /** resourceVersion of our last state write, so the next write needs no read (a 409 falls back to one). */
  lastRv: string | undefined;
}

/**
 * `serve`: one controller for every Rollout in the cluster that carries the policy annotation. Only the Lease
 * holder acts; it resumes each rollout from the state annotation, runs its analysis loop, and writes the state
 * back after every interval and decision. When leadership is lost every loop stops at once (and every actuator
 * and state write is fenced on `isLeader()`, so nothing already in flight gets through); the standby takes over.
 */
export class ClusterController {
  readonly hub = new ControllerHub();
  readonly metrics = new ControllerMetrics();
  readonly elector: LeaderElector;
  private readonly running = new Map<string, Running>();
  private readonly cache = new Map<string, RolloutObject>();
  private watcher: RolloutWatcher | undefined;
  private client!: RolloutClient;
  private readonly opening = new Set<string>();
  /** Per-rollout subscribers to the one cluster-wide watch (the actuators' fault detection). */
  private readonly subscribers = new Map<string, Set<(e: RolloutEvent) => void>>();
  private shuttingDown = false;
  private closedQueries = 0;
  private readonly promLimiter = new Limiter(32);
  private readonly writeLimiter = new Limiter(16);
  /** Rollouts held by the silence check, looked at again after an interval. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: ClusterControllerOptions) {
    this.elector = new LeaderElector({
      kubeConfig: o.kubeConfig,
      namespace: o.leaseNamespace,
      name: o.leaseName ?? 'adaptive-canary-controller',
      identity: o.identity,
      leaseDurationMs: o.leaseDurationMs,
      renewDeadlineMs: o.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs,
      now: o.clock,
      onStartedLeading: () => {
        for (const ro of this.cache.values()) void this.consider(ro);
      },
      onStoppedLeading: () => void this.stopAll(this.shuttingDown ? 'shutting down' : 'leadership lost'),
    });
  }

  async start(): Promise<void> {
    this.client = await RolloutClient.create(this.o.kubeConfig, {}, this.o.counter);
    this.watcher = new RolloutWatcher(this.o.kubeConfig, this.client, (e) => {
      for (const l of this.subscribers.get(keyOf(e.rollout)) ?? []) l(e);
      if (e.type === 'delete') this.cache.delete(keyOf(e.rollout));
      else if (e.rollout.metadata.annotations?.[POLICY_ANNOTATION] !== undefined) {
        this.cache.set(keyOf(e.rollout), e.rollout);
        void this.consider(e.rollout);
      }
    });
    await this.watcher.start();
    this.elector.start();
  }

  isLeader(): boolean {
    return this.elector.isLeader();
  }

  /** PromQL queries sent so far by the rollouts running now (for /metrics and the benchmark). */
  prometheusQueries(): number {
    let n = this.closedQueries;
    for (const run of this.running.values())
      for (const s of run.sources) if (s instanceof PrometheusSource) n += s.http.queries;
    return n;
  }

  /** Stops every loop (traffic untouched) and the watch; releases the lease for a fast handover unless `release: false`. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    this.watcher?.stop();
    await this.elector.stop(opts.release ?? true);
    await this.stopAll('shutting down');
  }

  private warn(message: string): void {
    this.o.onWarning?.(message);
  }

  /** Opens a controller for a Rollout mid-canary, when we lead and none runs for its current canary. */
  private async consider(ro: RolloutObject): Promise<void> {
    const key = keyOf(ro);
    const v = viewRollout(ro);
    const run = this.running.get(key);
    if (!this.isLeader() || this.opening.has(key) || (run && run.canaryHash === v.canaryHash)) return;
    if (!v.canaryHash || !v.stableHash || v.promoted || (v.aborted && !run)) return;
    this.opening.add(key);
    try {
      if (run) await this.close(key, run); // a new revision replaced the canary
      await this.open(ro, v.stableHash, v.canaryHash);
    } catch (err) {
      this.warn(`${key}: not started: ${errorMessage(err)}`);
    } finally {
      this.opening.delete(key);
    }
  }

  private async open(ro: RolloutObject, stableHash: string, canaryHash: string): Promise<void> {
    const [ns, name] = [ro.metadata.namespace ?? 'default', ro.metadata.name ?? ''];
    const key = `${ns}/${name}`;
    const policy = policyFromAnnotation(ro.metadata.annotations?.[POLICY_ANNOTATION] ?? '', key);
    if (this.o.signatures) {
      const warning = checkRolloutSignature(ro, policy, this.o.signatures);
      if (warning) this.warn(`${key}: ${warning}`);
    }
    const store = await StateStore.open(':memory:');
    const raw = ro.metadata.annotations?.[STATE_ANNOTATION];
    const stored = raw ? decodeState(safeJson(raw), canaryHash) : null;
    if (stored) seedStore(store, stored, (this.o.clock ?? Date.now)());
    const watch = (listener: (e: RolloutEvent) => void): (() => void) => {
      const set = this.subscribers.get(key) ?? new Set();
      this.subscribers.set(key, set.add(listener));
      return () => set.delete(listener);
    };
    const actuator = await ArgoActuator.create({
      kubeConfig: this.o.kubeConfig,
      namespace: ns,
      rollout: name,
      fence: () => this.isLeader(),
      now: this.o.clock,
      watch,
      counter: this.o.counter,
    });
    const variant = { baseline: stableHash, canary: canaryHash };
    const sources = this.o.sources?.(policy, variant) ?? [this.prometheus(policy, variant)];
    // No evidence log on a cluster (the state annotation is the record): hook outcomes go to the warnings.
    const hooks = ObservabilityHooks.create({
      policy,
      rolloutId: key,
      env: this.o.env ?? {},
      onWarning: (m) => this.warn(`${key}: ${m}`),
      now: this.o.clock,
    });
    const controller = await RolloutController.open({
      id: key,
      policy,
      actuator,
      sources,
      createAnalysis: (p) => createAnalysis(p),
      store,
      metrics: this.metrics,
      clock: this.o.clock,
      onWarning: (m) => this.warn(`${key}: ${m}`),
      notifier: hooks,
      versions: { stable: stableHash, canary: canaryHash },
    });
    if (controller.phase === 'pending' && hooks) {
      const pre = await hooks.preStart();
      if (!pre.start) {
        await controller.stop();
        actuator.close();
        store.close();
        this.retryLater(key, policy.interval);
        throw new AppError(
          'E_SILENCE_HOLD',
          `held by the silence check (spec.alerting.silenceCheck: hold): ${pre.reason}; checking again in ${Math.max(policy.interval, 1_000) / 1000}s`,
        );
      }
    }
    const entry: Running = {
      controller,
      store,
      actuator,
      sources,
      canaryHash,
      hooks,
      persist: Promise.resolve(),
      lastRv: ro.metadata.resourceVersion,
    };
    this.running.set(key, entry);
    this.hub.add(controller);
    controller.subscribe((e) => {
      if (e.type !== 'snapshot') entry.persist = entry.persist.then(() => this.persist(ns, name, entry));
    });
    void controller.done.then(() => (entry.persist = entry.persist.then(() => this.persist(ns, name, entry))));
    controller.start();
  }

  /** Looks at a held Rollout again (through the cache, so a deleted one is dropped) after about an interval. */
  private retryLater(key: string, intervalMs: number): void {
    clearTimeout(this.retries.get(key));
    const t = setTimeout(
      () => {
        this.retries.delete(key);
        const ro = this.cache.get(key);
        if (ro && !this.shuttingDown) void this.consider(ro);
      },
      Math.max(intervalMs, 1_000),
    );
    t.unref();
    this.retries.set(key, t);
  }

  private prometheus(policy: PolicySpec, variant: { baseline: string; canary: string }): PrometheusSource {
    const url = policy.prometheus?.url ?? this.o.prometheusUrl;
    if (!url) throw new Error('no Prometheus: set spec.prometheus.url in the policy or --prometheus-url');
    return new PrometheusSource({
      url,
      timeoutMs: policy.prometheus?.timeout,
      selectors: policy.prometheus?.selectors ?? {},
      variant: { label: otelNames(policy) ? OTEL_POD_HASH_LABEL : 'rollouts_pod_template_hash', ...variant },
      latencyBoundsMs: policy.latencyBoundsMs,
      metrics: policy.metrics,
      names: queryNamesFor(policy),
      fetch: this.promLimiter.fetch(),
    });
  }

  /** Writes the rollout's state to its annotation; fenced, so a replica that lost the lease writes nothing. */
  private async persist(ns: string, name: string, entry: Running): Promise<void> {
    if (!this.isLeader()) return;
    const stored = entry.store.load(`${ns}/${name}`);
    if (!stored) return;
    try {
      const known = entry.lastRv === undefined ? undefined : { state: null, resourceVersion: entry.lastRv };
      const { resourceVersion } = await this.writeLimiter.run(() =>
        updateState<AnnotationState>(this.client, ns, name, () => ({ v: 1, canaryHash: entry.canaryHash, stored }), {
          known,
        }),
      );
      entry.lastRv = resourceVersion;
    } catch (err) {
      this.warn(`${ns}/${name}: state annotation not written: ${errorMessage(err)}`);
    }
  }

  private async close(key: string, run: Running): Promise<void> {
    this.running.delete(key);
    for (const s of run.sources) if (s instanceof PrometheusSource) this.closedQueries += s.http.queries;
    await run.controller.stop();
    // An OTLP source holds a subscription on the shared receiver: release it with the rollout.
    for (const s of run.sources) await s.close?.();
    await run.hooks?.flush(2_000);
    run.actuator.close();
    run.store.close();
  }

  private async stopAll(why: string): Promise<void> {
    const all = [...this.running.entries()];
    if (all.length) this.warn(`stopping ${all.length} rollout loop(s): ${why}`);
    await Promise.all(all.map(([key, run]) => this.close(key, run)));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
