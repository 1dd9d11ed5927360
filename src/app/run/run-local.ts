import { resolve } from 'node:path';
import type { CliIO } from '../../io.js';
import { println } from '../../io.js';
import { LocalActuator } from '../../actuators/local/local-actuator.js';
import { parseListen } from '../../server/listen-address.js';
import type { ProbeSuite } from '../../schema/probe-suite.js';
import { ControllerHub } from '../../controller/hub.js';
import { onInterrupt, onTerminate } from './interrupt.js';
import type { LoadedPolicy } from '../../controller/load-policy.js';
import { ControllerMetrics } from '../../controller/metrics.js';
import { openLocalRollout, type LocalRollout } from './open-local-rollout.js';
import { attachProgress } from './progress.js';
import type { EvidenceNote } from '../../controller/ports.js';
import type { HeadSigner } from '../../evidence/head-signature.js';
import type { RolloutController } from '../../controller/rollout-controller.js';
import { identify } from '../../controller/process-identity.js';
import { assertLockFree } from '../../controller/rollout-lock.js';
import { StateStore } from '../../controller/state-store.js';
import { forgetUpstreams, reapUpstreams, recordUpstream } from '../../controller/upstream-processes.js';
import type { RolloutSnapshot } from '../../controller/view.js';
import { OtlpSource } from '../../sources/otlp/otlp-source.js';
import { localOtlpSubscription, otlpBlock } from '../../sources/otlp/from-policy.js';
import { OtlpReceiver } from '../../sources/otlp/receiver.js';

export interface RunLocalOptions {
  io: CliIO;
  policy: LoadedPolicy;
  stable: string;
  canary: string;
  /** Baseline instances (fresh stable, URL or command) started with the canary; the judge compares with them. */
  baseline?: string;
  /** Dashboard/API address. */
  listen: string;
  /** Where the router listens (users send traffic there). */
  router: string;
  stateFile: string;
  /** Rollout id; default: resume the newest unfinished rollout of the service, else a new id. */
  id?: string;
  suite?: { suite: ProbeSuite; env: Record<string, string | undefined> };
  live: boolean;
  token?: string;
  /** Runs once the rollout has started (the drill triggers its chaos flow here). */
  afterStart?: (c: RolloutController, upstreams: { stable: string; canary: string }) => Promise<void>;
  upstreamStartTimeoutMs?: number;
  /** Checks made before the start (the manifest signature gate), for the rollout's evidence. */
  notes?: EvidenceNote[];
  /** With `spec.metricSource: {type: otlp}`: the variant attribute's values of stable and canary. */
  stableVariant?: string | undefined;
  canaryVariant?: string | undefined;
  /** With `--baseline` and OTLP: the baseline instances' value of that attribute (they are judged as `control`). */
  baselineVariant?: string | undefined;
  /** Signs every evidence head written (`--evidence-key`): `evidence verify --key` then proves the chain's end. */
  signHead?: HeadSigner | undefined;
}

export interface RunLocalResult {
  snapshot: RolloutSnapshot;
  /** True when a person chose to leave the rollout as it is (Ctrl-C → leave). */
  left: boolean;
  resumed: boolean;
  /** Set when the silence check held the start (spec.alerting.silenceCheck: hold): why. */
  held?: string;
}

