import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IntervalObservation } from '../schema/observation.js';
import { latencyCountTest } from './sequential-metric.js';
import { seededRandom } from './random.js';

const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000];

/** Histogram of n requests drawn from bucket probabilities (one categorical draw per request). */
function histogram(rng: () => number, n: number, probs: readonly number[]): number[] {
  const out = new Array<number>(probs.length).fill(0);
  for (let i = 0; i < n; i++) {
    let u = rng();
    let k = 0;
    while (k < probs.length - 1 && u >= probs[k]!) u -= probs[k++]!;
    out[k]!++;
  }
  return out;
}

/** Bucket probabilities of a distribution that drifts with shared load: mass moves up the buckets. */
function shared(rng: () => number, tilt: number): number[] {
  const raw = BOUNDS.concat([Infinity]).map((_, i) => Math.exp(-Math.abs(i - 3 - tilt * rng() * 3)));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((x) => x / total);
}

describe('latency count test (bound from past baseline + this interval pooled)', () => {
  it('A/A: same latency distribution on both versions, shifting every interval: false rejections stay under α', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom(0.5, 0.9, 0.99),
        fc.integer({ min: 20, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, q, requests, tilt) => {
          const rng = seededRandom(seed);
          const alpha = 0.05;
          const runs = 150;
          let rejected = 0;
          for (let r = 0; r < runs; r++) {
            const test = latencyCountTest(q, BOUNDS);
            for (let i = 0; i < 20; i++) {
              const probs = shared(rng, tilt);
              const weight = i < 10 ? 10 : 50;
              const nc = Math.round((requests * weight) / 100);
              const o: IntervalObservation = {
                t: (i + 1) * 10,
                weight,
                canary: { requests: nc, errors: 0, latency: histogram(rng, nc, probs) },
                baseline: { requests: requests - nc, errors: 0, latency: histogram(rng, requests - nc, probs) },
              };
              test.add(o);
              if (test.evidence.logBayesFactor('increase') >= Math.log(1 / alpha)) {
                rejected++;
                break;
              }
            }
          }
          expect(rejected / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
        },
      ),
      { numRuns: 8 },
    );
  });

  it('uses the first interval: a slower canary counts from interval 1', () => {
    const test = latencyCountTest(0.5, BOUNDS);
    test.add({
      t: 10,
      weight: 10,
      canary: { requests: 200, errors: 0, latency: [0, 0, 10, 40, 100, 50, 0, 0, 0] },
      baseline: { requests: 1800, errors: 0, latency: [0, 0, 200, 700, 700, 200, 0, 0, 0] },
    });
    expect(test.boundMs).toBe(50);
    expect(test.evidence.canaryEvents).toBe(150);
    expect(test.evidence.logBayesFactor('increase')).toBeGreaterThan(0);
  });
});
