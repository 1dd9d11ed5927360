import { preciseNow, type Actuator, type ActuatorFault } from '../actuators/actuator.js';
import {
  initialState,
  isTerminal,
  transition,
  type RolloutDecision,
  type RolloutEvent,
  type RolloutState,
  type TransitionResult,
} from '../engine/rollout-machine.js';
import { planFromPolicy } from '../engine/rollout-plan.js';
import type { Analysis, Assessment, Reason } from '../engine/assessment.js';
import type { IntervalObservation, VariantObservation } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import { DecisionOutbox } from './decision-outbox.js';
import type { ControllerMetrics, VariantVersions } from './metrics.js';
import type { EvidenceSink, Notifier, ObservationSource } from './ports.js';
import { RolloutLock } from './rollout-lock.js';
import { buildSnapshot, decisionPoint, intervalPoint } from './snapshot.js';
import type { RolloutMeta, StateStore, StoredInterval } from './state-store.js';
import type { ControllerEvent, DecisionPoint, IntervalPoint, ManualAction, RolloutSnapshot } from './view.js';

type SourceResult = Awaited<ReturnType<ObservationSource['collect']>>;

export interface RolloutControllerOptions {
  id: string;
  policy: PolicySpec;
  actuator: Actuator;
  sources: ObservationSource[];
  createAnalysis: (policy: PolicySpec) => Analysis;
  store: StateStore;
  metrics: ControllerMetrics;
  evidence?: EvidenceSink;
  notifier?: Notifier;
  /** Epoch ms; injected so tests and replays control time. */
  clock?: () => number;
  /** When the fault was injected (demo, drill): time to decide is measured from it. */
  onsetAt?: number | null;
  lockStaleMs?: number;
  /** Version label values of stable and canary, for the variant info metric the rendered rules join on. */
  versions?: VariantVersions;
  /** Problems that must not stop the loop (evidence disk full, a source failing), for the terminal. */
  onWarning?: (message: string) => void;
  /**
   * The id the evidence and webhooks know this rollout by, when it is not `id`: serve's controllers are found
   * by `namespace/name`, but each canary revision of a Rollout is a rollout of its own.
   */
  publicId?: string;
  /** A decision's webhooks settled after it was stored (its outbox flag changed): serve persists again. */
  onNotified?: () => void;
  /**
   * The upstream processes this controller has just started (e.g. "canary (pid 4242)"). On a resume they are
   * as cold as at the start: the policy's warm-up applies again from here (observations carry `restartedAt`),
   * and the evidence records the restart.
   */
  startedUpstreams?: string[];
}

/** A resume that restarted the upstream processes: from when (rollout seconds) and until when it is not judged. */
export interface UpstreamRestart {
  at: number;
  warmupUntil: number;
  upstreams: string[];
  /** What the evidence note says (the terminal shows it too). */
  message: string;
}

/**
 * Drives one rollout: every interval it collects observations, asks the judge, runs the state machine, and
 * carries out the decision. Rollback is actuated before anything else, even before the state is written;
 * every other decision is written first, then actuated, so a crash can repeat an action but never lose one.
 * Opening an existing rollout id resumes it: the judge is rebuilt from the stored observations, the actuator
 * restored to the stored weight, and decisions whose webhook or evidence was pending are sent again.
 */
export class RolloutController {
  private state: RolloutState = initialState();
  private analysis!: Analysis;
  private lastAssessment: Assessment | null = null;
  private lastT = 0;
  private lastTickAt = 0;
  private createdAt = 0;
  private rollback: { decidedAt: number; confirmedAt: number } | null = null;
  private readonly points: IntervalPoint[] = [];
  private readonly decisions: DecisionPoint[] = [];
  private readonly listeners = new Set<(e: ControllerEvent) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private finished = false;
  private unsubscribeFault: () => void = () => undefined;
  private resolveDone!: (s: RolloutSnapshot) => void;
  /** Resolves with the final snapshot once the rollout is promoted or rolled back. */
  readonly done: Promise<RolloutSnapshot>;
  readonly meta: RolloutMeta;
  private readonly now: () => number;
  private lock!: RolloutLock;
  private readonly outbox: DecisionOutbox;
  /** True when this controller picked up a rollout a previous process had started. */
  resumed = false;
  /** Set when this resume restarted the upstream processes (their warm-up starts again). */
  restart: UpstreamRestart | undefined;
  /** A resume that found traffic already at an end the stored state lacks: recorded once the loop starts. */
  private found: Extract<RolloutEvent, { type: 'found' }> | undefined;

