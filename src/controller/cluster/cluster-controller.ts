import { mkdtempSync, rmSync } from 'node:fs';
import type { HeadSigner } from '../../evidence/head-signature.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../actuators/argo/lease.js';
import { RolloutClient, type RequestCounter } from '../../actuators/argo/rollout-client.js';
import { viewRollout, type RolloutObject } from '../../actuators/argo/rollout-status.js';
import { keyOf, RolloutWatcher, type RolloutEvent } from '../../actuators/argo/rollout-watcher.js';
import { decodeStateText, STATE_ANNOTATION } from '../../actuators/argo/state-annotation.js';
import { isTerminal } from '../../engine/rollout-machine.js';
import { AppError, errorMessage } from '../../errors.js';
import type { PolicySpec } from '../../schema/policy.js';
import { PrometheusSource } from '../../sources/prometheus/prometheus-source.js';
import { OTEL_POD_HASH_LABEL, otelNames, queryNamesFor } from '../../sources/prometheus/otel-names.js';
import { ControllerHub } from '../hub.js';
import { ControllerMetrics } from '../metrics.js';
import type { ObservationSource } from '../ports.js';
import { decodeState, parseJson } from './annotation-state.js';
import { BaselineTracker, withBaseline, type BaselineFound } from './baseline-tracker.js';
import { EvidenceConfigMaps } from './evidence-configmaps.js';
import { Limiter } from './limiter.js';
import { openClusterRollout } from './open-cluster-rollout.js';
import { persistRollout, type PersistedRollout } from './persist-rollout.js';
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
  /**
   * Where webhook `${env:…}` secrets and `spec.grafana.tokenEnv` are read (the controller's environment, e.g. a
   * Secret mounted as env); default: none.
   */
  env?: NodeJS.ProcessEnv;
  /** Namespace of the evidence ConfigMaps (default: the Lease's, the controller's own). */
  evidenceNamespace?: string;
  /** Local working copy of the evidence being written (default: a temp dir of its own, removed at stop). */
  evidenceDir?: string;
  webhookTimeoutMs?: number;
  /** Signs every evidence head written (`serve --evidence-key`); without it heads are unsigned. */
  signHead?: HeadSigner;
}

interface Running extends PersistedRollout {
  sources: ObservationSource[];
  persist: Promise<void>;
}

/**
 * `serve`: one controller for every Rollout in the cluster that carries the policy annotation. Only the Lease
 * holder acts; it resumes each rollout from the state annotation, runs its analysis loop, and writes the state
 * back after every interval and decision, after uploading the evidence (open-cluster-rollout.ts wires the
 * record: evidence ConfigMaps, webhooks, Events). When leadership is lost every loop stops at once (and every
 * actuator and state write is fenced on `isLeader()`, so nothing already in flight gets through); the standby
 * takes over.
 */
