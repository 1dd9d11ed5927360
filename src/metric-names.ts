/**
 * The metric and label names every renderer (rules, dashboard, snapshot) builds queries on, and that the sample
 * service, the controller and syntheticsctl must emit. One module, so a rename is one edit.
 */

/** The service's HTTP metrics (sample service; real services are expected to follow the same names). */
export const HTTP_REQUESTS = 'http_requests_total';
/** A histogram in seconds; Prometheus stores its buckets as `<name>_bucket`. */
export const HTTP_DURATION = 'http_request_duration_seconds';
export const HTTP_DURATION_BUCKET = `${HTTP_DURATION}_bucket`;

/**
 * Which Prometheus label tells the versions apart. Locally the sample service sets `version` (e.g. 1.4.0 vs
 * 1.5.0); on Kubernetes Argo Rollouts' `rollouts_pod_template_hash` does the same job (relabel it to
 * `version`, or change this constant). Its values change every rollout, so which one is the canary comes
 * from the controller's VARIANT_INFO series.
 */
export const VARIANT_LABEL = 'version';

/**
 * `adaptive_canary_variant_info{service, rollout, variant="canary"|"baseline", version="<value>"}`, a gauge the
 * controller sets to the rollout's start time (unix seconds) while the rollout runs (and removes after):
 * joins the service's per-version series to the rollout's variants; the newest rollout wins a tie.
 */
export const VARIANT_INFO = 'adaptive_canary_variant_info';
export const CANARY_VALUE = 'canary';
export const BASELINE_VALUE = 'baseline';

/** The scrape job is the service name: service metrics are selected with `job="<service>"`. */
export const serviceSelector = (service: string): string => `job="${service}"`;
/** Server errors count against the SLO; 4xx are the client's. */
export const ERROR_CODE_MATCHER = 'code=~"5.."';

/** Controller metrics, labelled `{service, rollout}` (decisions also `decision`). */
export const DECISIONS_TOTAL = 'adaptive_canary_decisions_total';
export const SCORE = 'adaptive_canary_score';
export const CANARY_WEIGHT = 'adaptive_canary_canary_weight';
export const STEP = 'adaptive_canary_step';
export const LAST_ANALYSIS_TIMESTAMP = 'adaptive_canary_last_analysis_timestamp_seconds';
/** Analysis intervals by verdict, labelled `{service, verdict}` (not used by the rules; for people and benchmarks). */
export const INTERVALS_TOTAL = 'adaptive_canary_intervals_total';
/** `decision` label values the rules and dashboard look for. */
export const DECISION_ROLLBACK = 'rollback';
export const DECISION_PROMOTE = 'promote';

/** `maestro-api` → `maestro_api_rollback_duration_seconds` (a histogram; `_bucket`, `_sum`, `_count`). */
export function rollbackDurationMetric(service: string): string {
  const prefix = service.replace(/[^a-zA-Z0-9_]/g, '_');
  // Metric names may not start with a digit.
  return `${/^[a-zA-Z_]/.test(prefix) ? prefix : `_${prefix}`}_rollback_duration_seconds`;
}

/** Recording rules written by src/render/prometheus-rules.ts (labels `service`, `slo`; canary ones also `version`). */
export const sliErrorRatio = (window: string): string => `slo:sli_error:ratio_rate${window}`;
export const variantErrorRatio = (window: string): string => `canary:sli_error:ratio_rate${window}`;
export const VARIANT_REQUEST_RATE = 'canary:requests:rate5m';
export const ERROR_BUDGET_REMAINING = 'slo:period_error_budget_remaining:ratio';
export const ERROR_BUDGET = 'slo:error_budget:ratio';
export const SLO_OBJECTIVE = 'slo:objective:ratio';
export const SLO_PERIOD_DAYS = 'slo:time_period:days';

/** Labels every canary alert carries, so the silence check can tell which silences would mute them. */
export const ALERT_SOURCE_LABEL = { source: 'adaptive-canary' } as const;

/**
 * OpenTelemetry HTTP server semantic conventions, as OTLP carries them (src/sources/otlp): one histogram in
 * seconds; a request is an error when its status code is 5xx or `error.type` is set (docs/otlp.md).
 */
export const OTLP_HTTP_DURATION = 'http.server.request.duration';
export const HTTP_STATUS_CODE_ATTR = 'http.response.status_code';
export const HTTP_ERROR_TYPE_ATTR = 'error.type';
export const HTTP_ROUTE_ATTR = 'http.route';
export const HTTP_METHOD_ATTR = 'http.request.method';
/** Resource attributes: which service, and (by default) which version tells baseline from canary. */
export const SERVICE_NAME_ATTR = 'service.name';
export const SERVICE_VERSION_ATTR = 'service.version';
/** One process of a service: what tells a baseline instance from stable when both run the same version. */
export const SERVICE_INSTANCE_ID_ATTR = 'service.instance.id';
/** OpenTelemetry feature-flag conventions: the variant a flag evaluation returned (flagd canaries). */
export const FEATURE_FLAG_VARIANT_ATTR = 'feature_flag.result.variant';
/** Argo Rollouts' pod label, as the Kubernetes resource conventions name a pod label (`k8s.pod.label.<key>`). */
export const POD_TEMPLATE_HASH_ATTR = 'k8s.pod.label.rollouts-pod-template-hash';

/**
 * The same metric after Prometheus' OTLP receiver translated it (default UnderscoreEscapingWithSuffixes:
 * dots to `_`, unit `s` → `_seconds`); resource attributes not promoted to labels sit on `target_info`,
 * joined on `job` and `instance`.
 */
export const OTEL_PROM_HTTP_DURATION = 'http_server_request_duration_seconds';
export const OTEL_PROM_STATUS_CODE_LABEL = 'http_response_status_code';
export const OTEL_PROM_ERROR_TYPE_LABEL = 'error_type';
export const OTEL_PROM_VERSION_LABEL = 'service_version';
export const TARGET_INFO = 'target_info';

/** syntheticsctl's blackbox_exporter-compatible probe metrics (preflight reads PROBE_SUCCESS for uptime). */
export const PROBE_SUCCESS = 'probe_success'; // labelled `{flow}`
export const PROBE_DURATION = 'probe_duration_seconds';
export const PROBE_HTTP_STATUS = 'probe_http_status_code';
export const PROBE_HTTP_PHASE_DURATION = 'probe_http_duration_seconds';
export const PROBE_HTTP_REDIRECTS = 'probe_http_redirects';
export const PROBE_SSL_EARLIEST_CERT_EXPIRY = 'probe_ssl_earliest_cert_expiry';
export const PROBE_RETRIES = 'probe_retries';
/** syntheticsctl's own: probe runs and attempts by outcome, and which suite file it runs (`sha256` label). */
export const PROBE_RUNS_TOTAL = 'syntheticsctl_probe_runs_total';
export const PROBE_ATTEMPTS_TOTAL = 'syntheticsctl_probe_attempts_total';
export const SUITE_INFO = 'syntheticsctl_suite_info';
