import type { RenderTarget } from './render-target.js';

/**
 * Every `adaptive-canary render <subject>`, in --help order. Each subject lives in its own module under
 * src/render/ and is loaded only when asked for.
 */
export const renderTargets: Record<string, { summary: string; load: () => Promise<RenderTarget> }> = {
  rollout: {
    summary:
      'rollouts.yaml: Argo Rollout (policy steps, ADR 0002 criteria annotations, notifications) + AnalysisTemplate',
    load: async () => (await import('./rollout.js')).default,
  },
  admission: {
    summary:
      'policy/*.yaml: Kyverno ClusterPolicy verifying signed Rollouts + ' +
      'ValidatingAdmissionPolicy requiring the signature',
    load: async () => (await import('./admission.js')).default,
  },
  prometheus: {
    summary: 'prometheus/canary-rules.yaml (SLO burn-rate, canary and controller alerts) + promtool tests',
    load: async () => (await import('./prometheus.js')).default,
  },
  alertmanager: {
    summary: 'alertmanager/canary-routes.yaml: a complete Alertmanager 0.25 config for canary alerts',
    load: async () => (await import('./alertmanager.js')).default,
  },
  grafana: {
    summary: 'dashboard/grafana/canary-release-overview.json (Canary Release Overview)',
    load: async () => (await import('./grafana.js')).default,
  },
};
