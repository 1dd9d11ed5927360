import { z } from 'zod';
import { DEFAULT_LATENCY_BOUNDS_MS } from './observation.js';
import { durationWithin, formatDuration, TIMER_MAX_MS, TIMER_WHY } from './duration.js';
import { preflightPolicy, rolloutPolicy, signingPolicy } from './supply-chain-policy.js';
import { alertingPolicy, grafanaPolicy } from './observability.js';
import { kubernetesPolicy, prometheusPolicy } from './cluster.js';
import { metricSource } from './metric-source.js';
import { serviceName } from './names.js';

/**
 * `canary.yaml`: the release policy. The single source of its TypeScript types and its JSON Schema
 * (`schemas/canary-policy.schema.json`). Defaults follow the team's playbook (docs/statistics.md).
 */
const judgeName = z.enum(['sequential', 'kayenta', 'threshold']);

const step = z
  .object({
    /** Canary traffic weight in percent for this step. */
    weight: z.number().min(0).max(100),
    /** How long to bake at this weight before the next step (at least one analysis interval). */
    bake: durationWithin({ min: 0, max: TIMER_MAX_MS, why: TIMER_WHY }).default(60_000),
  })
  .strict();

const thresholdCondition = z
  .object({
    /** Argo/Flagger style absolute bounds on the canary's own value per interval. */
    max: z.number().optional(),
    min: z.number().optional(),
  })
  .strict();

const effectSize = z
  .object({
    /** Kayenta `effectSize`: mean ratio the canary may reach before High/Low counts (1.0 = any significant shift). */
    allowedIncrease: z.number().positive().default(1),
    allowedDecrease: z.number().positive().default(1),
    /** On a critical metric, a High/Low beyond these ratios is a critical failure (score 0). */
    criticalIncrease: z.number().positive().default(1),
    criticalDecrease: z.number().positive().default(1),
  })
  .strict();

const NO_EFFECT_SIZE = { allowedIncrease: 1, allowedDecrease: 1, criticalIncrease: 1, criticalDecrease: 1 };

const metric = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only'),
    kind: z.enum(['errors', 'latency', 'custom']),
    /** Which way is bad. */
    direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
    /** Canary/baseline ratio still acceptable for promotion (1.2 = up to 20% worse). */
    tolerance: z.number().min(1).default(1.2),
    /** A regression on a critical metric rolls back at once. */
    critical: z.boolean().default(false),
    /** Weight of this metric in the composite score. */
    weight: z.number().nonnegative().default(1),
    /** kind=latency: the latency quantile watched (the count test uses the share of requests above bounds). */
    quantile: z.number().gt(0).lt(1).default(0.99),
    /**
     * kind=custom: PromQL for the Prometheus source; `$variant` selects canary, stable or the baseline. Each
     * series of the result is one sample of the interval (e.g. one per pod).
     */
    query: z.string().optional(),
    /** Absolute conditions used by the threshold judge (error ratio, latency in ms, custom value). */
    threshold: thresholdCondition.optional(),
    /** Kayenta metric group (for `kayenta.groupWeights`); defaults to the metric name. */
    group: z.string().optional(),
    /** Kayenta `mustHaveData`: a non-critical metric with no data counts as a failure (NodataFailMetric). */
    mustHaveData: z.boolean().default(false),
    effectSize: effectSize.prefault({}),
  })
  .strict();

const errorBudget = z
  .object({
    /** Availability objective, e.g. 0.999. */
    slo: z.number().gt(0).lt(1).default(0.999),
    period: durationWithin({ min: 3_600_000, max: 366 * 86_400_000 }).default(30 * 86_400_000),
    /** Largest share of the period's error budget the release may consume (playbook: 10%). */
    maxBurn: z.number().gt(0).max(1).default(0.1),
  })
  .strict();

const syntheticRule = z
  .object({
    /** Roll back when the synthetic success ratio stays below this... */
    minScore: z.number().min(0).max(1).default(0.95),
    /** ...for this many consecutive intervals. */
    consecutive: z.number().int().positive().max(1000).default(2),
    /** Weight of the synthetic signal in the composite score. */
    weight: z.number().nonnegative().default(1),
  })
  .strict();

const promotion = z
  .object({
    minScore: z.number().min(0).max(1).default(0.95),
    synthetic: syntheticRule.prefault({}),
    errorBudget: errorBudget.prefault({}),
  })
  .strict();

const inconclusive = z
  .object({
    /** When a step ends without enough evidence, extend its bake by up to this long in total... */
    maxExtension: durationWithin({ min: 0, max: TIMER_MAX_MS, why: TIMER_WHY }).default(120_000),
    /** ...then hold for a person to decide, or roll back. */
    then: z.enum(['hold', 'rollback', 'promote']).default('hold'),
  })
  .strict();

const thresholdJudge = z
  .object({
    /** Argo Rollouts `failureLimit`: the run fails when failed measurements exceed it. */
    failureLimit: z.number().int().min(-1).max(10_000).default(0),
    /** Argo `consecutiveErrorLimit` (errors = no data / query failed). */
    consecutiveErrorLimit: z.number().int().nonnegative().max(10_000).default(4),
    /** Flagger counts a query with no values as a failed check; Argo counts an error. */
    noData: z.enum(['fail', 'error', 'ignore']).default('error'),
  })
  .strict();

