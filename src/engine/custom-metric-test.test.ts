import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { policySpec } from '../schema/policy.js';
import { BettingEvidence } from './betting-evidence.js';
import { createCustomMetricTest, relativeBet } from './custom-metric-test.js';
import { seededRandom } from './random.js';
import { createSequentialJudge } from './sequential-judge.js';

const ALPHA = 0.05;
const LOG_THRESHOLD = Math.log(1 / ALPHA);

function metric(extra: Record<string, unknown> = {}) {
  return policySpec.parse({
    service: 's',
    metrics: [{ name: 'cpu', kind: 'custom', ...extra }],
  }).metrics[0]!;
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng());
}

/**
 * CPU in cores per instance: a shared load that swings between intervals (±60%) drives both variants; each
 * sample adds its own skewed (log-normal, 15%) noise. `lift` multiplies the canary's CPU (1 = healthy).
 */
function cpuInterval(rng: () => number, t: number, lift: number, samples = 3): IntervalObservation {
  const load = 0.5 * (1 + 0.6 * Math.sin(t / 7) + 0.2 * gaussian(rng));
  const draw = (m: number): number[] =>
    Array.from({ length: samples }, () => Math.max(0, m * load * Math.exp(0.15 * gaussian(rng))));
  return { t, weight: 10, baseline: { custom: { cpu: draw(1) } }, canary: { custom: { cpu: draw(lift) } } };
}

describe('betting evidence', () => {
  it('stays below 1/α on fair ±1 coin flips in all but ≤ α of 2000 seeded runs of 200 bets', () => {
    // The hardest null for a bettor on [−1, 1]: the largest variance the bound allows, mean exactly 0.
    let rejected = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const rng = seededRandom(seed);
      const e = new BettingEvidence();
      let ever = false;
      for (let i = 0; i < 200 && !ever; i++) {
        e.add(rng() < 0.5 ? 1 : -1);
        ever = e.logValue() >= LOG_THRESHOLD;
      }
      if (ever) rejected++;
    }
    expect(rejected / 2000).toBeLessThanOrEqual(ALPHA);
  });

  it('grows when the mean is positive', () => {
    const e = new BettingEvidence();
    for (let i = 0; i < 40; i++) e.add(i % 4 === 0 ? -0.5 : 0.5);
    expect(e.logValue()).toBeGreaterThan(LOG_THRESHOLD);
    expect(e.count).toBe(40);
  });
});

