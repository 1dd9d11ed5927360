import { afterEach, describe, expect, it } from 'vitest';
import { FakeActuator } from '../../test/support/fake-actuator.js';
import type { Analysis, Assessment, Verdict } from '../engine/assessment.js';
import { canaryDashboard } from '../render/grafana.js';
import * as names from '../metric-names.js';
import { canaryRuleGroups } from '../render/prometheus-rules.js';
import { policySpec } from '../schema/policy.js';
import { ControllerMetrics } from './metrics.js';
import type { Notifier, ObservationSource, RolloutEventPayload } from './ports.js';
import { RolloutController } from './rollout-controller.js';
import { RolloutLockedError } from './rollout-lock.js';
import { StateStore } from './state-store.js';
import { ControllerHub } from './hub.js';
import type { ControllerEvent } from './view.js';
import { WebhookNotifier } from './webhook-notifier.js';
import { createApp } from '../server/app.js';
import { silentLogger } from '../server/logger.js';

/** A scripted judge: honest for testing the loop and the state machine, not the statistics. */
function scripted(verdicts: Verdict[]): (p: unknown) => Analysis {
  return () => {
    let i = 0;
    return {
      evaluate: (): Assessment => {
        const verdict = verdicts[Math.min(i++, verdicts.length - 1)] ?? 'inconclusive';
        return {
          verdict,
          score: verdict === 'fail' ? 0.3 : 0.99,
          reasons: [
            {
              signal: 'error-rate',
              verdict,
              statistic: 'scripted',
              value: i,
              threshold: 0,
              message: `interval ${i}: ${verdict}`,
            },
          ],
        };
      },
    };
  };
}

let now = 1_000_000;
const clock = (): number => now;
const tick = async (c: RolloutController): Promise<void> => {
  now += 1000;
  await c.tickNow();
};
const source: ObservationSource = {
  name: 'fake',
  collect: () => {
    return Promise.resolve({ baseline: { requests: 90, errors: 0 }, canary: { requests: 10, errors: 0 } });
  },
};
const policy = policySpec.parse({
  service: 'maestro-api',
  interval: '1s',
  steps: [
    { weight: 10, bake: '2s' },
    { weight: 50, bake: '2s' },
  ],
});