const kayentaJudge = z
  .object({
    pass: z.number().min(0).max(100).default(75),
    marginal: z.number().min(0).max(100).default(50),
    /** MannWhitneyClassifier(tolerance = 0.25, confLevel = 0.98), as NetflixACAJudge-v1.0 builds it. */
    tolerance: z.number().min(0).default(0.25),
    confidenceLevel: z.number().gt(0).lt(1).default(0.98),
    /** `classifier.groupWeights` in percent; groups without a weight share what is left. */
    groupWeights: z.record(z.string(), z.number().nonnegative()).default({}),
    /** Minutes of data per judgement window; Kayenta re-judges cumulatively from start by default. */
    lookbackSeconds: z
      .number()
      .positive()
      .max(366 * 86_400)
      .optional(),
  })
  .strict();

const sequentialJudge = z
  .object({
    /** Below this many canary requests the sequential judge says inconclusive rather than pass. */
    minCanaryRequests: z.number().int().nonnegative().max(1e9).default(200),
    /** Besides each latency metric's own quantile, also test the share of requests above these baseline quantiles. */
    latencyQuantiles: z.array(z.number().gt(0).lt(1)).default([0.5, 0.9]),
  })
  .strict();

const webhook = z
  .object({
    url: z.string().url(),
    /** HMAC-SHA256 key; use ${env:NAME} to keep it out of the file. */
    secret: z.string().optional(),
    events: z.array(z.enum(['promote', 'rollback', 'step', 'hold'])).optional(),
  })
  .strict();

export const policySpec = z
  .object({
    service: serviceName,
    environment: z.string().default('production'),
    /** Analysis interval: one judgement per interval. */
    interval: durationWithin({ min: 100, max: 3_600_000, why: 'one judgement per interval' }).default(10_000),
    /**
     * How long after the start the canary is observed but not judged (cold caches, JIT): those intervals are
     * recorded and shown, the judge sees none of them. It counts towards the first step's bake.
     */
    warmup: durationWithin({ min: 0, max: TIMER_MAX_MS, why: TIMER_WHY }).default(0),
    steps: z
      .array(step)
      .min(1)
      .max(100)
      .default([
        { weight: 10, bake: 60_000 },
        { weight: 25, bake: 60_000 },
        { weight: 50, bake: 60_000 },
      ]),
    judge: judgeName.default('sequential'),
    /** Family-wise false-abort budget, split across metrics. */
    alpha: z.number().gt(0).lt(0.5).default(0.01),
    latencyBoundsMs: z
      .array(z.number().positive())
      .min(1)
      .max(100)
      .default([...DEFAULT_LATENCY_BOUNDS_MS]),
    metrics: z
      .array(metric)
      .max(100)
      .default([
        {
          name: 'error-rate',
          kind: 'errors',
          direction: 'increase',
          tolerance: 1.2,
          critical: true,
          weight: 1,
          quantile: 0.99,
          mustHaveData: false,
          effectSize: NO_EFFECT_SIZE,
        },
        {
          name: 'latency-p99',
          kind: 'latency',
          direction: 'increase',
          tolerance: 1.2,
          critical: false,
          weight: 1,
          quantile: 0.99,
          mustHaveData: false,
          effectSize: NO_EFFECT_SIZE,
        },
      ]),
    promotion: promotion.prefault({}),
    inconclusive: inconclusive.prefault({}),
    threshold: thresholdJudge.prefault({}),
    kayenta: kayentaJudge.prefault({}),
    sequential: sequentialJudge.prefault({}),
    webhooks: z.array(webhook).max(20).default([]),
    /** Alert routing, the planned maintenance window and the silence check (src/render/alertmanager.ts). */
    alerting: alertingPolicy.prefault({}),
    /** Decision annotations on the Canary Release Overview dashboard. */
    grafana: grafanaPolicy.prefault({}),
    /** Manifest signing, the rendered Rollout and preflight inputs (src/schema/supply-chain-policy.ts). */
    signing: signingPolicy.prefault({}),
    rollout: rolloutPolicy.prefault({}),
    preflight: preflightPolicy.prefault({}),
    /** Prometheus as the metric source (optional; the embedded router is the default). */
    prometheus: prometheusPolicy.optional(),
    /**
     * Where request/error/latency counts come from: OTLP pushed to the controller, or Prometheus
     * (src/schema/metric-source.ts).
     */
    metricSource: metricSource.optional(),
    /** The Argo Rollout this policy drives in direct mode (optional). */
    kubernetes: kubernetesPolicy.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    // Documented constraints between fields, reported at the field to change.
    spec.steps.forEach((s, i) => {
      if (s.bake !== 0 && s.bake < spec.interval) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'bake'],
          message:
            `bake ${formatDuration(s.bake)} is shorter than one analysis interval (${formatDuration(spec.interval)}` +
            `): the step would end before it is judged`,
        });
      }
    });
    if (spec.kayenta.marginal > spec.kayenta.pass) {
      ctx.addIssue({
        code: 'custom',
        path: ['kayenta', 'marginal'],
        message: `marginal (${spec.kayenta.marginal}) must not exceed pass (${spec.kayenta.pass})`,
      });
    }
  });

export const canaryPolicy = z
  .object({
    apiVersion: z.literal('adaptive-canary/v1'),
    kind: z.literal('CanaryPolicy'),
    metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }).strict(),
    spec: policySpec,
  })
  .strict();

export type CanaryPolicy = z.infer<typeof canaryPolicy>;
export type PolicySpec = z.infer<typeof policySpec>;
export type MetricPolicy = PolicySpec['metrics'][number];
export type JudgeName = z.infer<typeof judgeName>;

/** The built-in defaults (replay without --policy). */
export function defaultPolicySpec(service = 'service'): PolicySpec {
  return policySpec.parse({ service });
}
