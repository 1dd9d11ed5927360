import {
  FEATURE_FLAG_VARIANT_ATTR,
  OTEL_PROM_ERROR_TYPE_LABEL,
  OTEL_PROM_HTTP_DURATION,
  OTEL_PROM_STATUS_CODE_LABEL,
  OTEL_PROM_VERSION_LABEL,
  POD_TEMPLATE_HASH_ATTR,
  TARGET_INFO,
} from '../../metric-names.js';
import type { PolicySpec } from '../../schema/policy.js';
import { DEFAULT_METRIC_NAMES, type QueryNames } from './promql.js';

/**
 * `spec.metricSource: {type: prometheus, names: otel}`: the names Prometheus gives metrics it ingested over
 * OTLP (or scraped from an OpenTelemetry Prometheus exporter). Requests are the duration histogram's
 * `_count`; the status code label is `http_response_status_code` and `error_type` marks errors too; the
 * version is a resource attribute, found on `target_info` and joined on job and instance — promoted or not.
 */
export const OTEL_METRIC_NAMES: QueryNames = {
  requests: `${OTEL_PROM_HTTP_DURATION}_count`,
  latency: OTEL_PROM_HTTP_DURATION,
  codeLabel: OTEL_PROM_STATUS_CODE_LABEL,
  errorTypeLabel: OTEL_PROM_ERROR_TYPE_LABEL,
  infoMetric: TARGET_INFO,
};

/** The variant label that goes with these names: `service.version` as Prometheus spells it. */
export const OTEL_VARIANT_LABEL = OTEL_PROM_VERSION_LABEL;
/** On Kubernetes: the resource attribute k8s.pod.label.rollouts-pod-template-hash, on `target_info`. */
export const OTEL_POD_HASH_LABEL = promLabel(POD_TEMPLATE_HASH_ATTR);

/** An attribute name as Prometheus' OTLP translation writes it as a label (every other character becomes `_`). */
export function promLabel(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}

export function otelNames(spec: PolicySpec): boolean {
  return spec.metricSource?.type === 'prometheus' && spec.metricSource.names === 'otel';
}

export function queryNamesFor(spec: PolicySpec): QueryNames {
  return otelNames(spec) ? OTEL_METRIC_NAMES : DEFAULT_METRIC_NAMES;
}

/**
 * flagd canaries: both variants run in the same processes, told apart per request by the flag variant. That is a
 * data point attribute (with names: otel, the label `feature_flag_result_variant`), not a resource attribute, so
 * it is matched on the series itself rather than joined from target_info. `label` is `run --variant-label`.
 */
export function flagVariantQuery(spec: PolicySpec, label?: string): { names: QueryNames; label: string } {
  if (!otelNames(spec)) return { names: DEFAULT_METRIC_NAMES, label: label ?? 'variant' };
  const { infoMetric: _joinedFromTargetInfo, ...names } = OTEL_METRIC_NAMES;
  return { names, label: label ?? promLabel(FEATURE_FLAG_VARIANT_ATTR) };
}
