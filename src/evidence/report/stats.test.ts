import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distribution, median, quantile, rate } from './stats.js';

describe('report statistics', () => {
  it('quantiles interpolate between closest ranks (type 7), checked by hand', () => {
    expect(median([400, 0.5, 30, 2])).toBe(16); // (2 + 30) / 2
    expect(quantile([0.5, 2, 30, 400], 0.9)).toBeCloseTo(289, 10); // 30 + 0.7 × 370
    expect(quantile([7], 0.9)).toBe(7);
    expect(median([])).toBeUndefined();
    expect(distribution([3, 1, 2])).toEqual({ count: 3, median: 2, p90: 2.8, max: 3 });
    expect(rate(1, 4)).toBe(0.25);
    expect(rate(0, 0)).toBeNull();
  });

  it('property: quantiles lie within the data and grow with q', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, q) => {
          const v = quantile(xs, q)!;
          return (
            v >= Math.min(...xs) - 1e-9 &&
            v <= Math.max(...xs) + 1e-9 &&
            quantile(xs, Math.min(1, q + 0.1))! >= v - 1e-9
          );
        },
      ),
    );
  });
});
