import type { IntervalObservation } from '../schema/observation.js';
import type { PolicySpec } from '../schema/policy.js';
import type { Judge, JudgeOutput, MetricJudgement } from './judge-interface.js';
import { classify, type MetricClassification } from './kayenta/classifier.js';
import { classifyScore, scoreMetrics } from './kayenta/scorer.js';
import { metricValue } from './observation-stats.js';
import type { Reason, Verdict } from './assessment.js';

/**
 * Kayenta's NetflixACAJudge-v1.0 run the way Spinnaker's multi-interval canary runs it
 * (`MonitorCanaryTask`): every interval a fresh judgement on the data from the start (or the last
 * `lookbackSeconds`), one value per interval and variant; any score ≤ marginal aborts; pass needs ≥ pass.
 * Faithfully, nothing corrects for the repeated looks or the number of metrics — that is the point of
 * comparing it with the sequential judge.
 */
export function createKayentaJudge(spec: PolicySpec, random: () => number): Judge {
  const series = spec.metrics.map(() => ({
    t: [] as number[],
    control: [] as (number | null)[],
    experiment: [] as (number | null)[],
  }));
  const k = spec.kayenta;
  return {
    name: 'kayenta',
    update(o: IntervalObservation): JudgeOutput {
      const classes = spec.metrics.map((m, i) => {
        const s = series[i]!;
        s.t.push(o.t);
        s.control.push(metricValue(o.baseline, m, spec.latencyBoundsMs));
        s.experiment.push(metricValue(o.canary, m, spec.latencyBoundsMs));
        const from = k.lookbackSeconds === undefined ? -Infinity : o.t - k.lookbackSeconds;
        const pick = (xs: (number | null)[]): number[] =>
          xs.filter((v, j): v is number => v !== null && s.t[j]! > from);
        return classify(m, pick(s.control), pick(s.experiment), {
          tolerance: k.tolerance,
          confidenceLevel: k.confidenceLevel,
          random,
        });
      });
      const { score, groups } = scoreMetrics(
        classes.map((c, i) => ({
          group: spec.metrics[i]!.group ?? spec.metrics[i]!.name,
          classification: c.classification,
          critical: c.critical,
        })),
        k.groupWeights,
      );
      const cls = classifyScore(score, k.pass, k.marginal);
      // MonitorCanaryTask aborts on any score ≤ marginal, not only below it.
      const verdict: Verdict = score <= k.marginal ? 'fail' : cls === 'Pass' ? 'pass' : 'inconclusive';
      const metrics = classes.map((c, i) => judgement(spec.metrics[i]!, c));
      const reason: Reason = {
        signal: 'kayenta-score',
        verdict,
        statistic: 'kayenta-score',
        value: score,
        threshold: verdict === 'fail' ? k.marginal : k.pass,
        message: `${score} of 100 (${cls}; pass ≥ ${k.pass}, abort ≤ ${k.marginal}); groups ${Object.entries(groups)
          .map(([g, v]) => `${g} ${Math.round(v)}`)
          .join(', ')}`,
        details: {
          ...Object.fromEntries(Object.entries(groups).map(([g, v]) => [`group:${g}`, v])),
          pass: k.pass,
          marginal: k.marginal,
        },
      };
      return { metrics, verdict, rule: 'kayenta-score', reasons: [reason], authoritative: true };
    },
  };
}

function judgement(m: PolicySpec['metrics'][number], c: MetricClassification): MetricJudgement {
  const failed = c.classification === 'High' || c.classification === 'Low' || c.classification === 'NodataFailMetric';
  const verdict: Verdict = failed ? 'fail' : c.classification === 'Pass' ? 'pass' : 'inconclusive';
  return {
    metric: m.name,
    verdict,
    health: failed ? 0 : 1,
    critical: m.critical,
    // Nodata and Error results are left out of Kayenta's group scores; leave them out of ours too.
    weight: c.classification === 'Nodata' || c.classification === 'Error' ? 0 : m.weight,
    reason: {
      signal: m.name,
      verdict,
      statistic: 'mann-whitney',
      value: c.mw?.lower ?? 0,
      threshold: c.bound ?? 0,
      message: `${c.classification}${c.critical ? ' (critical)' : ''}: ${c.message}`,
      details: {
        classification: c.classification,
        ciLower: c.mw?.lower ?? null,
        ciUpper: c.mw?.upper ?? null,
        estimate: c.mw?.estimate ?? null,
        effectSize: Number.isNaN(c.effectSize) ? null : c.effectSize,
      },
    },
  };
}