describe('custom metric test', () => {
  it('bets an antisymmetric, bounded, increasing function of the relative difference', () => {
    for (const [x, y] of [
      [1, 2],
      [0.5, 0.52],
      [-3, 1],
      [0, 0],
      [7, 7],
    ] as const) {
      expect(relativeBet(x, y)).toBeCloseTo(-relativeBet(y, x), 12);
      expect(Math.abs(relativeBet(x, y))).toBeLessThanOrEqual(1);
    }
    expect(relativeBet(0.52, 0.5)).toBeCloseTo(0.02 / 0.102, 12);
    expect(relativeBet(1.3, 1)).toBe(1);
    expect(relativeBet(-1, -1.1)).toBeGreaterThan(0);
  });

  it('stays below 1/α for identically distributed heavy-tailed samples in ≤ α of 500 seeded runs', () => {
    // Pareto(1.5) samples: infinite variance, no bound; the test assumes neither.
    let falseAborts = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const rng = seededRandom(50_000 + seed);
      const pareto = (): number => Math.pow(1 - rng(), -1 / 1.5);
      const test = createCustomMetricTest(metric(), LOG_THRESHOLD);
      for (let t = 1; t <= 60; t++) {
        const o = {
          t,
          weight: 10,
          baseline: { custom: { cpu: [pareto(), pareto()] } },
          canary: { custom: { cpu: [pareto(), pareto()] } },
        };
        if (test.update(o).verdict === 'fail') {
          falseAborts++;
          break;
        }
      }
    }
    expect(falseAborts / 500).toBeLessThanOrEqual(ALPHA);
  });

  it('rolls back a healthy gauge with load-driven noise in ≤ α of 300 seeded runs, checked every interval', () => {
    let falseAborts = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = seededRandom(seed);
      const test = createCustomMetricTest(metric(), LOG_THRESHOLD);
      for (let t = 1; t <= 120; t++) {
        if (test.update(cpuInterval(rng, t, 1)).verdict === 'fail') {
          falseAborts++;
          break;
        }
      }
    }
    expect(falseAborts / 300).toBeLessThanOrEqual(ALPHA);
  });

  it('catches a +30% CPU regression in at least 95% of 200 seeded runs within 20 intervals', () => {
    let caught = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rng = seededRandom(10_000 + seed);
      const test = createCustomMetricTest(metric(), LOG_THRESHOLD);
      for (let t = 1; t <= 20; t++) {
        if (test.update(cpuInterval(rng, t, 1.3)).verdict === 'fail') {
          caught++;
          break;
        }
      }
    }
    expect(caught / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('with direction decrease, a lower canary mean is the regression and a higher one is not', () => {
    const kpi = metric({ direction: 'decrease' });
    const lower = createCustomMetricTest(kpi, LOG_THRESHOLD);
    const higher = createCustomMetricTest(kpi, LOG_THRESHOLD);
    let l = 'inconclusive';
    let h = 'inconclusive';
    for (let t = 1; t <= 60; t++) {
      l = lower.update({ t, weight: 10, baseline: { custom: { cpu: 0.6 } }, canary: { custom: { cpu: 0.3 } } }).verdict;
      h = higher.update({
        t,
        weight: 10,
        baseline: { custom: { cpu: 0.3 } },
        canary: { custom: { cpu: 0.6 } },
      }).verdict;
    }
    expect(l).toBe('fail');
    expect(h).not.toBe('fail');
  });

  it('shows evidence of "within tolerance" for identical samples, not for samples 30% higher', () => {
    const same = createCustomMetricTest(metric({ tolerance: 1.2 }), LOG_THRESHOLD);
    const worse = createCustomMetricTest(metric({ tolerance: 1.2 }), LOG_THRESHOLD);
    for (let t = 1; t <= 20; t++) {
      same.update({ t, weight: 10, baseline: { custom: { cpu: [1, 1] } }, canary: { custom: { cpu: [1, 1] } } });
      worse.update({ t, weight: 10, baseline: { custom: { cpu: [1, 1] } }, canary: { custom: { cpu: [1.3, 1.3] } } });
    }
    expect(same.withinTolerance()).toBe(true);
    expect(worse.withinTolerance()).toBe(false);
  });

  it('does not hold the rollout back before any sample arrives (weight 0), unless the metric must have data', () => {
    const o: IntervalObservation = { t: 1, weight: 10, baseline: {}, canary: {} };
    expect(createCustomMetricTest(metric(), LOG_THRESHOLD).update(o).weight).toBe(0);
    expect(createCustomMetricTest(metric({ mustHaveData: true }), LOG_THRESHOLD).update(o).weight).toBe(1);
  });
});

describe('sequential judge with a custom metric', () => {
  it('splits α with the count metrics and judges the custom metric by betting', () => {
    const spec = policySpec.parse({
      service: 's',
      alpha: 0.01,
      metrics: [
        { name: 'error-rate', kind: 'errors' },
        { name: 'cpu', kind: 'custom' },
      ],
    });
    const judge = createSequentialJudge(spec);
    const out = judge.update({
      t: 10,
      weight: 10,
      baseline: { requests: 900, errors: 1, custom: { cpu: [0.5] } },
      canary: { requests: 100, errors: 0, custom: { cpu: [0.5] } },
    });
    const cpu = out.metrics.find((m) => m.metric === 'cpu')!;
    expect(cpu.reason.statistic).toBe('betting-wealth');
    // Two judged metrics: each gets α/2.
    expect(cpu.reason.threshold).toBeCloseTo(200, 6);
  });
});
