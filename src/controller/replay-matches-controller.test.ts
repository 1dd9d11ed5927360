import { describe, expect, it } from 'vitest';
import { FakeActuator } from '../../test/support/fake-actuator.js';
import { seededRandom } from '../engine/random.js';
import { createAnalysis } from '../engine/analysis.js';
import { replayIntervals } from '../engine/replay-run.js';
import { specFor } from '../app/replay/replay-service.js';
import { DEFAULT_LATENCY_BOUNDS_MS, type IntervalObservation } from '../schema/observation.js';
import { policySpec, type PolicySpec } from '../schema/policy.js';
import { ControllerMetrics } from './metrics.js';
import type { ObservationSource } from './ports.js';
import { RolloutController } from './rollout-controller.js';
import { StateStore } from './state-store.js';

/**
 * One decision engine: the controller (RolloutController with a fake actuator and clock, real sequential judge,
 * SQLite state) runs a rollout; its stored observations are the recording; `replay`'s engine (replay-run.ts)
 * must make exactly the decisions the controller made, at the same times, with the same reasons.
 */
let now = 0;
const INTERVAL_MS = 10_000;

interface Traffic {
  rps: number;
  /** The canary's error-rate multiplier from interval `onset` (1-based) on. */
  factor?: number;
  onset?: number;
  /** Intervals in which the canary serves nothing (a scrape gap, a restart). */
  canaryDown?: (i: number) => boolean;
}

/** Seeded traffic that follows the actuator's weight, as the embedded router's counters do. */
function trafficSource(actuator: FakeActuator, traffic: Traffic, seed: number): ObservationSource {
  const rng = seededRandom(seed);
  const shape = [0, 40, 300, 400, 150, 80, 20, 8, 2, 0, 0];
  let i = 0;
  const variant = (requests: number, p: number) => {
    const errors = Math.round(requests * p * (0.6 + 0.8 * rng()));
    const latency = shape.map((s) => Math.round((s * requests * (0.8 + 0.4 * rng())) / 1000));
    return { requests, errors: Math.min(errors, requests), latency, synthetic: { runs: 5, passed: 5 } };
  };
  return {
    name: 'traffic',
    collect: () => {
      i++;
      const share = actuator.weight / 100;
      const total = traffic.rps * (INTERVAL_MS / 1000);
      const regressed = traffic.onset !== undefined && i >= traffic.onset;
      const canaryRequests = traffic.canaryDown?.(i) ? 0 : Math.round(total * share);
      return Promise.resolve({
        baseline: variant(Math.round(total * (1 - share)), 0.005),
        canary: variant(canaryRequests, 0.005 * (regressed ? (traffic.factor ?? 1) : 1)),
      });
    },
  };
}

async function runController(policy: PolicySpec, traffic: Traffic, seed: number, maxTicks = 80) {
  now = 0;
  const store = await StateStore.open(':memory:');
  const actuator = new FakeActuator(() => now);
  const c = await RolloutController.open({
    id: 'r1',
    policy,
    actuator,
    sources: [trafficSource(actuator, traffic, seed)],
    createAnalysis: (p) => createAnalysis(p),
    store,
    metrics: new ControllerMetrics(),
    clock: () => now,
  });
  c.start({ loop: false });
  await new Promise((resolve) => setImmediate(resolve)); // the start transition runs at t = 0
  for (let k = 0; k < maxTicks && c.phase !== 'promoted' && c.phase !== 'rolled-back'; k++) {
    now += INTERVAL_MS;
    await c.tickNow();
  }
  const stored = store.load('r1')!;
  await c.stop();
  store.close();
  return {
    intervals: stored.intervals.map((x) => x.observation),
    decisions: stored.decisions.map((d) => d.decision),
    phase: stored.state.phase,
  };
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const raw = {
  service: 'maestro-api',
  interval: '10s',
  steps: [
    { weight: 10, bake: '60s' },
    { weight: 25, bake: '60s' },
    { weight: 50, bake: '60s' },
  ],
  inconclusive: { maxExtension: '60s', then: 'hold' },
};
const policy = policySpec.parse(raw);

describe('replay decides with the controller’s state machine', () => {
  const cases: [string, PolicySpec, Traffic, string, string[]][] = [
    [
      'a healthy canary is promoted through every step',
      policy,
      { rps: 200 },
      'promoted',
      ['start@0s', 'step@60s', 'step@120s', 'promote@180s'],
    ],
    [
      'a late error regression is rolled back',
      policy,
      { rps: 200, factor: 4, onset: 14 },
      'rolled-back',
      ['start@0s', 'step@60s', 'step@120s', 'rollback@160s'],
    ],
    [
      'a step without canary traffic is extended, then held, and resumes when the evidence arrives',
      policy,
      { rps: 200, canaryDown: (i) => i <= 12 },
      'promoted',
      ['start@0s', 'hold@60s', 'hold@120s', 'step@130s', 'step@190s', 'promote@250s'],
    ],
    [
      'low traffic: inconclusive steps advance on score, the last one is extended',
      policySpec.parse({ ...raw, inconclusive: { maxExtension: '30s', then: 'rollback' } }),
      { rps: 2 },
      'rolled-back',
      ['start@0s', 'step@60s', 'step@120s', 'hold@180s', 'rollback@210s'],
    ],
  ];
  for (const [name, p, traffic, phase, actions] of cases) {
    it(name, async () => {
      const controller = await runController(p, traffic, 7);
      expect(controller.phase).toBe(phase);
      expect(controller.decisions.map((d) => `${d.action}@${d.at / 1000}s`)).toEqual(actions);
      const replay = replayIntervals(p, controller.intervals);
      expect(json(replay.decisions)).toEqual(controller.decisions);
      expect(replay.divergedIntervals).toBe(0);
      const last = controller.decisions[controller.decisions.length - 1]!;
      expect(replay.outcome.at).toBe(last.at / 1000);
    });
  }

  it('without a policy, the recording of a rollout that followed its whole plan gives the same decisions', async () => {
    // The whole plan: a recording cut short (a rollback) gives a shorter recorded plan, so the judge's start-time
    // weights (docs/statistics.md §3) and its evidence numbers differ slightly; --policy replays those exactly.
    const defaults = policySpec.parse({ service: 'maestro-api' });
    const controller = await runController(defaults, { rps: 200 }, 11);
    expect(controller.phase).toBe('promoted');
    const header = {
      kind: 'replay' as const,
      version: 1 as const,
      service: 'maestro-api',
      intervalSeconds: 10,
      latencyBoundsMs: [...DEFAULT_LATENCY_BOUNDS_MS],
    };
    const spec = specFor({ header, intervals: controller.intervals }, undefined);
    const recordedWeights = [...new Set(controller.intervals.map((o: IntervalObservation) => o.weight))];
    expect(spec.steps.map((s) => s.weight)).toEqual(recordedWeights);
    expect(json(replayIntervals(spec, controller.intervals).decisions)).toEqual(controller.decisions);
  });
});
