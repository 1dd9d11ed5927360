import { z } from 'zod';
import { durationWithin } from './duration.js';

/**
 * The parts of `canary.yaml` about the deployed manifest: how it is signed, what the rendered Rollout looks like,
 * and where preflight finds the Definition-of-Ready inputs. Paths are relative to the policy file.
 */
export const signingPolicy = z
  .object({
    /** cosign public key (PEM) that `rollouts.yaml` must verify against. */
    publicKey: z.string().default('cosign.pub'),
    /** `run`/`demo` refuse an unsigned or tampered manifest unless `--allow-unsigned`. */
    required: z.boolean().default(true),
  })
  .strict();

/** The Experiment template that runs the baseline (render rollout writes it; serve reads its pods' hash). */
export const BASELINE_TEMPLATE = 'baseline';

export const rolloutPolicy = z
  .object({
    namespace: z.string().default('default'),
    /** Rollout name; defaults to spec.service. */
    name: z.string().optional(),
    /** Base URL of the adaptive-canary controller as pods reach it; the AnalysisTemplate calls
     * `<analysisUrl>/api/v1/analysis/<namespace>/<rollout>`. */
    analysisUrl: z.string().url().default('http://adaptive-canary.adaptive-canary.svc:8080'),
    image: z.string().default('registry.example/maestro-api:latest'),
    replicas: z.number().int().nonnegative().max(10_000).default(4),
    containerPort: z.number().int().min(1).max(65535).default(8080),
    /**
     * Start a baseline with every step: the step's bake becomes an Argo Experiment step whose `baseline` template
     * runs fresh pods of the stable version (`specRef: stable`), as many as the canary has at that weight, so the
     * canary is judged against pods as cold as itself (docs/kubernetes.md, "Baseline").
     */
    baseline: z.boolean().default(false),
    /** Argo Rollouts notifications service (argo-rollouts-notification-configmap `service.webhook.<name>`). */
    notificationService: z.string().default('adaptive-canary'),
    notificationTriggers: z
      .array(z.string())
      .default(['on-rollout-step-completed', 'on-rollout-completed', 'on-rollout-aborted', 'on-analysis-run-failed']),
  })
  .strict();

export const preflightPolicy = z
  .object({
    adr: z.string().default('docs/adr/0002-promotion-criteria.md'),
    manifest: z.string().default('rollouts.yaml'),
    admissionDir: z.string().default('policy'),
    suite: z.string().default('synthetics/maestro-api-canary.yaml'),
    /** Synthetic suite uptime required over `uptimeWindow` (playbook: 99.9% over 7 days). */
    minUptime: z.number().gt(0).max(1).default(0.999),
    uptimeWindow: durationWithin({ min: 3_600_000, max: 366 * 86_400_000 }).default(7 * 86_400_000),
    /** Window over which error-budget burn is measured against promotion.errorBudget.maxBurn. */
    burnWindow: durationWithin({ min: 60_000, max: 31 * 86_400_000 }).default(3_600_000),
  })
  .strict();
