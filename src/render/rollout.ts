import { stringify } from 'yaml';
import { formatDuration } from '../schema/duration.js';
import type { CanaryPolicy } from '../schema/policy.js';
import { BASELINE_TEMPLATE } from '../schema/supply-chain-policy.js';
import { criteriaAnnotations } from './promotion-criteria.js';
import type { RenderContext, RenderedFile, RenderTarget } from './render-target.js';

/**
 * `render rollout`: an Argo Rollouts canary whose steps come from the policy, the promotion criteria (ADR 0002)
 * as annotations, a background AnalysisTemplate asking our judge over the `web` provider, and notification
 * subscriptions. Deterministic (no timestamps), so re-rendering an unchanged policy keeps the signature valid.
 */
export const ANALYSIS_METRIC = 'adaptive-canary-verdict';

export function rolloutName(policy: CanaryPolicy): string {
  return policy.spec.rollout.name ?? policy.spec.service;
}

export function analysisTemplate(policy: CanaryPolicy): Record<string, unknown> {
  const s = policy.spec;
  const name = rolloutName(policy);
  const base = s.rollout.analysisUrl.replace(/\/+$/, '');
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: `${name}-adaptive-canary`, namespace: s.rollout.namespace, labels: labels(policy) },
    spec: {
      args: [{ name: 'canary-hash' }, { name: 'stable-hash' }],
      metrics: [
        {
          name: ANALYSIS_METRIC,
          interval: formatDuration(s.interval),
          // The judge already corrects for repeated looks; one failed verdict is a real failure.
          failureLimit: 0,
          inconclusiveLimit: Math.max(1, Math.ceil(s.inconclusive.maxExtension / s.interval)),
          consecutiveErrorLimit: s.threshold.consecutiveErrorLimit,
          successCondition: `result.verdict == "pass" && result.score >= ${s.promotion.minScore}`,
          failureCondition: 'result.verdict == "fail"',
          provider: {
            web: {
              url:
                `${base}/api/v1/analysis/${s.rollout.namespace}/${name}` +
                `?canaryHash={{args.canary-hash}}&stableHash={{args.stable-hash}}`,
              jsonPath: '{$.data}',
              timeoutSeconds: 10,
            },
          },
        },
      ],
    },
  };
}

function labels(policy: CanaryPolicy): Record<string, string> {
  return { 'app.kubernetes.io/name': policy.spec.service, 'app.kubernetes.io/managed-by': 'adaptive-canary' };
}

/**
 * Each policy step is `setWeight` then its bake: a timed pause, or with `rollout.baseline` an Experiment step as
 * long as the bake whose `baseline` template runs fresh pods of the stable spec, about as many as the canary has
 * at that weight. An Experiment lasts one step (Argo terminates it when the Rollout moves on), so every step gets
 * its own; its pods carry their own pod-template-hash, which serve reads from the Experiment's status.
 */
function steps(policy: CanaryPolicy): Record<string, unknown>[] {
  const { replicas, baseline } = policy.spec.rollout;
  return policy.spec.steps.flatMap((st): Record<string, unknown>[] => {
    const duration = formatDuration(st.bake);
    if (!baseline) return [{ setWeight: st.weight }, { pause: { duration } }];
    const template = {
      name: BASELINE_TEMPLATE,
      specRef: 'stable',
      replicas: Math.max(1, Math.round((replicas * st.weight) / 100)),
    };
    return [{ setWeight: st.weight }, { experiment: { duration, templates: [template] } }];
  });
}

export function rollout(policy: CanaryPolicy): Record<string, unknown> {
  const s = policy.spec;
  const name = rolloutName(policy);
  const notifications = Object.fromEntries(
    s.rollout.notificationTriggers.map((t) => [
      `notifications.argoproj.io/subscribe.${t}.${s.rollout.notificationService}`,
      '',
    ]),
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name,
      namespace: s.rollout.namespace,
      labels: labels(policy),
      annotations: { ...criteriaAnnotations(s), ...notifications },
    },
    spec: {
      replicas: s.rollout.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { app: s.service } },
      template: {
        metadata: { labels: { app: s.service } },
        spec: {
          containers: [
            {
              name: s.service,
              image: s.rollout.image,
              ports: [{ name: 'http', containerPort: s.rollout.containerPort }],
            },
          ],
        },
      },
      strategy: {
        canary: {
          canaryService: `${s.service}-canary`,
          stableService: `${s.service}-stable`,
          // Background analysis from the first step: our judge answers every interval, Argo aborts on "fail".
          analysis: {
            templates: [{ templateName: `${name}-adaptive-canary` }],
            startingStep: 1,
            args: [
              { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
              { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
            ],
          },
          steps: steps(policy),
        },
      },
    },
  };
}

export function renderRolloutYaml(policy: CanaryPolicy): string {
  const header =
    `# Generated by \`adaptive-canary render rollout\` from the ${policy.metadata.name} policy. Do not edit:\n` +
    '# change canary.yaml, re-render, then re-sign (adaptive-canary sign --annotate, then sign).\n';
  const docs = [rollout(policy), analysisTemplate(policy)].map((d) => stringify(d, { lineWidth: 0 }));
  return header + docs.join('---\n');
}

const target: RenderTarget = {
  name: 'rollout',
  summary: 'rollouts.yaml: Argo Rollout (steps, promotion-criteria annotations, notifications) + AnalysisTemplate',
  render(ctx: RenderContext): RenderedFile[] {
    return [{ path: ctx.policy.spec.preflight.manifest, content: renderRolloutYaml(ctx.policy) }];
  },
};
export default target;
