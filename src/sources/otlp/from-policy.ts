import { UsageError } from '../../errors.js';
import { POD_TEMPLATE_HASH_ATTR, SERVICE_NAME_ATTR, SERVICE_VERSION_ATTR } from '../../metric-names.js';
import type { OtlpMetricSource } from '../../schema/metric-source.js';
import type { PolicySpec } from '../../schema/policy.js';
import { OtlpSource } from './otlp-source.js';
import type { OtlpReceiver, OtlpSubscriptionSpec } from './receiver.js';

/** The policy's OTLP block, when it chooses OTLP. */
export function otlpBlock(spec: PolicySpec): OtlpMetricSource | undefined {
  return spec.metricSource?.type === 'otlp' ? spec.metricSource : undefined;
}

/**
 * A rollout's subscription from its policy. `defaults` are what the command knows: the attribute that fits
 * it (service.version, the pod template hash, the flag variant) and the values (CLI flags, flag variants,
 * Rollout hashes); the policy's own entries win. `control` is the baseline instances' value, when they run.
 */
export function otlpSubscription(
  spec: PolicySpec,
  defaults: {
    attribute?: string;
    baseline?: string | undefined;
    canary?: string | undefined;
    control?: string | undefined;
  },
): OtlpSubscriptionSpec {
  const block = otlpBlock(spec) ?? {
    type: 'otlp' as const,
    durationMetric: 'http.server.request.duration',
    custom: {},
  };
  const baseline = block.baseline ?? defaults.baseline;
  const canary = block.canary ?? defaults.canary;
  const control = block.control ?? defaults.control;
  const attribute = block.variantAttribute ?? defaults.attribute ?? SERVICE_VERSION_ATTR;
  if (!baseline || !canary) {
    throw new UsageError(
      `metricSource otlp needs the ${attribute} values of stable and canary: ` +
        `give --stable-variant and --canary-variant, or ` +
        `spec.metricSource.baseline and .canary`,
    );
  }
  if (control !== undefined && (control === baseline || control === canary)) {
    throw new UsageError(
      `metricSource otlp: the baseline instances' ${attribute} (${control}) must differ from stable's and ` +
        `the canary's, or their points cannot be told apart (give them their own value, e.g. service.instance.id)`,
    );
  }
  const customKinds = new Set(spec.metrics.filter((m) => m.kind === 'custom').map((m) => m.name));
  const unknown = Object.keys(block.custom).filter((n) => !customKinds.has(n));
  if (unknown.length)
    throw new UsageError(
      `spec.metricSource.custom names ${unknown.join(', ')}: not a kind: custom metric of the policy`,
    );
  return {
    attribute,
    baseline,
    canary,
    ...(control !== undefined ? { control } : {}),
    match: block.match ?? { [SERVICE_NAME_ATTR]: spec.service },
    durationMetric: block.durationMetric,
    custom: block.custom,
    latencyBoundsMs: spec.latencyBoundsMs,
  };
}

/**
 * `run`'s subscription: stable and canary by `--stable-variant`/`--canary-variant` (or the policy), and when
 * `--baseline` starts baseline instances, those by `--baseline-variant` (or `metricSource.control`). Without
 * that value they would count as stable and the canary would silently be compared with the warm stable.
 */
export function localOtlpSubscription(
  spec: PolicySpec,
  values: {
    stable?: string | undefined;
    canary?: string | undefined;
    baseline?: string | undefined;
    baselineRuns: boolean;
  },
): OtlpSubscriptionSpec {
  const sub = otlpSubscription(spec, { baseline: values.stable, canary: values.canary, control: values.baseline });
  if (values.baselineRuns && sub.control === undefined)
    throw new UsageError(
      `--baseline with metricSource otlp needs the baseline instances' ${sub.attribute} value: give ` +
        `--baseline-variant or spec.metricSource.control, and have the baseline report it (e.g. ` +
        `OTEL_RESOURCE_ATTRIBUTES=service.instance.id=baseline with variantAttribute: service.instance.id)`,
    );
  return sub;
}

/**
 * `serve`: a Rollout whose policy takes OTLP reads the receiver by pod template hash (the pods' resource
 * attribute k8s.pod.label.rollouts-pod-template-hash, from the Downward API); any other keeps Prometheus.
 * A baseline Experiment's pods (rollout.baseline) are selected by their own hash through `setControl`.
 */
export function clusterOtlpSources(
  receiver: OtlpReceiver,
): (policy: PolicySpec, variant: { baseline: string; canary: string }) => OtlpSource[] | undefined {
  return (policy, variant) =>
    otlpBlock(policy)
      ? [new OtlpSource(receiver, otlpSubscription(policy, { attribute: POD_TEMPLATE_HASH_ATTR, ...variant }))]
      : undefined;
}
