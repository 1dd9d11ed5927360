import { headline } from '../../engine/reason-text.js';
import { randomBytes } from 'node:crypto';
import { LocalActuator } from '../../actuators/local/local-actuator.js';
import type { ControllerHub } from '../../controller/hub.js';
import type { ControllerMetrics } from '../../controller/metrics.js';
import type { EvidenceNote } from '../../controller/ports.js';
import { openLocalRollout } from '../run/open-local-rollout.js';
import type { StateStore } from '../../controller/state-store.js';
import type { RolloutSnapshot } from '../../controller/view.js';
import type { PolicySpec } from '../../schema/policy.js';
import type { ProbeSuite } from '../../schema/probe-suite.js';
import { prepareSuite } from '../../synthetics/prepare-suite.js';
import { runFlow } from '../../synthetics/run-flow.js';
import type { MaestroFaults } from '../../demo/maestro-api-faults.js';
import { startMaestroApi } from '../../demo/maestro-api.js';
import { TrafficGenerator } from '../../demo/traffic.js';
import { OtlpSource } from '../../sources/otlp/otlp-source.js';
import { otlpSubscription } from '../../sources/otlp/from-policy.js';
import type { OtlpReceiver } from '../../sources/otlp/receiver.js';
import { OTLP_HTTP_DURATION, SERVICE_INSTANCE_ID_ATTR, SERVICE_NAME_ATTR } from '../../metric-names.js';

export type ScenarioName = 'healthy' | 'regression' | 'chaos' | 'cold-start';

/**
 * A cold start as the sample service models it: its first 300 /api requests are each 150 ms slower (empty
 * caches, JIT). Far above the background noise, so against a warm stable it reads as a latency regression.
 */
const COLD_START: Partial<MaestroFaults> = { coldRequests: 300, coldLatencyMs: 150 };

/**
 * What each scenario does to the canary, and how it must end for the demo to pass. With `baseline`, a fresh
 * stable instance (`run --baseline`) starts with the canary, as cold as it, and the judge compares with it.
 */
export const SCENARIOS: Record<
  ScenarioName,
  {
    expect: 'promoted' | 'rolled-back';
    about: string;
    faults?: Partial<MaestroFaults>;
    baseline?: Partial<MaestroFaults>;
  }
> = {
  healthy: { expect: 'promoted', about: 'canary 1.5.0 behaves like stable' },
  regression: {
    expect: 'rolled-back',
    about: 'canary 1.5.1 answers 8% more 500s and +40 ms',
    faults: { errorRate: 0.08, latencyMs: 40 },
  },
  chaos: {
    expect: 'rolled-back',
    about: 'rollback-chaos-lite drill turns chaos on in canary 1.5.2 after the first interval',
  },
  'cold-start': {
    expect: 'promoted',
    about:
      "canary 1.5.3 is stable's code starting cold (first 300 requests +150 ms); compared with a baseline of " +
      'stable started with it, as cold, it is promoted',
    faults: COLD_START,
    baseline: COLD_START,
  },
};

/** The version each scenario's canary runs. */
const CANARY_VERSION: Record<ScenarioName, string> = {
  healthy: '1.5.0',
  regression: '1.5.1',
  chaos: '1.5.2',
  'cold-start': '1.5.3',
};

/** Background noise both versions share, so the judge compares like with like. */
const BASE_FAULTS: Partial<MaestroFaults> = { errorRate: 0.002, latencyMs: 2 };

export interface ScenarioContext {
  policy: PolicySpec;
  suite: ProbeSuite;
  suiteEnv: Record<string, string>;
  store: StateStore;
  metrics: ControllerMetrics;
  hub: ControllerHub;
  cwd: string;
  rps: number;
  deadlineMs: number;
  secrets: string[];
  onWarning: (m: string) => void;
  /** Checks made before the demo started (the manifest signature), chained into each rollout's evidence. */
  notes?: EvidenceNote[];
  /** `demo --metrics otlp`: the controller's receiver and the URL the services export to. */
  otlp?: { receiver: OtlpReceiver; url: string; token?: string | undefined } | undefined;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  rolloutId: string;
  expected: 'promoted' | 'rolled-back';
  decision: 'promoted' | 'rolled-back' | 'undecided';
  ok: boolean;
  timeToDecideSeconds: number | null;
  rollbackDurationSeconds: number | null;
  decidedBy: string | null;
  reason: string | null;
  evidenceDir: string | null;
  prBody: string;
  requests: number;
}

