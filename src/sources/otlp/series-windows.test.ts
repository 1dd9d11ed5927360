import { describe, expect, it } from 'vitest';
import type { HistogramPoint, NumberPoint } from './decode-request.js';
import { SeriesWindows, type WindowedHistogram, type WindowedNumber } from './series-windows.js';

const STARTED = 1_700_000_000_000;
const ns = (ms: number): string => `${ms}000000`;
const resource = { 'service.name': 'maestro-api', 'service.version': '1.4.0' };

function hist(o: { start: number; time: number; counts: number[]; temporality?: 1 | 2 }): HistogramPoint {
  return {
    kind: 'histogram',
    metric: 'http.server.request.duration',
    unit: 's',
    resource,
    attrs: { 'http.response.status_code': 200 },
    startNs: ns(o.start),
    timeNs: ns(o.time),
    temporality: o.temporality ?? 2,
    count: o.counts.reduce((a, b) => a + b, 0),
    sum: null,
    buckets: { type: 'explicit', bounds: [0.1], counts: o.counts },
  };
}

const counts = (w: unknown): number[] | null => {
  const x = w as WindowedHistogram | null;
  return x && x.buckets.type === 'explicit' ? x.buckets.counts : null;
};

describe('SeriesWindows', () => {
  it('gives each cumulative point minus the previous one of its series', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED });
    const start = STARTED + 10;
    expect(counts(w.window(hist({ start, time: start + 1000, counts: [3, 1] }), 0))).toEqual([3, 1]);
    expect(counts(w.window(hist({ start, time: start + 2000, counts: [5, 1] }), 0))).toEqual([2, 0]);
    expect(counts(w.window(hist({ start, time: start + 3000, counts: [5, 4] }), 0))).toEqual([0, 3]);
  });

  it('treats a new start time, or a count going down, as a reset: the point holds everything since', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED });
    const start = STARTED + 10;
    w.window(hist({ start, time: start + 1000, counts: [10, 2] }), 0);
    expect(counts(w.window(hist({ start: start + 1500, time: start + 2000, counts: [1, 1] }), 0))).toEqual([1, 1]);
    // Same start time but fewer counts (a restarted process that reused its start): also a reset.
    expect(counts(w.window(hist({ start: start + 1500, time: start + 3000, counts: [0, 1] }), 0))).toEqual([0, 1]);
  });

  it('drops a repeated point (an exporter retry) and counts DELTA points as they are', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED });
    const p = hist({ start: STARTED + 100, time: STARTED + 1100, counts: [2, 0], temporality: 1 });
    expect(counts(w.window(p, 0))).toEqual([2, 0]);
    expect(w.window({ ...p }, 0)).toBeNull();
    const next = hist({ start: STARTED + 1100, time: STARTED + 2100, counts: [1, 1], temporality: 1 });
    expect(counts(w.window(next, 0))).toEqual([1, 1]);
  });

  it('takes the first point of a series older than the receiver as its base only', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED });
    const start = STARTED - 60_000;
    expect(w.window(hist({ start, time: STARTED + 1000, counts: [100, 5] }), 0)).toBeNull();
    expect(counts(w.window(hist({ start, time: STARTED + 2000, counts: [101, 5] }), 0))).toEqual([1, 0]);
  });

  it('gives sums their increase and gauges their value', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED });
    const sum = (value: number, time: number): NumberPoint => ({
      kind: 'sum',
      metric: 'queue.retries',
      unit: '1',
      resource,
      attrs: {},
      startNs: ns(STARTED + 1),
      timeNs: ns(time),
      temporality: 2,
      value,
    });
    expect((w.window(sum(4, STARTED + 100), 0) as WindowedNumber).value).toBe(4);
    expect((w.window(sum(9, STARTED + 200), 0) as WindowedNumber).value).toBe(5);
    const gauge: NumberPoint = { ...sum(7, STARTED + 300), kind: 'gauge', temporality: null };
    expect((w.window(gauge, 0) as WindowedNumber).value).toBe(7);
  });

  it('refuses new series past its limit and forgets series not seen for its ttl', () => {
    const w = new SeriesWindows({ startedAtMs: STARTED, maxSeries: 1, ttlMs: 1000 });
    w.window(hist({ start: STARTED + 1, time: STARTED + 2, counts: [1, 0] }), 0);
    const other = { ...hist({ start: STARTED + 1, time: STARTED + 2, counts: [1, 0] }), attrs: { x: 1 } };
    expect(w.window(other, 10)).toBe('refused');
    expect(w.size).toBe(1);
    expect(counts(w.window(other, 5000))).toEqual([1, 0]); // the first series expired, room again
    expect(w.size).toBe(1);
  });
});
