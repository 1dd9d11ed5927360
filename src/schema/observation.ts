import { z } from 'zod';

/**
 * What every source produces once per analysis interval and variant. Maps one-to-one onto Prometheus
 * counters and histograms. Any field (or the whole variant) may be null/absent: no data that interval.
 */
export const syntheticCounts = z
  .object({
    runs: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
  })
  .strict();

export const variantObservation = z
  .object({
    requests: z.number().nonnegative().nullish(),
    errors: z.number().nonnegative().nullish(),
    /** Per-bucket counts (not cumulative), one more than the bounds; the last bucket is +Inf. */
    latency: z.array(z.number().nonnegative()).nullish(),
    synthetic: syntheticCounts.nullish(),
    /** Custom metric values by metric name (e.g. from PromQL), for `kind: custom`. */
    custom: z.record(z.string(), z.number().nullable()).nullish(),
  })
  .strict();

export const intervalObservation = z
  .object({
    /** Seconds since the rollout started, at the end of the interval. */
    t: z.number().nonnegative(),
    /** Canary weight in percent during the interval. */
    weight: z.number().min(0).max(100),
    baseline: variantObservation.nullish(),
    canary: variantObservation.nullish(),
  })
  .strict();

export type SyntheticCounts = z.infer<typeof syntheticCounts>;
export type VariantObservation = z.infer<typeof variantObservation>;
export type IntervalObservation = z.infer<typeof intervalObservation>;
export type Variant = 'baseline' | 'canary';

export const DEFAULT_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;
