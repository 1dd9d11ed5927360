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

/**
 * One custom metric's samples in one interval and variant (`kind: custom`): a number, or the interval's samples
 * (one per instance or scrape, in the order taken), or null for no data. Every source (Prometheus, OTLP,
 * replay files) produces this shape; `customSamplesOf` in src/engine/observation-stats.ts reads it.
 */
export const customSamples = z.union([z.number(), z.array(z.number())]).nullable();

export const variantObservation = z
  .object({
    requests: z.number().nonnegative().nullish(),
    errors: z.number().nonnegative().nullish(),
    /** Per-bucket counts (not cumulative), one more than the bounds; the last bucket is +Inf. */
    latency: z.array(z.number().nonnegative()).nullish(),
    synthetic: syntheticCounts.nullish(),
    /** Custom metric samples by metric name (e.g. one per series of a PromQL vector), for `kind: custom`. */
    custom: z.record(z.string(), customSamples).nullish(),
  })
  .strict();

export const intervalObservation = z
  .object({
    /** Seconds since the rollout started, at the end of the interval. */
    t: z.number().nonnegative(),
    /** Canary weight in percent during the interval. */
    weight: z.number().min(0).max(100),
    /** The stable version serving now (the name predates baselines; kept so recordings stay valid). */
    baseline: variantObservation.nullish(),
    canary: variantObservation.nullish(),
    /**
     * The baseline proper, when one runs: fresh instances of the stable version started with the canary and
     * given the same load. When it has data the sequential judge compares the canary with it instead of with
     * stable (a cold start then shows on both sides). Named `control` because `baseline` above means stable.
     */
    control: variantObservation.nullish(),
    /**
     * Seconds (the clock of `t`) at which a resumed controller last started the upstream processes afresh (after
     * kill -9 or SIGTERM, `run` stops the old ones and starts new ones, as cold as at the start): the policy's
     * warm-up applies again from here. Absent when nothing was restarted (URLs, or no resume).
     */
    restartedAt: z.number().nonnegative().optional(),
  })
  .strict();

export type SyntheticCounts = z.infer<typeof syntheticCounts>;
export type VariantObservation = z.infer<typeof variantObservation>;
export type CustomSamples = z.infer<typeof customSamples>;
export type IntervalObservation = z.infer<typeof intervalObservation>;
export type Variant = 'baseline' | 'canary' | 'control';

export const DEFAULT_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;
