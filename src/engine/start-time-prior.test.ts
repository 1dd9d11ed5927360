import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountEvidence } from './count-evidence.js';
import { poissonByInversion, seededRandom } from './random.js';
import { changePointPrior, FROM_THE_START, logStartWeight, plannedIntervals } from './start-time-prior.js';
import { policySpec } from '../schema/policy.js';

/**
 * One run of `intervals`; the canary's rate is `ratio` times stable's from interval `onset` (1-based) on.
 * First rejection or undefined.
 */
function firstRejection(
  e: CountEvidence,
  rng: () => number,
  opts: { intervals: number; events: number; ratio: number; onset: number; alpha: number },
): number | undefined {
  const shares = [0.1, 0.25, 0.5];
  for (let i = 1; i <= opts.intervals; i++) {
    const rho = shares[Math.min(2, Math.floor(((i - 1) * 3) / opts.intervals))]!;
    const load = 0.5 + rng();
    const r = i >= opts.onset ? opts.ratio : 1;
    e.add(
      poissonByInversion(rng, opts.events * load * rho * r),
      poissonByInversion(rng, opts.events * load * (1 - rho)),
      rho,
    );
    if (e.logBayesFactor('increase') >= Math.log(1 / opts.alpha)) return i;
  }
  return undefined;
}

describe('change points: the count test mixed over start times', () => {
  it('the start-time weights sum to at most 1 (what keeps the mixture a test supermartingale)', () => {
    for (const horizon of [1, 2, 12, 48, 500]) {
      const p = changePointPrior(horizon);
      let total = 0;
      for (let s = 1; s <= 200_000; s++) total += Math.exp(logStartWeight(p, s));
      expect(total).toBeLessThanOrEqual(1 + 1e-9);
      expect(total).toBeGreaterThan(0.999); // the tail 1/(k(k+1)) is summed to within 1/200,000
    }
  });

  it('A/A: checked after every interval, past the planned horizon too, false rejections stay under α', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.double({ min: 0.3, max: 20, noNaN: true }), (seed, events) => {
        const rng = seededRandom(seed);
        const alpha = 0.05;
        const runs = 300;
        let rejected = 0;
        for (let r = 0; r < runs; r++) {
          const e = new CountEvidence(changePointPrior(20));
          if (firstRejection(e, rng, { intervals: 60, events, ratio: 1, onset: 1, alpha }) !== undefined) rejected++;
        }
        // Ville: P(ever ≥ 1/α) ≤ α. Allow 3 binomial standard errors of sampling noise.
        expect(rejected / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
      }),
      { numRuns: 10 },
    );
  });

  it('catches a regression that starts late sooner than the test from the start, and more often', () => {
    const alpha = 0.01;
    const opts = { intervals: 48, events: 10, ratio: 2, onset: 21, alpha };
    let changeSum = 0;
    let startSum = 0;
    let changeMissed = 0;
    let startMissed = 0;
    for (let r = 0; r < 200; r++) {
      const a = firstRejection(new CountEvidence(changePointPrior(48)), seededRandom(r + 1), opts);
      const b = firstRejection(new CountEvidence(FROM_THE_START), seededRandom(r + 1), opts);
      changeSum += a ?? 49;
      startSum += b ?? 49;
      if (a === undefined) changeMissed++;
      if (b === undefined) startMissed++;
    }
    expect(changeSum).toBeLessThan(startSum);
    expect(changeMissed).toBeLessThanOrEqual(startMissed);
  });

  it('with all weight on the first interval it is exactly the mixture from the start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ c: fc.nat(30), b: fc.nat(300), rho: fc.double({ min: 0.01, max: 0.99, noNaN: true }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        (rows) => {
          const e = new CountEvidence(FROM_THE_START);
          for (const x of rows) e.add(x.c, x.b, x.rho);
          if (e.canaryEvents + e.baselineEvents === 0) return;
          expect(e.logBayesFactor('increase')).toBeCloseTo(e.logMixture(0, 'up'), 9);
        },
      ),
    );
  });

  it('the horizon is the plan: every bake and one extension, in intervals', () => {
    const spec = policySpec.parse({ service: 's', interval: '10s', inconclusive: { maxExtension: '2m' } });
    expect(plannedIntervals(spec)).toBe(18 + 12); // default 3 × 60 s steps, +120 s
  });
});
