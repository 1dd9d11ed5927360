import type { IntervalObservation } from '../schema/observation.js';
import type { Reason, Verdict } from '../schema/reason.js';

/**
 * The contract between the engine (judges, score, rules) and everything that uses it (controller, replay,
 * server, evidence). Pure data: every field is JSON-serialisable so it can be logged, hashed and replayed.
 * Extend it (add fields); do not rename or remove — evidence files and webhooks carry these shapes.
 * `Reason` is defined once, by its zod schema (src/schema/reason.ts).
 */
export type { Reason, Verdict };

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
  /** What the canary was compared with: the baseline instances, or the stable version (engine/judged-view.ts). */
  comparison?: 'baseline' | 'stable';
  /** The interval fell in the policy's warm-up: observed and shown, not judged. */
  warmup?: boolean;
}

/** One per rollout; fed every interval in order. Stateful, pure: same inputs → same outputs. */
export interface Analysis {
  evaluate(observation: IntervalObservation): Assessment;
}
