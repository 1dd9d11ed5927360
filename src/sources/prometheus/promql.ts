import { HTTP_DURATION, HTTP_REQUESTS } from '../../metric-names.js';

/**
 * PromQL text for the observation queries. Label values are escaped (regex metacharacters, then the
 * PromQL string escapes), so a version like "1.5.0" selects exactly itself.
 */
export interface VariantSelector {
  /** `rollouts_pod_template_hash` on Kubernetes (Argo's pod label, relabelled), `version` locally. */
  label: string;
  baseline: string;
  canary: string;
  /** The baseline instances' label value (fresh stable started with the canary), when a baseline runs. */
  control?: string;
}

export interface QueryNames {
  requests: string;
  latency: string;
  /** The status code label (default `code`); a 5xx value is an error. */
  codeLabel?: string;
  /** A label whose presence also marks an error (OpenTelemetry's `error_type`). */
  errorTypeLabel?: string;
  /** When set, the variant label is read from this info metric joined on job and instance (`target_info`). */
  infoMetric?: string;
}

export const DEFAULT_METRIC_NAMES: QueryNames = { requests: HTTP_REQUESTS, latency: HTTP_DURATION };

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function matchers(selectors: Record<string, string>, extra: string[] = []): string {
  const parts = Object.entries(selectors)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${quote(v)}`);
  return `{${[...parts, ...extra].join(',')}}`;
}

function variantMatcher(v: VariantSelector): string {
  const values = [v.baseline, v.canary, ...(v.control !== undefined ? [v.control] : [])];
  return `${v.label}=~${quote(values.map(regexEscape).join('|'))}`;
}

/**
 * `metric{selectors, variant}`, or with an info metric: the variant taken from it (`* on(job, instance) group_left`).
 */
function selected(names: QueryNames, metric: string, selectors: Record<string, string>, v: VariantSelector): string {
  if (!names.infoMetric) return `${metric}${matchers(selectors, [variantMatcher(v)])}`;
  return (
    `${metric}${matchers(selectors)} * on(job, instance) group_left(${v.label}` +
    `) ${names.infoMetric}${matchers({}, [variantMatcher(v)])}`
  );
}

/** Cumulative request counts per variant and status code; errors are the 5xx codes (or an error type). */
export function requestsQuery(names: QueryNames, selectors: Record<string, string>, v: VariantSelector): string {
  const by = [v.label, names.codeLabel ?? 'code', ...(names.errorTypeLabel ? [names.errorTypeLabel] : [])];
  return `sum by (${by.join(', ')}) (${selected(names, names.requests, selectors, v)})`;
}

/** Cumulative latency histogram buckets per variant. */
export function latencyQuery(names: QueryNames, selectors: Record<string, string>, v: VariantSelector): string {
  return `sum by (${v.label}, le) (${selected(names, `${names.latency}_bucket`, selectors, v)})`;
}

/** A `kind: custom` metric's query with `$variant` replaced by the variant's label matcher. */
export function customQuery(template: string, label: string, value: string): string {
  return template.replaceAll('$variant', `${label}=${quote(value)}`);
}
