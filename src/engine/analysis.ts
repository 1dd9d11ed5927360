import type { IntervalObservation } from '../schema/observation.js';
import type { JudgeName, PolicySpec } from '../schema/policy.js';
import { compositeScore, type WeightedHealth } from './composite-score.js';
import { createErrorBudget } from './error-budget.js';
import type { JudgeOutput } from './judge-interface.js';
import { createJudge } from './create-judge.js';
import { createJudgedView, type JudgedView } from './judged-view.js';
import { seededRandom } from './random.js';
import { rankReasons } from './reason-text.js';
import { changePointPrior, plannedIntervals } from './start-time-prior.js';
import { createSyntheticRule } from './synthetic-rule.js';
import type { Analysis, Assessment, Reason, Verdict } from './assessment.js';

export interface AnalysisOptions {
  /** Overrides `spec.judge`. */
  judge?: JudgeName;
  /** Uniform [0, 1) source for the judges that need noise (Kayenta's tie-breaking jitter). Seeded by default. */
  random?: () => number;
}

/**
 * One Analysis per rollout: feed it every interval in order; it returns the judge's verdict combined with the
 * playbook rules (docs/statistics.md §5–6). Pure and deterministic: same policy, options and observations → same
 * output.
 *
 * Rules, in the order they are reported: a critical metric regressed; the judge's own failure rule
 * (Argo failureLimit, Kayenta score ≤ marginal); synthetic score < minScore for `consecutive` intervals (with
 * stable's probes, only once a count test shows the canary's fail more often); error budget consumed above the
 * limit; a metric regressed and the composite score fell below `promotion.minScore`.
 *
 * @example
 *   const analysis = createAnalysis(defaultPolicySpec('maestro-api'));
 *   const a = analysis.evaluate({ t: 10, weight: 10, baseline: {...}, canary: {...} });
 *   if (a.verdict === 'fail') rollBack(a.reasons);
 */
export function createAnalysis(policy: PolicySpec, options: AnalysisOptions = {}): Analysis {
  const name = options.judge ?? policy.judge;
  const judge = createJudge(name, policy, options.random ?? seededRandom(1));
  const synthetic = createSyntheticRule(
    policy.promotion.synthetic,
    policy.alpha,
    changePointPrior(plannedIntervals(policy)),
  );
  const budget = createErrorBudget(policy);
  const view = createJudgedView(policy);
  return {
    evaluate(o: IntervalObservation): Assessment {
      const seen = view(o);
      // Warm-up: the judge sees nothing (its metrics stay unjudged); the error budget still counts the interval.
      const out: JudgeOutput = seen.observation ? judge.update(seen.observation) : { metrics: [] };
      if (seen.warmup) return warmupAssessment(seen, budget(o), name, policy.promotion.minScore);
      const syn = synthetic(o);
      const burn = budget(o);
      const signals: WeightedHealth[] = out.metrics.map((m) => ({ health: m.health, weight: m.weight }));
      if (syn.health !== undefined) signals.push({ health: syn.health, weight: policy.promotion.synthetic.weight });
      signals.push({ health: burn.failed ? 0 : 1, weight: 1 });
      const score = compositeScore(signals);
      const rule = firedRule(out, syn.failed, burn.failed, score, policy.promotion.minScore);
      const verdict: Verdict = rule ? 'fail' : settle(out, score, policy.promotion.minScore);
      const reasons: Reason[] = [
        ...out.metrics.map((m) => m.reason),
        ...(out.reasons ?? []),
        ...(syn.reason ? [syn.reason] : []),
        burn.reason,
        scoreReason(score, policy.promotion.minScore, verdict),
        seen.reason,
      ];
      const assessment: Assessment = {
        verdict,
        score: Math.round(score * 10_000) / 10_000,
        reasons: rankReasons(reasons), // worst first, as every view reads them
        judge: name,
        comparison: seen.comparison,
      };
      if (rule) assessment.rule = rule;
      if (verdict === 'pass' && out.promoteEarly) assessment.promoteEarly = true;
      return assessment;
    },
  };
}

/** An interval inside the policy's warm-up: inconclusive, unless the error budget is already overspent. */
function warmupAssessment(
  seen: JudgedView,
  burn: ReturnType<ReturnType<typeof createErrorBudget>>,
  judge: JudgeName,
  minScore: number,
): Assessment {
  const score = burn.failed ? 0 : 1;
  const verdict: Verdict = burn.failed ? 'fail' : 'inconclusive';
  const a: Assessment = {
    verdict,
    score,
    reasons: rankReasons([seen.reason, burn.reason, scoreReason(score, minScore, verdict)]),
    judge,
    comparison: seen.comparison,
    warmup: true,
  };
  if (burn.failed) a.rule = 'error-budget';
  return a;
}

function firedRule(
  out: JudgeOutput,
  synthetic: boolean,
  budget: boolean,
  score: number,
  minScore: number,
): string | undefined {
  if (!out.authoritative && out.metrics.some((m) => m.critical && m.verdict === 'fail')) return 'critical-metric';
  if (out.verdict === 'fail') return out.rule ?? 'judge';
  if (synthetic) return 'synthetic-consecutive';
  if (budget) return 'error-budget';
  if (!out.authoritative && out.metrics.some((m) => m.verdict === 'fail' && m.weight > 0) && score < minScore)
    return 'composite-score';
  return undefined;
}

function settle(out: JudgeOutput, score: number, minScore: number): Verdict {
  if (out.authoritative && out.verdict) return out.verdict;
  if (score < minScore) return 'inconclusive';
  if (out.verdict) return out.verdict;
  const judged = out.metrics.filter((m) => m.weight > 0);
  return judged.every((m) => m.verdict === 'pass') ? 'pass' : 'inconclusive';
}

function scoreReason(score: number, minScore: number, verdict: Verdict): Reason {
  return {
    signal: 'composite-score',
    verdict: score >= minScore ? 'pass' : verdict === 'fail' ? 'fail' : 'inconclusive',
    statistic: 'weighted-mean-health',
    value: Math.round(score * 10_000) / 10_000,
    threshold: minScore,
    message: `${score.toFixed(3)} ${score >= minScore ? '≥' : '<'} ${minScore} needed to promote`,
  };
}
