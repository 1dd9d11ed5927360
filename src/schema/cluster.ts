import { z } from 'zod';
import { durationWithin } from './duration.js';

/**
 * Policy sections for running at scale (docs/kubernetes.md): where Prometheus answers and which Rollout the
 * policy drives. Both are optional, so single-machine policies stay valid unchanged.
 */
export const prometheusPolicy = z
  .object({
    /** Base URL of the Prometheus HTTP API (Thanos/Mimir work too), e.g. http://prometheus:9090. */
    url: z.string().url(),
    /** Per-query timeout; a query that times out is no data, never a failure. */
    timeout: durationWithin({ min: 100, max: 300_000 }).default(10_000),
    /** Extra label matchers on every query, e.g. {job: maestro-api, namespace: shop}. */
    selectors: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  })
  .strict();

export const kubernetesPolicy = z
  .object({
    namespace: z.string().default('default'),
    /** Name of the Argo Rollout this policy drives. */
    rollout: z.string(),
  })
  .strict();

export type PrometheusPolicy = z.infer<typeof prometheusPolicy>;
export type KubernetesPolicy = z.infer<typeof kubernetesPolicy>;