export function newId(service: string): string {
  const d = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${service}-${d}`;
}

/**
 * `run` and `drill` on one machine: the router in front of the user's stable and canary, the controller with
 * SQLite state (resumes the unfinished rollout of the service), evidence, webhooks, dashboard, terminal
 * progress, and Ctrl-C asking whether to roll back or leave the canary as it is.
 */
export async function runLocal(options: RunLocalOptions): Promise<RunLocalResult> {
  const spec = options.policy.spec;
  const store = await StateStore.open(resolve(options.io.cwd, options.stateFile));
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    // Before any process starts: a missing variant value is a usage error, not a rollout half set up.
    const otlpSpec = otlpBlock(spec)
      ? localOtlpSubscription(spec, {
          stable: options.stableVariant,
          canary: options.canaryVariant,
          baseline: options.baselineVariant,
          baselineRuns: options.baseline !== undefined,
        })
      : undefined;
    const unfinished = store.list(spec.service).find((r) => r.phase !== 'promoted' && r.phase !== 'rolled-back');
    const id = options.id ?? unfinished?.id ?? newId(spec.service);
    const r = parseListen(options.router);
    // A controller killed with kill -9 left its upstream commands running: stop them before starting new ones
    // (only when nobody live holds the rollout; then they are that controller's).
    assertLockFree(store, id);
    await reapUpstreams(store, id, (m) => println(options.io.stderr, m));
    cleanups.push(() => forgetUpstreams(store, id));
    const started: string[] = [];
    const actuator = await LocalActuator.start({
      onSpawn: (variant, pid, command) => {
        recordUpstream(store, id, variant, identify(pid), command);
        started.push(`${variant} (pid ${pid})`);
      },
      host: r.host,
      port: r.port,
      stable: options.stable,
      canary: options.canary,
      ...(options.baseline ? { baseline: options.baseline } : {}),
      latencyBoundsMs: spec.latencyBoundsMs,
      cwd: options.io.cwd,
      env: options.io.env,
      startTimeoutMs: options.upstreamStartTimeoutMs,
    });
    cleanups.push(() => actuator.close());
    const upstreams = { stable: actuator.upstreamUrl('stable'), canary: actuator.upstreamUrl('canary') };
    const metrics = new ControllerMetrics();
    const warn = (m: string): void => println(options.io.stderr, `warning: ${m}`);
    // OTLP-sourced: the services push to this controller's /v1/metrics; the router only moves traffic.
    const otlp = otlpSpec ? new OtlpReceiver() : undefined;
    const sources = otlp && otlpSpec && [new OtlpSource(otlp, otlpSpec)];
    const rollout = await openLocalRollout({
      id,
      policy: spec,
      secrets: options.policy.secrets,
      actuator,
      ...(sources ? { sources } : {}),
      upstreams,
      store,
      metrics,
      cwd: options.io.cwd,
      suite: options.suite?.suite,
      suiteEnv: options.suite?.env,
      onWarning: warn,
      env: options.io.env,
      notes: options.notes,
      startedUpstreams: started,
      signHead: options.signHead,
    });
    cleanups.push(() => rollout.close());
    const afterStart = options.afterStart;
    return await superviseRollout(options, {
      rollout,
      metrics,
      cleanups,
      warn,
      where: `send traffic to ${actuator.url}`,
      afterStart: afterStart && ((c) => afterStart(c, upstreams)),
      otlp,
    });
  } finally {
    await cleanup();
  }
}

/** What every `run` target hands the supervisor straight from its own options. */
export type RunSession = Pick<RunLocalOptions, 'io' | 'listen' | 'token' | 'live'>;

export interface SuperviseOptions {
  rollout: LocalRollout;
  metrics: ControllerMetrics;
  /** Closed by the caller (in reverse order) once this returns. */
  cleanups: (() => Promise<void> | void)[];
  warn: (message: string) => void;
  /** What the start line tells people to do, e.g. "send traffic to http://…". */
  where: string;
  afterStart?: ((c: RolloutController) => Promise<void>) | undefined;
  /** Accept OTLP metrics on the listener into this receiver (the rollout's source reads it). */
  otlp?: OtlpReceiver | undefined;
}

/**
 * The part of `run` every target shares: the silence check before a new rollout, the dashboard/API server,
 * terminal progress, Ctrl-C (roll back or leave), and waiting until the rollout is finished or left.
 */
export async function superviseRollout(session: RunSession, options: SuperviseOptions): Promise<RunLocalResult> {
  const c = options.rollout.controller;
  const spec = c.meta.policy;
  if (c.phase === 'pending') {
    const pre = await options.rollout.preStart();
    if (!pre.start) {
      println(session.io.stderr, `not starting rollout ${c.id} of ${spec.service}: ${pre.reason}`);
      return { snapshot: c.snapshot(), left: false, resumed: c.resumed, held: pre.reason };
    }
  }
  let left = false;
  let leave: () => void = () => undefined;
  const leftP = new Promise<void>((res) => (leave = res));
  // SIGTERM is how systemd and Kubernetes stop a service: leave the rollout where it is (no rollback), stop what
  // this process started and free the lock, so the next `run` resumes it.
  options.cleanups.push(
    onTerminate(() => {
      println(session.io.stderr, `SIGTERM: stopping; rollout ${c.id} stays at its step and resumes on the next run`);
      left = true;
      leave();
    }),
  );
  const hub = new ControllerHub();
  hub.add(c);
  const { startServer } = await import('../../server/index.js');
  const server = await startServer({
    listen: session.listen,
    view: hub,
    registry: options.metrics.registry,
    token: session.token,
    otlp: options.otlp,
  });
  options.cleanups.push(() => server.close());
  println(
    session.io.stdout,
    `${c.resumed ? 'resuming' : 'starting'} rollout ${c.id} of ${spec.service}` +
      `: ${options.where}  dashboard: ${server.url}${options.otlp ? `  OTLP metrics: ${server.url}v1/metrics` : ''}`,
  );
  if (c.restart) println(session.io.stdout, `${c.id}  ${c.restart.message}`);
  options.cleanups.push(attachProgress(hub, session.io.stdout, { live: session.live }));
  options.cleanups.push(
    onInterrupt(session.io, async (choice) => {
      if (choice === 'leave') {
        left = true;
        leave();
      } else {
        await c.act('abort', 'ctrl-c').catch(() => undefined);
      }
    }),
  );
  c.start();
  const after = options.afterStart?.(c).catch((err: unknown) => options.warn(`${(err as Error).message}`));
  await Promise.race([c.done, leftP]);
  await after;
  return { snapshot: c.snapshot(), left, resumed: c.resumed };
}