export class ClusterController {
  readonly hub = new ControllerHub();
  readonly metrics = new ControllerMetrics();
  readonly elector: LeaderElector;
  private readonly running = new Map<string, Running>();
  private readonly cache = new Map<string, RolloutObject>();
  private watcher: RolloutWatcher | undefined;
  private client!: RolloutClient;
  private evidence!: EvidenceConfigMaps;
  private workDir: string | undefined;
  private readonly opening = new Set<string>();
  /** Per-rollout subscribers to the one cluster-wide watch (the actuators' fault detection). */
  private readonly subscribers = new Map<string, Set<(e: RolloutEvent) => void>>();
  private shuttingDown = false;
  private closedQueries = 0;
  private readonly promLimiter = new Limiter(32);
  private readonly writeLimiter = new Limiter(16);
  /** Rollouts held by the silence check, looked at again after an interval. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: ClusterControllerOptions) {
    this.elector = new LeaderElector({
      kubeConfig: options.kubeConfig,
      namespace: options.leaseNamespace,
      name: options.leaseName ?? 'adaptive-canary-controller',
      identity: options.identity,
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      now: options.clock,
      onStartedLeading: () => {
        for (const ro of this.cache.values()) void this.consider(ro);
      },
      onStoppedLeading: () => void this.stopAll(this.shuttingDown ? 'shutting down' : 'leadership lost'),
    });
  }

  async start(): Promise<void> {
    this.client = await RolloutClient.create(this.options.kubeConfig, {}, this.options.counter);
    this.evidence = await EvidenceConfigMaps.create(
      this.options.kubeConfig,
      this.options.evidenceNamespace ?? this.options.leaseNamespace,
    );
    this.watcher = new RolloutWatcher(this.options.kubeConfig, this.client, (e) => {
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

  /**
   * Stops every loop (traffic untouched) and the watch; releases the lease for a fast handover unless
   * `release: false` (a crash, for tests). The loops stop while the Lease is still held, so the last webhook
   * outcomes and evidence are written before a standby takes over.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.shuttingDown = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
    this.watcher?.stop();
    if (opts.release ?? true) await this.stopAll('shutting down');
    await this.elector.stop(opts.release ?? true);
    await this.stopAll('shutting down');
    if (this.workDir && !this.options.evidenceDir) rmSync(this.workDir, { recursive: true, force: true });
  }

  /** The evidence working copy: given, or a fresh temp dir of this process (removed at stop). */
  private evidenceDir(): string {
    this.workDir ??= this.options.evidenceDir ?? mkdtempSync(join(tmpdir(), 'adaptive-canary-evidence-'));
    return this.workDir;
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }

