import { describe, expect, it } from 'vitest';
import { exponentialBuckets, explicitBuckets, msPerUnit, rebin, subtractBuckets, type Buckets } from './buckets.js';

const BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

describe('explicit buckets', () => {
  it('maps the advised seconds buckets one to one onto the same bounds in ms', () => {
    const b = explicitBuckets({
      explicitBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      bucketCounts: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'],
      count: '66',
    }) as Buckets;
    expect(rebin(b, msPerUnit('s'), BOUNDS_MS)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('puts a bucket that straddles a policy bound on its slower side', () => {
    // (0.075, 0.2] s is partly under 100 ms: counted at 250 ms, never faster than it may have been.
    const b = explicitBuckets({ explicitBounds: [0.075, 0.2], bucketCounts: [3, 4, 5], count: 12 }) as Buckets;
    expect(rebin(b, 1000, BOUNDS_MS)).toEqual([0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 5]);
  });

  it('refuses counts that do not match the bounds or the count', () => {
    expect(explicitBuckets({ explicitBounds: [1, 2], bucketCounts: [1, 1], count: 2 })).toMatch(/one more entry/);
    expect(explicitBuckets({ explicitBounds: [1], bucketCounts: [1, 1], count: 3 })).toMatch(/add up/);
    expect(explicitBuckets({ explicitBounds: [2, 1], bucketCounts: [1, 1, 1], count: 3 })).toMatch(/increase/);
    expect(explicitBuckets({ count: 4 })).toEqual({ type: 'none' });
  });
});

describe('exponential buckets', () => {
  it('reads the specification example: scale 0, offset 1, counts [0, 2] are 2 values in (4, 8]', () => {
    const b = exponentialBuckets({ scale: 0, count: 2, positive: { offset: 1, bucketCounts: ['0', '2'] } }) as Buckets;
    // In ms: (4, 8] lands in the 10 ms bucket.
    expect(rebin(b, 1, BOUNDS_MS)).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('converts a fine scale into the policy buckets by each bucket upper end', () => {
    // scale 3: base 2^(1/8). Index 26 covers (2^(26/8), 2^(27/8)] = (9.51, 10.37] ms: straddles 10 → the 25 bucket.
    const b = exponentialBuckets({
      scale: 3,
      count: 3,
      zeroCount: 1,
      positive: { offset: 25, bucketCounts: [1, 1] },
    }) as Buckets;
    // index 25: (8.72, 9.51] → 10 ms; index 26 → 25 ms; zero bucket → first.
    expect(rebin(b, 1, BOUNDS_MS)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses counts that do not add up', () => {
    expect(exponentialBuckets({ scale: 0, count: 5, positive: { offset: 0, bucketCounts: [1] } })).toMatch(/add up/);
    expect(exponentialBuckets({ scale: 40, count: 0 })).toMatch(/scale/);
  });
});

describe('cumulative differences', () => {
  const ex = (counts: number[]): Buckets => ({ type: 'explicit', bounds: [1, 2], counts });

  it('subtracts explicit buckets and calls a count going down a reset', () => {
    expect(subtractBuckets(ex([5, 3, 1]), ex([2, 3, 0]))).toEqual(ex([3, 0, 1]));
    expect(subtractBuckets(ex([1, 3, 1]), ex([2, 3, 0]))).toBeNull();
    expect(subtractBuckets({ type: 'explicit', bounds: [1, 3], counts: [5, 3, 1] }, ex([2, 3, 0]))).toBeNull();
  });

  it('brings exponential points to the lower scale before subtracting (the SDK downscales as values spread)', () => {
    const prev = exponentialBuckets({ scale: 2, count: 2, positive: { offset: 8, bucketCounts: [1, 1] } }) as Buckets;
    // The same two values at scale 1 are in index 4; one more value at scale 1 index 5.
    const cur = exponentialBuckets({ scale: 1, count: 3, positive: { offset: 4, bucketCounts: [2, 1] } }) as Buckets;
    const d = subtractBuckets(cur, prev);
    expect(d).toMatchObject({ type: 'exponential', scale: 1, positive: { offset: 4, counts: [0, 1] }, zeroCount: 0 });
    // Index 5 at scale 1: (2^2.5, 2^3] = (5.66, 8] ms.
    expect(rebin(d!, 1, BOUNDS_MS)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('floors negative indexes when downscaling', () => {
    const prev = exponentialBuckets({ scale: 1, count: 1, positive: { offset: -3, bucketCounts: [1] } }) as Buckets;
    const cur = exponentialBuckets({ scale: 0, count: 2, positive: { offset: -2, bucketCounts: [2] } }) as Buckets;
    expect(subtractBuckets(cur, prev)).toMatchObject({ positive: { offset: -2, counts: [1] } });
  });
});