  private constructor(private readonly options: RolloutControllerOptions) {
    this.now = options.clock ?? preciseNow;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.meta = {
      id: options.id,
      service: options.policy.service,
      plan: planFromPolicy(options.policy),
      policy: options.policy,
      onsetAt: options.onsetAt ?? null,
      evidenceDir: options.evidence?.dir ?? null,
    };
    this.outbox = new DecisionOutbox({
      rolloutId: options.id,
      service: options.policy.service,
      store: options.store,
      evidence: options.evidence,
      notifier: options.notifier,
      now: this.now,
      onWarning: options.onWarning,
      sources: options.sources.map((s) => s.name),
      publicId: options.publicId,
      // A decision's webhooks settled: a fresh snapshot carries their outcome to live views (the dashboard).
      onNotified: () => {
        options.onNotified?.();
        if (!this.stopped) this.emit({ type: 'snapshot', rollout: this.snapshot() });
      },
    });
  }

  /** Takes the rollout's lock (refusing if another live controller has it), then creates or resumes it. */
  static async open(options: RolloutControllerOptions): Promise<RolloutController> {
    const c = new RolloutController(options);
    c.lock = RolloutLock.acquire(options.store, options.id, { staleMs: options.lockStaleMs, now: c.now });
    try {
      await c.restore();
    } catch (err) {
      c.lock.release();
      throw err;
    }
    return c;
  }

  get id(): string {
    return this.meta.id;
  }

  get phase(): RolloutState['phase'] {
    return this.state.phase;
  }

  /**
   * Starts the loop (`loop: false`: only `tickNow` runs intervals, for tests); a new rollout moves to its first step
   * now.
   */
  start(opts: { loop?: boolean } = {}): void {
    this.unsubscribeFault = this.options.actuator.onFault((f) => void this.enqueue(() => this.onFault(f)));
    const s = this.state;
    if (!isTerminal(s.phase))
      this.options.metrics.startRollout(this.meta.service, this.id, {
        startedAtMs: s.startedAt ?? this.now(),
        weight: s.weight,
        step: s.step,
        versions: this.options.versions,
      });
    if (this.state.phase === 'pending')
      void this.enqueue(() =>
        this.apply(transition(this.meta.plan, this.state, { type: 'start', at: this.now() }), null),
      );
    const found = this.found;
    this.found = undefined;
    if (found) void this.enqueue(() => this.apply(transition(this.meta.plan, this.state, found), null, 'in place'));
    if (opts.loop !== false) this.schedule();
  }

  snapshot(): RolloutSnapshot {
    return buildSnapshot({
      meta: this.meta,
      state: this.state,
      intervals: this.points,
      decisions: this.decisions,
      reasons: this.lastAssessment?.reasons ?? [],
      rollback: this.rollback,
      createdAt: this.createdAt,
      updatedAt: this.now(),
      webhookDeliveries: this.options.notifier?.deliveries?.() ?? [],
    });
  }

