import { z } from 'zod';

/**
 * Why a signal got its verdict: the engine builds it, and it reaches logs, evidence, webhooks and the dashboard
 * unchanged. The single definition of `Reason` (the engine imports the type). Evidence is append-only, so fields
 * may be added but never renamed or removed. How a reason reads to a person is src/engine/reason-text.ts.
 */
export const verdict = z.enum(['pass', 'fail', 'inconclusive']);

/** For count signals: how much worse the canary is, and how sure we are — the numbers a person asks for first. */
export const reasonEffect = z.object({
  /** What was counted on the canary, e.g. "errors", "requests > 250 ms". */
  counted: z.string(),
  /** Canary events seen, and how many the baseline's rate predicts for the canary's traffic. */
  observed: z.number(),
  expected: z.number(),
  /** Canary/baseline rate ratio and its confidence bounds; null while not estimable (or unbounded, for `upper`). */
  ratio: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
});

export const reason = z.object({
  /** Metric or rule name, e.g. "error-rate", "latency-p99", "synthetic", "error-budget". */
  signal: z.string(),
  verdict,
  /** e.g. "mixture-likelihood-ratio", "mann-whitney", "threshold", "synthetic-score", "budget-burn". */
  statistic: z.string(),
  /** The statistic's value and the threshold it is compared with (null where JSON cannot carry NaN/±Infinity). */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** The finding in one sentence with its numbers; never starts with the signal (every view shows that). */
  message: z.string(),
  effect: reasonEffect.optional(),
  /** Supporting numbers (counts, ratios, confidence bounds). */
  details: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
});

export type Verdict = z.infer<typeof verdict>;
export type ReasonEffect = z.infer<typeof reasonEffect>;
export type Reason = z.infer<typeof reason>;
