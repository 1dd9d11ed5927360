import type { IntervalObservation } from '../schema/observation.js';
import type { JudgeName } from '../schema/policy.js';
import type { Reason, Verdict } from './assessment.js';

/** One metric's judgement after an interval. */
export interface MetricJudgement {
  metric: string;
  verdict: Verdict;
  /** Health in [0, 1] for the composite score: 1 = fine, 0 = regressed. */
  health: number;
  critical: boolean;
  weight: number;
  reason: Reason;
}

/** What a judge says after one more interval; the analysis adds synthetics, error budget and playbook rules. */
export interface JudgeOutput {
  metrics: MetricJudgement[];
  /** A judge-level verdict that overrides the per-metric ones (Argo failureLimit, Kayenta score classes). */
  verdict?: Verdict;
  /** Playbook rule name to report when `verdict` is fail. */
  rule?: string;
  reasons?: Reason[];
  /**
   * The judge-level verdict already accounts for metric regressions (Kayenta's score with its own critical
   * rule): the analysis then applies only the synthetic and error-budget rules on top, not its own
   * critical-metric and composite-score rules, so the port stays faithful.
   */
  authoritative?: boolean;
  /**
   * The judge has affirmative evidence that the canary is no worse than tolerated: promote without finishing the steps.
   */
  promoteEarly?: boolean;
}

export interface Judge {
  readonly name: JudgeName;
  update(observation: IntervalObservation): JudgeOutput;
}
