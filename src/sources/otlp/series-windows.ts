import { subtractBuckets, type Buckets } from './buckets.js';
import type { Attrs, HistogramPoint, NumberPoint, OtlpPoint } from './decode-request.js';

/**
 * Turns each series' points into what happened since its previous point: a DELTA point is that already (a
 * repeated one — an exporter retry — is dropped by its time stamp); a CUMULATIVE point minus the previous one
 * of the same series and start time. A new start time, or a count that went down, is a reset: the point then
 * holds everything since the new start. The first cumulative point of a series counts in full only when the
 * series started after this receiver did; otherwise it is history from before and only becomes the base.
 *
 * Memory stays bounded: series not seen for `ttlMs` are forgotten, and past `maxSeries` new series are refused.
 */
export interface WindowedHistogram {
  point: HistogramPoint;
  count: number;
  /** Null when a point has no sum (or the sum went down: negative values were recorded). */
  sum: number | null;
  buckets: Buckets;
}

export interface WindowedNumber {
  point: NumberPoint;
  /** Gauges: the value; sums: the increase since the previous point. */
  value: number;
}

interface Last {
  startNs: string;
  timeMs: number;
  count: number;
  sum: number | null;
  buckets: Buckets | null;
  value: number;
  seenAt: number;
}

export interface SeriesWindowsOptions {
  /** Epoch ms when the receiver started (first cumulative points of older series are history). */
  startedAtMs: number;
  maxSeries?: number;
  ttlMs?: number;
}

export const DEFAULT_MAX_SERIES = 100_000;

export class SeriesWindows {
  private readonly last = new Map<string, Last>();
  private readonly maxSeries: number;
  private readonly ttlMs: number;
  private sweptAt = 0;

  constructor(private readonly options: SeriesWindowsOptions) {
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
  }

  get size(): number {
    return this.last.size;
  }

  /**
   * The window of one point, null when it adds nothing (a duplicate, or a base), or 'refused' when it would be
   * a new series past the limit.
   */
  window(p: OtlpPoint, nowMs: number): WindowedHistogram | WindowedNumber | null | 'refused' {
    this.sweep(nowMs);
    if (p.kind === 'gauge') return { point: p, value: p.value };
    const key = seriesKey(p);
    const prev = this.last.get(key);
    if (!prev && this.last.size >= this.maxSeries) return 'refused';
    const timeMs = nsToMs(p.timeNs);
    if (prev && timeMs <= prev.timeMs && p.startNs === prev.startNs) {
      prev.seenAt = nowMs;
      return null; // the same point again (a retried export), or an older one arriving late
    }
    this.last.set(key, lastOf(p, timeMs, nowMs));
    if (p.temporality === 1) return whole(p);
    const fresh = nsToMs(p.startNs) >= this.options.startedAtMs;
    if (!prev || prev.startNs !== p.startNs) return fresh || prev ? whole(p) : null;
    return difference(p, prev);
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.sweptAt < this.ttlMs / 4) return;
    this.sweptAt = nowMs;
    for (const [k, v] of this.last) if (nowMs - v.seenAt > this.ttlMs) this.last.delete(k);
  }
}

function lastOf(p: HistogramPoint | NumberPoint, timeMs: number, nowMs: number): Last {
  const h = p.kind === 'histogram';
  return {
    startNs: p.startNs,
    timeMs,
    count: h ? p.count : 0,
    sum: h ? p.sum : null,
    buckets: h ? p.buckets : null,
    value: h ? 0 : p.value,
    seenAt: nowMs,
  };
}

/** A cumulative point minus the previous one of the same start time; a count that went down is a reset. */
function difference(p: HistogramPoint | NumberPoint, prev: Last): WindowedHistogram | WindowedNumber {
  if (p.kind !== 'histogram') return p.value >= prev.value ? { point: p, value: p.value - prev.value } : whole(p);
  const d = prev.buckets ? subtractBuckets(p.buckets, prev.buckets) : null;
  if (!d || p.count < prev.count) return whole(p);
  const sum = p.sum !== null && prev.sum !== null && p.sum >= prev.sum ? p.sum - prev.sum : null;
  return { point: p, count: p.count - prev.count, sum, buckets: d };
}

function whole(p: HistogramPoint | NumberPoint): WindowedHistogram | WindowedNumber {
  return p.kind === 'histogram'
    ? { point: p, count: p.count, sum: p.sum, buckets: p.buckets }
    : { point: p, value: p.value };
}

function nsToMs(ns: string): number {
  // Nanoseconds exceed 2^53; the first 13 digits are milliseconds, precise enough to order points.
  return ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
}

function attrsKey(a: Attrs): string {
  return Object.keys(a)
    .sort()
    .map((k) => `${k}=${String(a[k])}`)
    .join('\u001f');
}

// Every point of a resource shares its attribute object (decode-request.ts): its key is built once.
const resourceKeys = new WeakMap<Attrs, string>();

/** A series is its metric, its resource and its point attributes (in any order). */
export function seriesKey(p: OtlpPoint): string {
  let r = resourceKeys.get(p.resource);
  if (r === undefined) resourceKeys.set(p.resource, (r = attrsKey(p.resource)));
  return `${p.metric}\u001e${r}\u001e${attrsKey(p.attrs)}`;
}
