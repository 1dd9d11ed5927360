import type { PromSeries } from './http-api.js';

/**
 * Counter increase over [start, end] from a two-point range query. A series absent at the start began inside
 * the window (a new pod or a first request), so it counts from 0; a drop means the counter reset (a restart),
 * so the end value is what was counted since. Never negative, never NaN.
 */
export function windowDelta(series: PromSeries, [start, end]: [number, number]): number {
  const at = (t: number): number | undefined => series.values.find(([ts]) => Math.abs(ts - t) < 1e-3)?.[1];
  const last = at(end);
  if (last === undefined || !Number.isFinite(last)) return 0;
  const first = at(start);
  if (first === undefined || !Number.isFinite(first)) return last;
  return last >= first ? last - first : last;
}

/**
 * Prometheus cumulative `le` buckets (seconds) → per-bucket counts over the policy's bounds (ms), one more
 * than the bounds, the last being +Inf. A bound the service does not expose takes the nearest exposed bucket
 * below it (documented in docs/kubernetes.md: use the same buckets in the service and the policy).
 */
export function bucketsFromCumulative(
  cumulative: { le: string; count: number }[],
  boundsMs: readonly number[],
): number[] | null {
  const points = cumulative
    .map((c) => ({ le: c.le === '+Inf' ? Infinity : Number(c.le) * 1000, count: c.count }))
    .filter((p) => !Number.isNaN(p.le))
    .sort((a, b) => a.le - b.le);
  const inf = points.find((p) => p.le === Infinity);
  if (!inf) return null;
  const cumAt = (boundMs: number): number => {
    let c = 0;
    for (const p of points) if (p.le <= boundMs * (1 + 1e-9)) c = p.count;
    return c;
  };
  const out: number[] = [];
  let prev = 0;
  for (const b of boundsMs) {
    const c = Math.max(cumAt(b), prev);
    out.push(c - prev);
    prev = c;
  }
  out.push(Math.max(inf.count - prev, 0));
  return out;
}