/** One rollout end to end: two real maestro-api versions, the router, user traffic, the controller, the fault. */
export async function runScenario(ctx: ScenarioContext, name: ScenarioName): Promise<ScenarioResult> {
  const spec = SCENARIOS[name];
  const id = `${name}-${randomBytes(3).toString('hex')}`;
  // Every scenario's stable is 1.4.0, and so is the cold-start baseline: each process's service.instance.id
  // (resource attribute) tells them apart on the OTLP stream.
  const instance = (role: 'stable' | 'canary' | 'baseline'): string => `${id}/${role}`;
  const otel = (role: 'stable' | 'canary' | 'baseline') =>
    ctx.otlp && {
      otel: {
        url: ctx.otlp.url,
        token: ctx.otlp.token,
        intervalMs: Math.max(100, Math.floor(ctx.policy.interval / 4)),
        resource: { [SERVICE_INSTANCE_ID_ATTR]: instance(role) },
      },
    };
  const stable = await startMaestroApi({ version: '1.4.0', faults: BASE_FAULTS, ...otel('stable') });
  const canary = await startMaestroApi({
    version: CANARY_VERSION[name],
    faults: { ...BASE_FAULTS, ...spec.faults },
    ...otel('canary'),
  });
  // The baseline: stable's version in a process as new as the canary's.
  const baseline = spec.baseline
    ? await startMaestroApi({
        version: stable.version,
        faults: { ...BASE_FAULTS, ...spec.baseline },
        ...otel('baseline'),
      })
    : undefined;
  const sources = ctx.otlp && [
    otlpSource(ctx.otlp.receiver, ctx.policy, {
      baseline: instance('stable'),
      canary: instance('canary'),
      ...(baseline ? { control: instance('baseline') } : {}),
    }),
  ];
  const actuator = await LocalActuator.start({
    stable: stable.url,
    canary: canary.url,
    ...(baseline ? { baseline: baseline.url } : {}),
    latencyBoundsMs: ctx.policy.latencyBoundsMs,
  });
  const traffic = new TrafficGenerator({ url: actuator.url, rps: ctx.rps });
  traffic.start();
  const onsetAt = spec.faults ? Date.now() : null;
  const rollout = await openLocalRollout({
    id,
    policy: ctx.policy,
    secrets: ctx.secrets,
    actuator,
    ...(sources ? { sources } : {}),
    upstreams: { stable: stable.url, canary: canary.url },
    store: ctx.store,
    metrics: ctx.metrics,
    cwd: ctx.cwd,
    suite: ctx.suite,
    suiteEnv: ctx.suiteEnv,
    onsetAt,
    onWarning: ctx.onWarning,
    versions: { stable: stable.version, canary: canary.version },
    notes: ctx.notes,
  });
  const c = rollout.controller;
  ctx.hub.add(c);
  c.start();
  const chaos =
    name === 'chaos'
      ? triggerChaos(ctx, canary.url, ctx.policy.interval).then((at) => c.markOnset(at))
      : Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), ctx.deadlineMs)));
  let snap: RolloutSnapshot | 'deadline' = await Promise.race([c.done, deadline]);
  clearTimeout(timer);
  if (snap === 'deadline') {
    ctx.onWarning(`${id}: no decision within ${ctx.deadlineMs / 1000}s; aborting it (rolling back)`);
    await c.act('abort', 'demo-deadline').catch(() => undefined);
    snap = c.snapshot();
  }
  await chaos.catch((err: unknown) => ctx.onWarning(`${id}: chaos drill failed: ${(err as Error).message}`));
  await traffic.stop();
  await rollout.close();
  await actuator.close();
  await Promise.all([stable.close(), canary.close(), baseline?.close()]);
  return summarize(name, spec.expect, snap, c.snapshot(), traffic.stats.answered);
}

/** The demo's OTLP source: its processes told apart by service.instance.id (the baseline's as `control`). */
function otlpSource(
  receiver: OtlpReceiver,
  policy: PolicySpec,
  values: { baseline: string; canary: string; control?: string },
): OtlpSource {
  const metricSource = {
    type: 'otlp' as const,
    variantAttribute: SERVICE_INSTANCE_ID_ATTR,
    match: { [SERVICE_NAME_ATTR]: policy.service },
    durationMetric: OTLP_HTTP_DURATION,
    custom: {},
  };
  return new OtlpSource(receiver, otlpSubscription({ ...policy, metricSource }, values));
}

function round(x: number | null, digits: number): number | null {
  return x === null ? null : Number(x.toFixed(digits));
}

function summarize(
  name: ScenarioName,
  expected: ScenarioResult['expected'],
  snap: RolloutSnapshot,
  final: RolloutSnapshot,
  requests: number,
): ScenarioResult {
  const last = final.decisions.at(-1);
  const decision = final.phase === 'promoted' || final.phase === 'rolled-back' ? final.phase : 'undecided';
  const byDeadline = last?.by === 'user:demo-deadline';
  return {
    scenario: name,
    rolloutId: snap.id,
    expected,
    decision,
    ok: decision === expected && !byDeadline,
    timeToDecideSeconds: round(final.timeToDecideSeconds, 3),
    rollbackDurationSeconds: round(final.rollbackDurationSeconds, 6),
    decidedBy: last?.by ?? null,
    reason: headline(last?.reasons ?? []) ?? null,
    evidenceDir: final.evidenceDir,
    prBody: `.prbodies/${snap.id}.md`,
    requests,
  };
}

/** The playbook's rollback-chaos-lite flow, run against the canary after one interval; resolves at chaos onset. */
async function triggerChaos(ctx: ScenarioContext, canaryUrl: string, afterMs: number): Promise<number> {
  await new Promise((r) => setTimeout(r, afterMs));
  const prepared = prepareSuite(ctx.suite, { baseUrl: canaryUrl, env: ctx.suiteEnv });
  const at = Date.now();
  const result = await runFlow(prepared, 'rollback-chaos-lite');
  if (!result.success)
    throw new Error(`rollback-chaos-lite failed at ${result.steps.find((s) => s.status === 'failed')?.name ?? '?'}`);
  return at;
}
