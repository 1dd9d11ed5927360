import { z } from 'zod';

/**
 * `spec.metricSource`: where the judge's request, error and latency counts come from when not from the
 * embedded router. `otlp`: OpenTelemetry SDKs or a Collector push to the controller's `/v1/metrics`
 * (docs/otlp.md); `prometheus`: queried per variant from `spec.prometheus.url`, with `names: otel` for
 * metrics Prometheus ingested from OTLP (`http_server_request_duration_seconds`, resource attributes on
 * `target_info`).
 */
export const otlpMetricSource = z
  .object({
    type: z.literal('otlp'),
    /**
     * The attribute (data point first, then resource) whose value tells baseline from canary. Default:
     * `service.version` with `run`, `k8s.pod.label.rollouts-pod-template-hash` with `serve`, and
     * `feature_flag.result.variant` with `run --target flagd`.
     */
    variantAttribute: z.string().min(1).optional(),
    /**
     * Its values for stable and canary (default: `run --stable-variant/--canary-variant`, the flag's variants, the
     * Rollout's hashes).
     */
    baseline: z.string().min(1).optional(),
    canary: z.string().min(1).optional(),
    /**
     * The baseline instances' value of the same attribute (fresh stable started with the canary: `run --baseline`),
     * read as the `control` the judge compares the canary with. Default: `run --baseline-variant`; `serve` selects
     * the pod template hash of the Experiment's baseline pods (`rollout.baseline`) by itself.
     */
    control: z.string().min(1).optional(),
    /** Only points whose attributes equal these; default `{service.name: <spec.service>}`. */
    match: z.record(z.string().min(1), z.string()).optional(),
    /** The HTTP server duration histogram (semantic conventions name). */
    durationMetric: z.string().min(1).default('http.server.request.duration'),
    /** `kind: custom` policy metrics read from OTLP: policy metric name → OTLP metric name. */
    custom: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict();

export const prometheusMetricSource = z
  .object({
    type: z.literal('prometheus'),
    /**
     * `default`: http_requests_total + http_request_duration_seconds; `otel`: the names Prometheus gives OTLP metrics.
     */
    names: z.enum(['default', 'otel']).default('default'),
  })
  .strict();

export const metricSource = z.discriminatedUnion('type', [otlpMetricSource, prometheusMetricSource]);

export type OtlpMetricSource = z.infer<typeof otlpMetricSource>;
export type MetricSource = z.infer<typeof metricSource>;
