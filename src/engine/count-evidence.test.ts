import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { CountEvidence, ERROR_MIXTURE, LOG_WEIGHTS, ratioMixture } from './count-evidence.js';

/** Poisson by inversion (small means) or normal approximation; enough for test data. */
function poisson(rng: () => number, lambda: number): number {
  if (lambda > 50)
    return Math.max(
      0,
      Math.round(
        lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-300))) * Math.cos(2 * Math.PI * rng()),
      ),
    );
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rng();
  while (u > cdf) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

function binomial(rng: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

/**
 * A/A with common events (e.g. "slower than the median"): each interval n_c and n_b requests, every one an event
 * with the same probability p_t (shared, drifting); the test is given the request counts.
 */
function everRejectsCommon(
  rng: () => number,
  opts: { intervals: number; requests: number; p: number; alpha: number },
): boolean {
  const e = new CountEvidence();
  const shares = [0.05, 0.1, 0.25, 0.5, 0.7];
  for (let i = 0; i < opts.intervals; i++) {
    const rho = shares[Math.min(shares.length - 1, Math.floor((i * shares.length) / opts.intervals))]!;
    const nc = Math.max(1, Math.round(opts.requests * rho * (0.8 + 0.4 * rng())));
    const nb = Math.max(1, Math.round(opts.requests * (1 - rho) * (0.8 + 0.4 * rng())));
    const p = Math.min(0.99, Math.max(0.01, opts.p * (0.7 + 0.6 * rng())));
    const c = binomial(rng, nc, p);
    const b = binomial(rng, nb, p);
    e.add(c, b, nc / (nc + nb), { canary: nc, baseline: nb });
    if (e.logBayesFactor('either') >= Math.log(1 / opts.alpha)) return true;
  }
  return false;
}

/** One simulated run: per interval a share ρ_t from a step schedule and a shared load λ_t; canary rate × ratio. */
function everRejects(
  rng: () => number,
  ratio: number,
  opts: { intervals: number; baseEvents: number; alpha: number; swing: number },
): number | undefined {
  const e = new CountEvidence();
  const shares = [0.05, 0.1, 0.25, 0.5];
  for (let i = 0; i < opts.intervals; i++) {
    const rho = shares[Math.min(shares.length - 1, Math.floor((i * shares.length) / opts.intervals))]!;
    const load = 1 + opts.swing * Math.sin(i / 3 + rng());
    const mean = opts.baseEvents * load;
    e.add(poisson(rng, mean * rho * ratio), poisson(rng, mean * (1 - rho)), rho);
    if (e.logBayesFactor('increase') >= Math.log(1 / opts.alpha)) return i;
  }
  return undefined;
}

describe('CountEvidence (mixture likelihood ratio on counts)', () => {
  it('A/A: checked after every interval, false rejections stay under α whatever the traffic and load', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 0.5, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (seed, baseEvents, swing) => {
          const rng = seededRandom(seed);
          const alpha = 0.05;
          const runs = 300;
          let rejected = 0;
          for (let r = 0; r < runs; r++)
            if (everRejects(rng, 1, { intervals: 40, baseEvents, alpha, swing }) !== undefined) rejected++;
          // Ville: P(ever ≥ 1/α) ≤ α. Allow 3 binomial standard errors of sampling noise.
          expect(rejected / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('A/A with common events and request counts (the sharper test, p̂ > ρ): false rejections stay under α', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        fc.integer({ min: 20, max: 400 }),
        (seed, p, requests) => {
          const rng = seededRandom(seed);
          const alpha = 0.05;
          const runs = 300;
          let rejected = 0;
          for (let r = 0; r < runs; r++) if (everRejectsCommon(rng, { intervals: 30, requests, p, alpha })) rejected++;
          expect(rejected / runs).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
        },
      ),
      { numRuns: 10 },
    );
  });

  it('the request counts make a common-event shift visible sooner, never later', () => {
    // Canary 10% of traffic; 64% of its requests slower than the bound vs 50% of the baseline's (a +20% median shift).
    const plain = new CountEvidence();
    const sharp = new CountEvidence();
    let plainAt = Infinity;
    let sharpAt = Infinity;
    for (let i = 1; i <= 10; i++) {
      plain.add(128, 900, 0.1);
      sharp.add(128, 900, 0.1, { canary: 200, baseline: 1800 });
      if (plainAt === Infinity && plain.logBayesFactor('increase') >= Math.log(600)) plainAt = i;
      if (sharpAt === Infinity && sharp.logBayesFactor('increase') >= Math.log(600)) sharpAt = i;
    }
    expect(sharpAt).toBeLessThan(plainAt);
    expect(sharp.logBayesFactor('increase')).toBeGreaterThan(plain.logBayesFactor('increase'));
  });

  it('mixture weights are a probability distribution (Ville needs Σ w ≤ 1)', () => {
    let total = 0;
    for (const w of LOG_WEIGHTS) total += Math.exp(w);
    expect(total).toBeCloseTo(1, 12);
  });

  it('the error mixture is a probability distribution that weighs moderate ratios more', () => {
    expect(Array.from(ERROR_MIXTURE.logWeights, Math.exp).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const lat = new CountEvidence();
    const err = new CountEvidence(undefined, ERROR_MIXTURE);
    const huge = new CountEvidence();
    const hugeErr = new CountEvidence(undefined, ERROR_MIXTURE);
    for (let i = 0; i < 30; i++) {
      // ×1.5 at a 25% share: 15 canary events where 10 were expected; then ×20, 50 where 2.5 were expected.
      lat.add(15, 30, 0.25);
      err.add(15, 30, 0.25);
      if (i < 3) {
        huge.add(50, 7.5, 0.25);
        hugeErr.add(50, 7.5, 0.25);
      }
    }
    expect(err.logBayesFactor('increase')).toBeGreaterThan(lat.logBayesFactor('increase'));
    // A large regression is far past any threshold under both.
    expect(hugeErr.logBayesFactor('increase')).toBeGreaterThan(Math.log(1e6));
    expect(huge.logBayesFactor('increase')).toBeGreaterThan(Math.log(1e6));
  });

  it('a custom ratio mixture is normalised and places each ratio on the grid', () => {
    const m = ratioMixture([3, 99], [1, 3]);
    expect(Array.from(m.logWeights, Math.exp)).toEqual([expect.closeTo(0.25, 12), expect.closeTo(0.75, 12)]);
    expect(m.offsets).toEqual([22, 92]); // log 3 = 1.10, log 99 = 4.60, in steps of 0.05
    // With only large ratios, all of an interval's failures on the canary is strong evidence.
    const e = new CountEvidence(undefined, m);
    e.add(8, 0, 0.5);
    expect(e.logBayesFactor('increase')).toBeGreaterThan(Math.log(0.75) + 8 * Math.log(1.97));
  });

  it('a clear regression (≥ 3× the rate, enough traffic) is always caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.double({ min: 3, max: 20, noNaN: true }),
        fc.double({ min: 20, max: 200, noNaN: true }),
        (seed, ratio, baseEvents) => {
          const at = everRejects(seededRandom(seed), ratio, { intervals: 40, baseEvents, alpha: 0.001, swing: 0.5 });
          expect(at).toBeDefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is invariant to a shared load factor: only events and the canary share matter', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            c: fc.nat(50),
            b: fc.nat(500),
            canaryReq: fc.integer({ min: 1, max: 5000 }),
            baseReq: fc.integer({ min: 1, max: 50000 }),
            load: fc.double({ min: 0.01, max: 100, noNaN: true }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (rows) => {
          const plain = new CountEvidence();
          const loaded = new CountEvidence();
          for (const r of rows) {
            plain.add(r.c, r.b, r.canaryReq / (r.canaryReq + r.baseReq));
            // The same interval with both versions' traffic scaled by a shared factor: same share.
            loaded.add(r.c, r.b, (r.canaryReq * r.load) / (r.canaryReq * r.load + r.baseReq * r.load));
          }
          expect(loaded.logBayesFactor('increase')).toBeCloseTo(plain.logBayesFactor('increase'), 9);
        },
      ),
    );
  });

  it('confidence sequence brackets the true ratio and shows "no worse than tolerance" with enough data', () => {
    const e = new CountEvidence();
    for (let i = 0; i < 50; i++) e.add(100, 900, 0.1); // exactly the baseline's rate
    const t = Math.log(100);
    expect(e.lowerBound(t)).toBeLessThan(0);
    expect(e.upperBound(t)).toBeGreaterThan(0);
    expect(Math.exp(e.upperBound(t))).toBeLessThan(1.2);
    expect(e.logMixture(Math.log(1.2), 'down')).toBeGreaterThanOrEqual(t);
    expect(e.logBayesFactor('increase')).toBeLessThan(0);
  });

  it('ignores intervals without events or with a degenerate share', () => {
    const e = new CountEvidence();
    e.add(0, 0, 0.1);
    e.add(5, 0, 1);
    e.add(5, 5, 0);
    expect(e.logBayesFactor('either')).toBe(0);
    expect(e.canaryEvents).toBe(0);
  });
});
