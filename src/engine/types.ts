import type { IntervalObservation } from '../schema/observation.js';

/**
 * The contract between the engine (judges, score, rules) and everything that uses it (controller, replay,
 * server, evidence). Pure data: every field is JSON-serialisable so it can be logged, hashed and replayed.
 * Extend it (add fields); do not rename or remove — evidence files and webhooks carry these shapes.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Why a signal got its verdict, with the numbers behind it. Reaches logs, evidence, webhooks and UI unchanged. */
export interface Reason {
  /** Metric or rule name, e.g. "error-rate", "latency-p99", "synthetic", "error-budget". */
  signal: string;
  verdict: Verdict;
  /** e.g. "mixture-likelihood-ratio", "mann-whitney", "threshold", "synthetic-score", "budget-burn". */
  statistic: string;
  /** The statistic's current value and the threshold it is compared with. */
  value: number;
  threshold: number;
  /** One sentence a Release Captain understands, numbers included. */
  message: string;
  /** Supporting numbers (counts, ratios, confidence bounds). */
  details?: Record<string, number | string | null>;
}

/** The engine's judgement after one more interval of observations. */
export interface Assessment {
  /**
   * fail = roll back now; pass = promotable (criteria met: the rollout may go on to the next step, and promote
   * when the steps are done); inconclusive = not enough evidence yet (at the end of a step: extend the bake).
   */
  verdict: Verdict;
  /** Composite health score in [0, 1]. */
  score: number;
  reasons: Reason[];
  /** Name of the playbook rule that forced a rollback, when one did (e.g. "synthetic-consecutive"). */
  rule?: string;
  /**
   * The judge has affirmative evidence (sequential: every metric's confidence sequence below its tolerance)
   * that the canary is no worse than tolerated: it may be promoted now, skipping the remaining steps.
   */
  promoteEarly?: boolean;
  /** Which judge produced it ("sequential", "kayenta", "threshold"). */
  judge?: string;
}

/** One per rollout; fed every interval in order. Stateful, pure: same inputs → same outputs. */
export interface Analysis {
  evaluate(observation: IntervalObservation): Assessment;
}
