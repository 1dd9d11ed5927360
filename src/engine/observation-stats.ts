import type { IntervalObservation, VariantObservation } from '../schema/observation.js';
import type { MetricPolicy } from '../schema/policy.js';

/**
 * Per-interval numbers read off an observation, as the absolute judges (threshold, Kayenta) see a metric:
 * the error ratio, a latency quantile in ms (Prometheus `histogram_quantile` interpolation), or a custom metric's
 * mean over the interval's samples.
 * null = no data for that variant this interval.
 */
export function metricValue(
  v: VariantObservation | null | undefined,
  metric: MetricPolicy,
  boundsMs: readonly number[],
): number | null {
  if (!v) return null;
  if (metric.kind === 'errors') return errorRatio(v);
  if (metric.kind === 'latency') return v.latency ? histogramQuantile(v.latency, boundsMs, metric.quantile) : null;
  const samples = customSamplesOf(v, metric.name);
  return samples.length > 0 ? sum(samples) / samples.length : null;
}

/** A custom metric's finite samples in one variant's interval (a single value is one sample); [] = no data. */
export function customSamplesOf(v: VariantObservation | null | undefined, name: string): number[] {
  const value = v?.custom?.[name];
  if (value === undefined || value === null) return [];
  return (typeof value === 'number' ? [value] : value).filter((x) => Number.isFinite(x));
}

export function errorRatio(v: VariantObservation): number | null {
  if (v.requests === null || v.requests === undefined || v.errors === null || v.errors === undefined) return null;
  return v.requests > 0 ? v.errors / v.requests : null;
}

/**
 * Quantile of a histogram with per-bucket counts (the last bucket is +Inf), interpolating linearly inside the
 * bucket like Prometheus; a quantile in the +Inf bucket returns the highest finite bound.
 */
export function histogramQuantile(counts: readonly number[], boundsMs: readonly number[], q: number): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (!(total > 0)) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (cum + c >= rank && c > 0) {
      if (i >= boundsMs.length) return boundsMs[boundsMs.length - 1] ?? null;
      const lower = i === 0 ? 0 : boundsMs[i - 1]!;
      const upper = boundsMs[i]!;
      return lower + ((upper - lower) * (rank - cum)) / c;
    }
    cum += c;
  }
  return boundsMs[boundsMs.length - 1] ?? null;
}

/** Requests in buckets above bound index k (i.e. slower than boundsMs[k]). */
export function countAbove(counts: readonly number[], k: number): number {
  let n = 0;
  for (let i = k + 1; i < counts.length; i++) n += counts[i]!;
  return n;
}

export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

/**
 * Index k of the bound whose "share of requests at or below it" in `counts` is closest to q — the bound the
 * count test uses for quantile q. Returns -1 when the histogram is empty or the bound would leave no bucket above.
 */
export function boundForQuantile(counts: ArrayLike<number>, q: number): number {
  const total = sum(counts);
  if (!(total > 0)) return -1;
  let cum = 0;
  let best = -1;
  let bestGap = Infinity;
  for (let k = 0; k < counts.length - 1; k++) {
    cum += counts[k]!;
    const gap = Math.abs(cum / total - q);
    if (gap < bestGap) {
      bestGap = gap;
      best = k;
    }
  }
  return best;
}

/** Canary and baseline of an interval, or undefined when either is missing. */
export function bothVariants(o: IntervalObservation): [VariantObservation, VariantObservation] | undefined {
  return o.canary && o.baseline ? [o.canary, o.baseline] : undefined;
}
