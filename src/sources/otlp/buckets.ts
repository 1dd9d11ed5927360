/**
 * Histogram buckets as OTLP sends them, the difference of two cumulative points, and the conversion into the
 * policy's latency bounds (per-bucket counts, one more than the bounds, the last +Inf — IntervalObservation).
 *
 * Explicit buckets are (bounds[i-1], bounds[i]], upper-inclusive. Exponential buckets at scale s have base
 * 2^(2^-s); positive bucket k holds (base^(offset+k), base^(offset+k+1)]. Each bucket lands in the policy bucket
 * of its upper end: exact when the service's bounds include the policy's (the SDK's advised seconds buckets do),
 * otherwise a bucket straddling a policy bound counts as the slower side — never faster than it was.
 */
export type Buckets =
  | { type: 'none' }
  | { type: 'explicit'; bounds: number[]; counts: number[] }
  | {
      type: 'exponential';
      scale: number;
      zeroCount: number;
      zeroThreshold: number;
      positive: { offset: number; counts: number[] };
      negative: { offset: number; counts: number[] };
    };

type Obj = Record<string, unknown>;
const nums = (x: unknown): number[] => (Array.isArray(x) ? x.map((v) => (typeof v === 'string' ? Number(v) : +v)) : []);
const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const valid = (xs: number[]): boolean => xs.every((x) => Number.isFinite(x) && x >= 0);
const num = (x: unknown, dflt = 0): number => (x === undefined ? dflt : typeof x === 'string' ? Number(x) : +x!);

/** A histogram point's explicit buckets, or why they cannot be read. */
export function explicitBuckets(p: Obj): Buckets | string {
  const bounds = nums(p.explicitBounds);
  const counts = nums(p.bucketCounts);
  if (counts.length === 0 && bounds.length === 0) return { type: 'none' };
  if (counts.length !== bounds.length + 1) return 'bucketCounts must have one more entry than explicitBounds';
  if (!valid(counts) || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!)))
    return 'explicitBounds must increase and bucketCounts be non-negative';
  if (total(counts) !== num(p.count)) return 'bucketCounts do not add up to count';
  return { type: 'explicit', bounds, counts };
}

/** An exponential histogram point's buckets, or why they cannot be read. */
export function exponentialBuckets(p: Obj): Buckets | string {
  const side = (x: unknown): { offset: number; counts: number[] } => {
    const o = (x ?? {}) as Obj;
    return { offset: num(o.offset), counts: nums(o.bucketCounts) };
  };
  const positive = side(p.positive);
  const negative = side(p.negative);
  const scale = num(p.scale);
  const zeroCount = num(p.zeroCount);
  if (!Number.isInteger(scale) || scale < -10 || scale > 20) return 'scale must be an integer in [-10, 20]';
  if (!valid(positive.counts) || !valid(negative.counts) || !(zeroCount >= 0)) return 'bucket counts must be >= 0';
  if (!Number.isInteger(positive.offset) || !Number.isInteger(negative.offset)) return 'offsets must be integers';
  if (zeroCount + total(positive.counts) + total(negative.counts) !== num(p.count))
    return 'bucket counts do not add up to count';
  return { type: 'exponential', scale, zeroCount, zeroThreshold: num(p.zeroThreshold), positive, negative };
}

/** Counts of one exponential side at a lower scale: lowering the scale merges 2^d neighbours (exact). */
function downscale(s: { offset: number; counts: number[] }, d: number): Map<number, number> {
  const out = new Map<number, number>();
  s.counts.forEach((c, k) => {
    if (c === 0) return;
    const i = (s.offset + k) >> d; // arithmetic shift: floor division by 2^d, also for negative indexes
    out.set(i, (out.get(i) ?? 0) + c);
  });
  return out;
}

function subtractSide(
  cur: { offset: number; counts: number[] },
  prev: { offset: number; counts: number[] },
  dCur: number,
  dPrev: number,
): { offset: number; counts: number[] } | null {
  const a = downscale(cur, dCur);
  const b = downscale(prev, dPrev);
  for (const [i, c] of b) {
    const left = (a.get(i) ?? 0) - c;
    if (left < 0) return null;
    a.set(i, left);
  }
  if (a.size === 0) return { offset: 0, counts: [] };
  const keys = [...a.keys()];
  const lo = Math.min(...keys);
  const counts = new Array<number>(Math.max(...keys) - lo + 1).fill(0);
  for (const [i, c] of a) counts[i - lo] = c;
  return { offset: lo, counts };
}

/**
 * `cur − prev` for two cumulative points of one series, or null when that is not a window (a count went down,
 * or the explicit bounds changed): the series was reset. Exponential points are first brought to their lower
 * scale, since an SDK lowers the scale as the range of values grows.
 */
export function subtractBuckets(cur: Buckets, prev: Buckets): Buckets | null {
  if (cur.type === 'none' || prev.type === 'none') return cur.type === prev.type ? cur : null;
  if (cur.type === 'explicit' && prev.type === 'explicit') {
    if (cur.bounds.length !== prev.bounds.length || cur.bounds.some((b, i) => b !== prev.bounds[i])) return null;
    const counts = cur.counts.map((c, i) => c - prev.counts[i]!);
    return counts.some((c) => c < 0) ? null : { type: 'explicit', bounds: cur.bounds, counts };
  }
  if (cur.type === 'exponential' && prev.type === 'exponential') {
    const scale = Math.min(cur.scale, prev.scale);
    const [dc, dp] = [cur.scale - scale, prev.scale - scale];
    const positive = subtractSide(cur.positive, prev.positive, dc, dp);
    const negative = subtractSide(cur.negative, prev.negative, dc, dp);
    const zeroCount = cur.zeroCount - prev.zeroCount;
    if (!positive || !negative || zeroCount < 0) return null;
    return { type: 'exponential', scale, zeroCount, zeroThreshold: cur.zeroThreshold, positive, negative };
  }
  return null;
}

/** Milliseconds per unit of the metric (UCUM, as the semantic conventions use): `s` by default. */
export function msPerUnit(unit: string): number {
  if (unit === 'ms') return 1;
  if (unit === 'us') return 1e-3;
  if (unit === 'ns') return 1e-6;
  if (unit === 'min') return 60_000;
  return 1_000;
}

// Float products like 0.075 * 1000 = 75.00000000000001 must still land in the 75 ms bucket.
const EPS = 1e-9;

function slot(upperMs: number, boundsMs: readonly number[]): number {
  for (let j = 0; j < boundsMs.length; j++) if (upperMs <= boundsMs[j]! * (1 + EPS)) return j;
  return boundsMs.length;
}

/** Per-bucket counts in the policy's bounds (one more than the bounds), or null for a point without buckets. */
export function rebin(b: Buckets, msPer: number, boundsMs: readonly number[], into?: number[]): number[] | null {
  if (b.type === 'none') return null;
  const out = into ?? new Array<number>(boundsMs.length + 1).fill(0);
  if (b.type === 'explicit') {
    b.counts.forEach((c, i) => {
      if (c > 0) out[i < b.bounds.length ? slot(b.bounds[i]! * msPer, boundsMs) : boundsMs.length]! += c;
    });
    return out;
  }
  // Durations are not negative: the zero bucket and any negative bucket are the fastest there is.
  out[0]! += b.zeroCount + b.negative.counts.reduce((a, c) => a + c, 0);
  const width = Math.pow(2, -b.scale);
  b.positive.counts.forEach((c, k) => {
    if (c > 0) out[slot(Math.pow(2, (b.positive.offset + k + 1) * width) * msPer, boundsMs)]! += c;
  });
  return out;
}