  subscribe(listener: (e: ControllerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A person's promote/abort/pause/resume; rejects when the phase does not allow it. */
  act(action: ManualAction, actor: string): Promise<RolloutSnapshot> {
    return this.enqueue(async () => {
      const r = transition(this.meta.plan, this.state, { type: 'manual', at: this.now(), action, actor });
      if (r.rejected) throw new Error(r.rejected);
      await this.apply(r, null);
      return this.snapshot();
    });
  }

  /** Marks when a fault was injected (demo, drill); time to decide is then measured from it. */
  markOnset(at: number): void {
    this.meta.onsetAt = at;
    this.options.store.updateMeta(this.meta);
  }

  /** Runs one analysis interval now (tests; the loop calls it on schedule). */
  tickNow(): Promise<void> {
    return this.enqueue(() => this.tick());
  }

  /** Stops the loop and releases the lock without touching traffic (the rollout can be resumed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribeFault();
    await this.queue.catch(() => undefined);
    this.lock.release();
  }

  private schedule(): void {
    if (this.stopped || isTerminal(this.state.phase)) return;
    const delay = Math.max(0, this.lastTickAt + this.meta.plan.intervalMs - this.now());
    this.timer = setTimeout(() => {
      // A failed tick was already reported (enqueue's warning); the loop carries on.
      void this.enqueue(() => this.tick())
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, delay);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch((err: unknown) => this.options.onWarning?.(`controller: ${(err as Error).message}`));
    return run;
  }

  private async tick(): Promise<void> {
    if (this.stopped || isTerminal(this.state.phase) || this.state.phase === 'pending') return;
    const at = this.now();
    const durationMs = Math.min(Math.max(0, at - this.lastTickAt), 3 * this.meta.plan.intervalMs);
    this.lastTickAt = at;
    const observation = await this.collect(durationMs);
    const assessment = this.analysis.evaluate(observation);
    this.lastAssessment = assessment;
    const r = transition(this.meta.plan, this.state, {
      type: 'interval',
      at: this.now(),
      durationMs,
      assessment,
      canaryRequests: observation.canary?.requests ?? 0,
    });
    const point = intervalPoint(observation, assessment, this.state, at);
    this.points.push(point);
    this.options.metrics.observeInterval(this.meta.service, this.id, {
      verdict: assessment.verdict,
      score: assessment.score,
      weight: r.state.weight,
      step: r.state.step,
      atMs: at,
    });
    await this.apply(r, { observation, assessment, point });
  }

  private async collect(durationMs: number): Promise<IntervalObservation> {
    const parts = await Promise.all(
      this.options.sources.map((s) =>
        s.collect().catch((err: unknown): SourceResult => {
          this.options.onWarning?.(`source ${s.name}: ${(err as Error).message}`);
          return {};
        }),
      ),
    );
    const merge = (variant: 'baseline' | 'canary' | 'control'): VariantObservation | null => {
      const fields = parts.map((p) => p[variant]).filter((v): v is VariantObservation => Boolean(v));
      return fields.length ? (Object.assign({}, ...fields) as VariantObservation) : null;
    };
    this.lastT = Math.round((this.lastT + durationMs / 1000) * 1000) / 1000;
    const [baseline, canary, control] = [merge('baseline'), merge('canary'), merge('control')];
    return {
      t: this.lastT,
      weight: this.state.weight,
      baseline,
      canary,
      ...(control ? { control } : {}),
      ...(this.restart ? { restartedAt: this.restart.at } : {}),
    };
  }

  private async onFault(f: ActuatorFault): Promise<void> {
    if (f.ended === 'promoted') {
      const reason = foundReason('pass', `${f.message}; recorded as promoted, the bake cut short`);
      const found = { type: 'found', at: f.at, outcome: 'promoted', reason } as const;
      return this.apply(transition(this.meta.plan, this.state, found), null, 'in place');
    }
    const reason: Reason = {
      signal: `upstream-${f.variant}`,
      verdict: 'fail',
      statistic: 'process-exit',
      value: 1,
      threshold: 0,
      message:
        `${f.message}; rolling back` +
        `${f.variant === 'stable' ? ' (stable is down too: traffic has nowhere healthy to go, page the oncall)' : ''}`,
    };
    await this.apply(
      transition(this.meta.plan, this.state, { type: 'fault', at: f.at, reason } satisfies RolloutEvent),
      null,
    );
  }

  /**
   * Carries out one transition: rollback first, then persist, then any other actuation, then tell the world —
   * interval, decision, snapshot, in that order, so the last snapshot of a finished rollout is its final word
   * and every interval is followed by a fresh snapshot (live reasons and bake progress). `traffic: 'in place'`
   * records a decision whose traffic change already happened (a found outcome): nothing is actuated, and no
   * rollback duration is measured, since nobody knows when it was decided.
   */
  private async apply(
    r: TransitionResult,
    interval: Omit<StoredInterval, 'seq'> | null,
    traffic: 'move' | 'in place' = 'move',
  ): Promise<void> {
    const d = r.decision;
    let rollback: { decidedAt: number; confirmedAt: number } | undefined;
    if (d?.action === 'rollback' && traffic === 'move') {
      const decidedAt = this.now();
      const { confirmedAt } = await this.options.actuator.rollback();
      rollback = { decidedAt, confirmedAt: Math.max(decidedAt, confirmedAt) };
      this.rollback = rollback;
      this.options.metrics.observeRollback(this.meta.service, (rollback.confirmedAt - rollback.decidedAt) / 1000);
    }
    const seq = this.options.store.write(
      this.id,
      { state: r.state, interval: interval ?? undefined, decision: d, rollback },
      this.now(),
    );
    this.state = r.state;
    const decided = d !== undefined && seq !== undefined;
    if (decided) {
      if (d.action !== 'rollback' && traffic === 'move') await this.actuate(d);
      this.decisions.push(decisionPoint(d));
      this.options.metrics.observeDecision(this.meta.service, this.id, {
        decision: d.action,
        weight: r.state.weight,
        step: r.state.step,
      });
      this.outbox.publish(seq, d, interval);
    }
    if (interval) this.emit({ type: 'interval', rolloutId: this.id, point: interval.point });
    if (decided) this.emit({ type: 'decision', rolloutId: this.id, decision: decisionPoint(d) });
    if (interval || decided) this.emit({ type: 'snapshot', rollout: this.snapshot() });
    if (decided && isTerminal(r.state.phase)) this.finish();
  }

  private async actuate(d: RolloutDecision): Promise<void> {
    try {
      if (d.action === 'promote') await this.options.actuator.promote();
      else if (d.action === 'start' || d.action === 'step') await this.options.actuator.setWeight(d.weight);
    } catch (err) {
      // Traffic did not move as decided: the safe direction is back to stable — unless someone already promoted
      // it fully (their word, recorded as such). Queued, so it runs right after this decision is published and
      // the outcome stays the last word in the evidence and the event stream.
      const message = `actuator failed to ${d.action}: ${(err as Error).message}`;
      void this.enqueue(async () => {
        const now = await this.options.actuator.state().then(
          (s) => s.phase,
          () => undefined,
        );
        const ended = now === 'promoted' ? ({ ended: 'promoted' } as const) : {};
        await this.onFault({ variant: 'canary', message, at: this.now(), ...ended });
      });
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.options.metrics.finishRollout(this.meta.service, this.id);
    const snap = this.snapshot();
    this.outbox.finish(snap);
    this.resolveDone(snap);
  }

  private emit(e: ControllerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private async restore(): Promise<void> {
    const o = this.options;
    this.analysis = o.createAnalysis(o.policy);
    const stored = o.store.load(o.id);
    this.createdAt = this.now();
    this.lastTickAt = this.now();
    o.metrics.registerService(this.meta.service);
    if (!stored) {
      o.store.create(this.meta, this.state, this.now());
      return;
    }
    this.resumed = true;
    Object.assign(this.meta, { plan: stored.meta.plan, onsetAt: stored.meta.onsetAt ?? this.meta.onsetAt });
    this.analysis = o.createAnalysis(stored.meta.policy);
    for (const i of stored.intervals) this.lastAssessment = this.analysis.evaluate(i.observation);
    this.points.push(...stored.intervals.map((i) => i.point));
    this.lastT = stored.intervals.at(-1)?.observation.t ?? 0;
    this.decisions.push(...stored.decisions.map((d) => decisionPoint(d.decision)));
    this.state = stored.state;
    this.rollback =
      stored.rollbackDecidedAt !== null && stored.rollbackConfirmedAt !== null
        ? { decidedAt: stored.rollbackDecidedAt, confirmedAt: stored.rollbackConfirmedAt }
        : null;
    this.found = await this.foundOutcome();
    if (!this.found) await this.restoreTraffic();
    this.outbox.resend(stored.decisions);
    if (isTerminal(this.state.phase)) this.finish();
    else if (this.state.phase !== 'pending' && (o.startedUpstreams ?? []).length > 0)
      this.noteRestart(o.startedUpstreams ?? [], stored.meta.policy.warmup);
  }

  /**
   * Fresh upstream processes after a resume are cold again; without a second warm-up the canary's few requests
   * would carry its cold start far more than stable's many (an identical canary rolled back after restarts).
   */
  private noteRestart(upstreams: string[], warmupMs: number): void {
    const at = this.lastT;
    const warmupUntil = Math.round((at + warmupMs / 1000) * 1000) / 1000;
    const message =
      `resumed at t=${at}s with freshly started upstreams (${upstreams.join(', ')}): ` +
      (warmupMs > 0
        ? `the policy's warm-up of ${warmupMs / 1000}s applies again: intervals ending by ` +
          `t=${warmupUntil}s are observed, not judged`
        : 'the policy has no warm-up (spec.warmup), so their cold start is judged as it was at the start');
    this.restart = { at, warmupUntil, upstreams, message };
    try {
      this.options.evidence?.note?.({
        topic: 'restart',
        level: 'info',
        message,
        details: { restartedAt: at, warmupSeconds: warmupMs / 1000, upstreams },
      });
    } catch (err) {
      this.options.onWarning?.(`evidence: could not record the restart: ${(err as Error).message}`);
    }
  }

  /**
   * A rollout stored mid-canary whose traffic the actuator reports rolled back or promoted: the previous process
   * moved it and stopped before its decision was written (rollback is actuated before the write), or someone did
   * outside adaptive-canary. Either way the record must say how it ended, not drive the traffic back.
   */
  private async foundOutcome(): Promise<Extract<RolloutEvent, { type: 'found' }> | undefined> {
    const { phase, weight } = this.state;
    if (phase === 'pending' || isTerminal(phase)) return undefined;
    const outcome = (await this.options.actuator.state()).phase;
    if (outcome !== 'rolled-back' && outcome !== 'promoted') return undefined;
    const [done, by] = outcome === 'rolled-back' ? ['rolled back', 'aborted'] : ['promoted', 'promoted'];
    const reason = foundReason(
      outcome === 'rolled-back' ? 'fail' : 'pass',
      `found already ${done} on resume (${this.options.actuator.kind}), while the stored state was ` +
        `${phase} at ${weight}%: the previous controller ${by} it and stopped before recording why, ` +
        `or it was ${by} outside adaptive-canary`,
    );
    return { type: 'found', at: this.now(), outcome, reason };
  }

  /** Puts traffic where the stored state says; a remembered rollback is re-applied before anything else. */
  private async restoreTraffic(): Promise<void> {
    const a = this.options.actuator;
    if (this.state.phase === 'rolled-back') await a.rollback();
    else if (this.state.phase === 'promoted') await a.promote();
    else if (this.state.phase !== 'pending') await a.setWeight(this.state.weight);
  }
}

/** The reason of an outcome found rather than decided here (rollout-machine's `found` event). */
function foundReason(verdict: Reason['verdict'], message: string): Reason {
  return { signal: 'rollout', verdict, statistic: 'found', value: 1, threshold: 0, message };
}