describe('RolloutController with a SQLite state store', () => {
  const open: { store: StateStore; c?: RolloutController }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.c?.stop();
      o.store.close();
    }
  });

  async function controller(
    store: StateStore,
    verdicts: Verdict[],
    extra: Partial<Parameters<typeof RolloutController.open>[0]> = {},
  ) {
    const actuator = extra.actuator ?? new FakeActuator(clock);
    const c = await RolloutController.open({
      id: 'r1',
      policy,
      actuator,
      sources: [source],
      createAnalysis: scripted(verdicts),
      store,
      metrics: new ControllerMetrics(),
      clock,
      ...extra,
    });
    open.push({ store, c });
    return { c, actuator: actuator as FakeActuator };
  }

  it('steps through the plan, promotes once, and notifies with stable delivery ids', async () => {
    const store = await StateStore.open(':memory:');
    const sent: RolloutEventPayload[] = [];
    const notifier: Notifier = { notify: (p) => void sent.push(p), flush: () => Promise.resolve() };
    const { c, actuator } = await controller(store, ['inconclusive', 'inconclusive', 'pass', 'pass'], { notifier });
    c.start({ loop: false });
    for (let i = 0; i < 4; i++) await tick(c);
    const snap = await c.done;
    expect(actuator.calls).toEqual(['weight:10', 'weight:50', 'promote']);
    expect(snap).toMatchObject({ phase: 'promoted', weight: 100, stepCount: 2 });
    expect(snap.decisions.map((d) => d.action)).toEqual(['start', 'step', 'promote']);
    expect(sent.map((s) => s.event)).toEqual(['step', 'step', 'promote']);
    expect(sent.map((s) => s.deliveryId)).toEqual(['r1:1:start', 'r1:2:step', 'r1:3:promote']);
    await tick(c);
    expect(actuator.calls.filter((x) => x === 'promote')).toHaveLength(1);
  });

  it('rolls back on a fail before persisting, and records the rollback duration', async () => {
    const store = await StateStore.open(':memory:');
    const metrics = new ControllerMetrics();
    const { c, actuator } = await controller(store, ['inconclusive', 'fail'], { metrics });
    c.start({ loop: false });
    await tick(c);
    await tick(c);
    const snap = await c.done;
    expect(snap.phase).toBe('rolled-back');
    expect(actuator.calls).toEqual(['weight:10', 'rollback']);
    expect(snap.rollbackDurationSeconds).toBeGreaterThanOrEqual(0);
    expect(snap.rollbackDurationSeconds).toBeLessThan(1);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/maestro_api_rollback_duration_seconds_count 1/);
    expect(text).toMatch(/adaptive_canary_decisions_total\{service="maestro-api",rollout="r1",decision="rollback"\} 1/);
  });

  it(
    'emits every metric the rendered Prometheus rules and Grafana ' + 'dashboard query (names from metric-names.ts)',
    async () => {
      const store = await StateStore.open(':memory:');
      const metrics = new ControllerMetrics();
      const { c } = await controller(store, ['inconclusive', 'fail'], {
        metrics,
        versions: { stable: '1.4.0', canary: '1.5.0' },
      });
      c.start({ loop: false });
      await tick(c);
      const running = await metrics.registry.metrics();
      const series = (name: string): string[] =>
        running.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
      // Every controller metric metric-names.ts declares...
      const declared = (Object.values(names) as unknown[]).filter(
        (v): v is string => typeof v === 'string' && v.startsWith('adaptive_canary_'),
      );
      // ...and every controller metric the rendered artifacts actually query.
      const rendered = JSON.stringify(canaryRuleGroups(policy)) + JSON.stringify(await canaryDashboard(policy));
      const queried: string[] = [
        ...new Set(rendered.match(/\badaptive_canary_[a-z_]+|\b[a-z_]+_rollback_duration_seconds/g) ?? []),
      ];
      expect(queried).toEqual(
        expect.arrayContaining([
          names.DECISIONS_TOTAL,
          names.CANARY_WEIGHT,
          names.VARIANT_INFO,
          names.rollbackDurationMetric('maestro-api'),
        ]),
      );
      for (const name of new Set([...declared, ...queried])) {
        const found = name.endsWith('_rollback_duration_seconds') ? series(`${name}_bucket`) : series(name);
        expect(found, `${name} in /metrics`).not.toHaveLength(0);
      }
      const rl = 'service="maestro-api",rollout="r1"';
      expect(running).toContain(`${names.DECISIONS_TOTAL}{${rl},decision="${names.DECISION_ROLLBACK}"} 0`);
      for (const n of [names.SCORE, names.CANARY_WEIGHT, names.STEP, names.LAST_ANALYSIS_TIMESTAMP])
        expect(series(n)[0]).toMatch(new RegExp(`^${n}\\{${rl}\\} `));
      expect(series(names.CANARY_WEIGHT)[0]).toMatch(/ 10$/);
      expect(series(names.LAST_ANALYSIS_TIMESTAMP)[0]).toMatch(new RegExp(` ${now / 1000}$`));
      const started = Math.floor((now - 1000) / 1000);
      expect(series(names.VARIANT_INFO).sort()).toEqual([
        `${names.VARIANT_INFO}{${rl},variant="${names.BASELINE_VALUE}",version="1.4.0"} ${started}`,
        `${names.VARIANT_INFO}{${rl},variant="${names.CANARY_VALUE}",version="1.5.0"} ${started}`,
      ]);

      await tick(c);
      expect((await c.done).phase).toBe('rolled-back');
      const after = await metrics.registry.metrics();
      expect(after).toContain(`${names.DECISIONS_TOTAL}{${rl},decision="${names.DECISION_ROLLBACK}"} 1`);
      expect(after).toContain(`${names.CANARY_WEIGHT}{${rl}} 0`);
      expect(after).not.toContain(`${names.VARIANT_INFO}{`);
      expect(after).toContain(`${names.rollbackDurationMetric('maestro-api')}_count 1`);
    },
  );

  it("emits a fresh snapshot after every interval, and the final decision's snapshot is the last word", async () => {
    const store = await StateStore.open(':memory:');
    const { c } = await controller(store, ['inconclusive', 'inconclusive', 'pass', 'pass']);
    const events: ControllerEvent[] = [];
    c.subscribe((e) => events.push(e));
    c.start({ loop: false });
    await tick(c);
    // interval → snapshot, with this interval's reasons and bake progress already in it.
    expect(events.slice(-2).map((e) => e.type)).toEqual(['interval', 'snapshot']);
    const live = events.at(-1) as Extract<ControllerEvent, { type: 'snapshot' }>;
    expect(live.rollout.reasons[0]?.message).toBe('interval 1: inconclusive');
    expect(live.rollout.bakeProgress).toBeCloseTo(0.5);
    for (let i = 0; i < 3; i++) await tick(c);
    await c.done;
    const types = events.map((e) => e.type);
    const intervals = types.filter((t) => t === 'interval').length;
    expect(intervals).toBe(4);
    // Every interval is followed by its snapshot (after its decision, when it made one).
    types.forEach((t, i) => {
      if (t === 'interval') expect(types.slice(i + 1).find((x) => x !== 'decision')).toBe('snapshot');
    });
    const last = events.at(-1);
    expect(last?.type === 'snapshot' && last.rollout.phase).toBe('promoted');
    expect(types.lastIndexOf('interval')).toBeLessThan(types.lastIndexOf('decision'));
  });

  it('puts webhook deliveries in the snapshot, served at /api/v1/rollouts/:id/webhooks', async () => {
    const store = await StateStore.open(':memory:');
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const fetch = async (): Promise<Response> => {
      await held;
      return new Response(null, { status: 202 });
    };
    // From the input form: re-parsing a parsed policy would read its milliseconds as seconds.
    const hooked = policySpec.parse({
      service: policy.service,
      interval: '1s',
      steps: [
        { weight: 10, bake: '2s' },
        { weight: 50, bake: '2s' },
      ],
      webhooks: [{ url: 'https://hooks.example/ci?token=abc', secret: 'whsec' }],
    });
    const notifier = WebhookNotifier.create(hooked, { fetch });
    const { c } = await controller(store, ['inconclusive', 'inconclusive', 'pass', 'pass'], {
      policy: hooked,
      notifier,
    });
    const hub = new ControllerHub();
    hub.add(c);
    const { app } = createApp({
      view: hub,
      registry: new ControllerMetrics().registry,
      logger: silentLogger,
      loopbackOnly: true,
      heartbeatMs: 1000,
    });
    const webhooks = async () =>
      (
        (await (
          await app.request('http://127.0.0.1:8080/api/v1/rollouts/r1/webhooks', {
            headers: { host: '127.0.0.1:8080' },
          })
        ).json()) as { data: unknown[] }
      ).data;
    const live: ControllerEvent[] = [];
    c.subscribe((e) => live.push(e));
    c.start({ loop: false });
    await tick(c);
    expect(await webhooks()).toEqual([
      {
        id: 'r1:1:start',
        event: 'step',
        url: 'https://hooks.example/ci?token=[REDACTED]',
        status: null,
        attempts: 0,
        outcome: 'pending',
      },
    ]);
    release();
    await notifier.flush(1_000);
    await new Promise((r) => setImmediate(r));
    // Live views hear of it at once, not with the next interval's snapshot.
    const latest = live.at(-1);
    expect(latest?.type === 'snapshot' && latest.rollout.webhookDeliveries).toEqual([
      expect.objectContaining({ id: 'r1:1:start', outcome: 'delivered' }),
    ]);
    for (let i = 0; i < 3; i++) await tick(c);
    await notifier.flush(1_000);
    const data = await webhooks();
    expect(data).toEqual(c.snapshot().webhookDeliveries);
    expect(data).toEqual([
      expect.objectContaining({ id: 'r1:1:start', status: 202, attempts: 1, outcome: 'delivered' }),
      expect.objectContaining({ id: 'r1:2:step', event: 'step', outcome: 'delivered' }),
      expect.objectContaining({ id: 'r1:3:promote', event: 'promote', outcome: 'delivered' }),
    ]);
  });

  it('rolls back when the actuator reports the canary died, with the reason', async () => {
    const store = await StateStore.open(':memory:');
    const { c, actuator } = await controller(store, ['inconclusive']);
    c.start({ loop: false });
    await tick(c);
    actuator.crash('canary command exited (SIGKILL)');
    const snap = await c.done;
    expect(snap.decisions.at(-1)).toMatchObject({ action: 'rollback', by: 'fault' });
    expect(snap.decisions.at(-1)?.reasons[0]?.message).toMatch(/canary command exited/);
  });

  it('a step that fails because someone promoted fully records the promotion, not a rollback', async () => {
    const store = await StateStore.open(':memory:');
    const { c, actuator } = await controller(store, ['pass', 'pass', 'pass', 'pass']);
    c.start({ loop: false });
    await tick(c);
    actuator.phase = 'promoted'; // `promote --full` by a person: the next setWeight is refused
    await tick(c);
    await tick(c);
    const snap = await c.done;
    expect(snap.decisions.at(-1)).toMatchObject({ action: 'promote', by: 'found' });
    expect(snap.decisions.at(-1)?.reasons[0]?.message).toMatch(/failed to step: the rollout is already fully promoted/);
    expect(actuator.calls).not.toContain('rollback');
  });

  it('resumes at the same step after the process is gone, rebuilding the judge from stored observations', async () => {
    const file = `${process.env.TMPDIR ?? '/tmp'}/ctl-${process.pid}-${Date.now()}.db`;
    const store1 = await StateStore.open(file);
    const evaluated: number[] = [];
    const counting = (p: unknown): Analysis => {
      const a = scripted(['inconclusive', 'inconclusive', 'inconclusive', 'fail'])(p);
      return {
        evaluate: (o) => {
          evaluated.push(o.t);
          return a.evaluate(o);
        },
      };
    };
    const first = await RolloutController.open({
      id: 'r2',
      policy,
      actuator: new FakeActuator(clock),
      sources: [source],
      createAnalysis: counting,
      store: store1,
      metrics: new ControllerMetrics(),
      clock,
    });
    first.start({ loop: false });
    await tick(first);
    await tick(first);
    await tick(first);
    expect(first.snapshot()).toMatchObject({ step: 1, weight: 50 });
    // Simulate kill -9: no stop(), the lock row stays, the db handle is dropped.
    store1.close();
    const store2 = await StateStore.open(file);
    const stale = RolloutController.open({
      id: 'r2',
      policy,
      actuator: new FakeActuator(clock),
      sources: [source],
      createAnalysis: counting,
      store: store2,
      metrics: new ControllerMetrics(),
      clock,
    });
    // Same pid is alive (it is us) and the heartbeat is fresh: a live holder, so refused.
    await expect(stale).rejects.toBeInstanceOf(RolloutLockedError);
    store2.db.prepare('UPDATE locks SET pid = 999999999').run(); // the old process is gone
    const actuator = new FakeActuator(clock);
    evaluated.length = 0;
    const second = await RolloutController.open({
      id: 'r2',
      policy,
      actuator,
      sources: [source],
      createAnalysis: counting,
      store: store2,
      metrics: new ControllerMetrics(),
      clock,
    });
    open.push({ store: store2, c: second });
    expect(second.resumed).toBe(true);
    expect(evaluated).toHaveLength(3); // replayed the three stored intervals
    expect(actuator.calls).toEqual(['weight:50']);
    expect(second.snapshot()).toMatchObject({ phase: 'progressing', step: 1, weight: 50 });
    second.start({ loop: false });
    await tick(second);
    expect((await second.done).phase).toBe('rolled-back');
    expect(actuator.calls).toEqual(['weight:50', 'rollback']);
  });
  it.each([
    [
      'rolled-back',
      'rollback',
      'fail',
      /found already rolled back on resume \(fake\), while the stored state was progressing at 10%/,
    ],
    ['promoted', 'promote', 'pass', /found already promoted on resume .*or it was promoted outside adaptive-canary/],
  ] as const)(
    'a resume that finds traffic already %s records how it ended, and moves no traffic',
    async (phase, action, verdict, message) => {
      const store = await StateStore.open(':memory:');
      const published: RolloutEventPayload[] = [];
      const notifier: Notifier = { notify: (p) => void published.push(p), flush: () => Promise.resolve() };
      const first = await controller(store, ['inconclusive']);
      first.c.start({ loop: false });
      await tick(first.c);
      await first.c.stop(); // the process is gone; the traffic was moved before its decision was written
      const actuator = new FakeActuator(clock);
      actuator.phase = phase;
      const { c } = await controller(store, ['inconclusive'], { notifier, actuator });
      expect(c.snapshot().phase).toBe('progressing'); // the stored state
      c.start({ loop: false });
      const snap = await c.done;
      expect(snap.phase).toBe(phase);
      expect(snap.decisions.at(-1)).toMatchObject({ action, by: 'found', reasons: [{ signal: 'rollout', verdict }] });
      expect(snap.decisions.at(-1)?.reasons[0]?.message).toMatch(message);
      expect(actuator.calls).toEqual([]); // neither restored to the stored weight nor moved again
      expect(snap.rollbackDurationSeconds).toBeNull(); // nobody knows when it was decided
      expect(published.map((p) => p.event)).toEqual([action]);
      expect(store.load('r1')?.state.phase).toBe(phase);
    },
  );

  it('a resume that started fresh upstreams stamps restartedAt on later observations and notes it', async () => {
    const file = `${process.env.TMPDIR ?? '/tmp'}/ctl-restart-${process.pid}-${Date.now()}.db`;
    const seen: { t: number; restartedAt?: number }[] = [];
    const recording = (p: unknown): Analysis => {
      const a = scripted(['inconclusive'])(p);
      return { evaluate: (o) => (seen.push({ t: o.t, restartedAt: o.restartedAt }), a.evaluate(o)) };
    };
    const notes: { topic: string; message: string; details?: Record<string, unknown> }[] = [];
    const evidence = {
      dir: '/nowhere',
      record: () => ({ seq: 1, hash: 'h' }),
      note: (n: (typeof notes)[number]) => void notes.push(n),
      finish: () => undefined,
      close: () => undefined,
    };
    const warm = { ...policy, warmup: 2000 };
    const opts = (store: StateStore) => ({
      id: 'r3',
      policy: warm,
      actuator: new FakeActuator(clock),
      sources: [source],
      createAnalysis: recording,
      store,
      metrics: new ControllerMetrics(),
      clock,
      evidence,
      startedUpstreams: ['stable (pid 11)', 'canary (pid 12)'],
    });
    const store1 = await StateStore.open(file);
    const first = await RolloutController.open(opts(store1));
    expect(first.restart).toBeUndefined(); // a new rollout: the warm-up from the start covers it
    first.start({ loop: false });
    await tick(first);
    await tick(first);
    store1.close(); // kill -9
    const store2 = await StateStore.open(file);
    store2.db.prepare('UPDATE locks SET pid = 999999999').run();
    seen.length = 0;
    const second = await RolloutController.open(opts(store2));
    open.push({ store: store2, c: second });
    expect(seen.map((o) => o.restartedAt)).toEqual([undefined, undefined]); // the stored ones, as they were
    expect(second.restart).toMatchObject({ at: 2, warmupUntil: 4 });
    expect(notes).toEqual([
      expect.objectContaining({
        topic: 'restart',
        message: expect.stringMatching(/t=2s with freshly started upstreams \(stable \(pid 11\), canary/) as string,
        details: { restartedAt: 2, warmupSeconds: 2, upstreams: ['stable (pid 11)', 'canary (pid 12)'] },
      }),
    ]);
    second.start({ loop: false });
    await tick(second);
    expect(seen.at(-1)).toEqual({ t: 3, restartedAt: 2 });
  });
});