  /** Opens a controller for a Rollout mid-canary, when we lead and none runs for its current canary. */
  private async consider(ro: RolloutObject): Promise<void> {
    const key = keyOf(ro);
    const v = viewRollout(ro);
    const run = this.running.get(key);
    if (!this.isLeader() || this.opening.has(key) || (run && run.canaryHash === v.canaryHash)) return;
    if (!v.canaryHash || !v.stableHash) return;
    // An ended Rollout is opened only when its stored state is still mid-canary: the leader before us aborted or
    // promoted it and died before writing that down, and the record must still say how it ended.
    if ((v.promoted || (v.aborted && !run)) && !(run === undefined && this.unrecordedEnd(ro, v.canaryHash))) return;
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

  /** The stored state of this canary is neither promoted nor rolled back. */
  private unrecordedEnd(ro: RolloutObject, canaryHash: string): boolean {
    const raw = ro.metadata.annotations?.[STATE_ANNOTATION];
    const phase = raw ? decodeState(parseJson(decodeStateText(raw)), canaryHash)?.stored.state.phase : undefined;
    return phase !== undefined && phase !== 'pending' && !isTerminal(phase);
  }

  private async open(ro: RolloutObject, stableHash: string, canaryHash: string): Promise<void> {
    const [ns, name] = [ro.metadata.namespace ?? 'default', ro.metadata.name ?? ''];
    const key = `${ns}/${name}`;
    const policy = policyFromAnnotation(ro.metadata.annotations?.[POLICY_ANNOTATION] ?? '', key);
    if (this.options.signatures) {
      const warning = checkRolloutSignature(ro, policy, this.options.signatures);
      if (warning) this.warn(`${key}: ${warning}`);
    }
    const raw = ro.metadata.annotations?.[STATE_ANNOTATION];
    const stored = raw ? decodeState(parseJson(decodeStateText(raw)), canaryHash) : null;
    const watch = (listener: (e: RolloutEvent) => void): (() => void) => {
      const set = this.subscribers.get(key) ?? new Set();
      this.subscribers.set(key, set.add(listener));
      return () => set.delete(listener);
    };
    const variant = { baseline: stableHash, canary: canaryHash };
    const sources = this.options.sources?.(policy, variant) ?? [this.prometheus(policy, variant)];
    const ref: { run?: Running } = {}; // set below; webhooks settle only after the loop started
    // A baseline Experiment's pods (rollout.baseline), once one runs, are what the canary is compared with.
    const baseline = new BaselineTracker({
      client: this.client,
      namespace: ns,
      rollout: () => this.cache.get(key),
      onBaseline: (found) => this.noteBaseline(key, ref.run, found),
      warn: (m) => this.warn(`${key}: ${m}`),
    });
    const rollout = await openClusterRollout({
      kubeConfig: this.options.kubeConfig,
      namespace: ns,
      name,
      uid: ro.metadata.uid,
      policy,
      variant,
      stored,
      sources: withBaseline(sources, baseline),
      evidenceStore: this.evidence,
      evidenceDir: this.evidenceDir(),
      identity: this.options.identity,
      metrics: this.metrics,
      env: this.options.env ?? {},
      fence: () => this.isLeader(),
      watch,
      warn: (m) => this.warn(m),
      onNotified: () => void (ref.run && this.schedulePersist(ref.run)),
      clock: this.options.clock,
      counter: this.options.counter,
      webhookTimeoutMs: this.options.webhookTimeoutMs,
      signHead: this.options.signHead,
    });
    const { controller, hooks } = rollout;
    if (controller.phase === 'pending' && hooks) {
      const pre = await hooks.preStart();
      if (!pre.start) {
        await controller.stop();
        rollout.close();
        this.retryLater(key, policy.interval);
        throw new AppError(
          'E_SILENCE_HOLD',
          `held by the silence check (spec.alerting.silenceCheck: hold): ${pre.reason}` +
            `; checking again in ${Math.max(policy.interval, 1_000) / 1000}s`,
        );
      }
    }
    const run: Running = {
      ...rollout,
      ns,
      name,
      sources,
      canaryHash,
      persist: Promise.resolve(),
      closed: false,
      lastRv: ro.metadata.resourceVersion,
      // An annotation with the intervals inline (written before they moved to the evidence) gets them appended.
      intervalsInEvidence: stored?.intervalsInEvidence ?? 0,
    };
    ref.run = run;
    this.running.set(key, run);
    this.hub.add(controller);
    controller.subscribe((e) => {
      if (e.type !== 'snapshot') void this.schedulePersist(run);
    });
    void controller.done.then(() => this.schedulePersist(run));
    controller.start();
  }

  /** Records in the evidence which baseline the canary is compared with from now on (and says so). */
  private noteBaseline(key: string, run: Running | undefined, found: BaselineFound): void {
    const message =
      `baseline: comparing the canary with the pods of Experiment ${found.experiment} (template ` +
      `${found.template}, fresh stable pods, pod-template-hash ${found.podTemplateHash})`;
    this.warn(`${key}: ${message}`);
    try {
      run?.evidence.sink.note?.({ topic: 'baseline', level: 'info', message, details: { ...found } });
    } catch (err) {
      this.warn(`${key}: evidence: ${errorMessage(err)}`);
    }
  }

  /** Queues a state write behind the rollout's previous one (they never overlap). */
  private schedulePersist(run: Running): Promise<void> {
    run.persist = run.persist.then(() => this.persist(run));
    return run.persist;
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
    const url = policy.prometheus?.url ?? this.options.prometheusUrl;
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

  private persist(entry: Running): Promise<void> {
    return persistRollout(entry, {
      client: this.client,
      limiter: this.writeLimiter,
      isLeader: () => this.isLeader(),
      warn: (m) => this.warn(m),
      retry: () => void this.schedulePersist(entry),
    });
  }

  /** Stops one loop; webhooks get 2 s to settle, then what settled is written (if we still lead). */
  private async close(key: string, run: Running): Promise<void> {
    this.running.delete(key);
    for (const s of run.sources) if (s instanceof PrometheusSource) this.closedQueries += s.http.queries;
    await run.controller.stop();
    // An OTLP source holds a subscription on the shared receiver: release it with the rollout.
    for (const s of run.sources) await s.close?.();
    await run.notifier.flush(2_000);
    await this.schedulePersist(run);
    run.closed = true;
    run.close();
  }

  private async stopAll(why: string): Promise<void> {
    const all = [...this.running.entries()];
    if (all.length) this.warn(`stopping ${all.length} rollout loop(s): ${why}`);
    await Promise.all(all.map(([key, run]) => this.close(key, run)));
  }
}
