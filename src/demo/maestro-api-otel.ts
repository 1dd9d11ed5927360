import {
  HTTP_ERROR_TYPE_ATTR,
  HTTP_METHOD_ATTR,
  HTTP_ROUTE_ATTR,
  HTTP_STATUS_CODE_ATTR,
  OTLP_HTTP_DURATION,
  SERVICE_NAME_ATTR,
  SERVICE_VERSION_ATTR,
} from '../metric-names.js';
import { LATENCY_BUCKETS_SECONDS } from './maestro-api-metrics.js';

/**
 * The sample service instrumented with the OpenTelemetry JS SDK the way a real service is: a MeterProvider with
 * `service.name`/`service.version` on its resource, the stable `http.server.request.duration` histogram (seconds,
 * explicit buckets as advised, or exponential), and a periodic OTLP/HTTP exporter (protobuf or JSON).
 */
export interface OtelExportOptions {
  /** Full URL of the metrics endpoint, e.g. http://127.0.0.1:8080/v1/metrics. */
  url: string;
  protocol?: 'http/protobuf' | 'http/json';
  intervalMs?: number;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  temporality?: 'cumulative' | 'delta';
  histogram?: 'explicit' | 'exponential';
  gzip?: boolean;
  /** More resource attributes (e.g. service.namespace, k8s.pod.label.rollouts-pod-template-hash). */
  resource?: Record<string, string>;
  service?: string;
}

export interface MaestroOtel {
  observe(method: string, route: string, code: number, seconds: number): void;
  /** Exports what was recorded now (the periodic export does so every interval anyway). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startMaestroOtel(version: string, options: OtelExportOptions): Promise<MaestroOtel> {
  const [{ MeterProvider, PeriodicExportingMetricReader, AggregationType }, { resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-metrics'), import('@opentelemetry/resources')]);
  const { CompressionAlgorithm } = await import('@opentelemetry/otlp-exporter-base');
  const { AggregationTemporalityPreference } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const { OTLPMetricExporter } =
    options.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-metrics-otlp-http')
      : await import('@opentelemetry/exporter-metrics-otlp-proto');
  const exporter = new OTLPMetricExporter({
    url: options.url,
    ...(options.token ? { headers: { Authorization: `Bearer ${options.token}` } } : {}),
    temporalityPreference:
      options.temporality === 'delta'
        ? AggregationTemporalityPreference.DELTA
        : AggregationTemporalityPreference.CUMULATIVE,
    compression: options.gzip ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      [SERVICE_NAME_ATTR]: options.service ?? 'maestro-api',
      [SERVICE_VERSION_ATTR]: version,
      ...options.resource,
    }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: options.intervalMs ?? 1_000 })],
    views:
      options.histogram === 'exponential'
        ? [{ instrumentName: OTLP_HTTP_DURATION, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }]
        : [],
  });
  const duration = provider.getMeter('maestro-api').createHistogram(OTLP_HTTP_DURATION, {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    // The SDK's default buckets are for milliseconds; the semantic conventions advise seconds buckets.
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_SECONDS },
  });
  return {
    observe: (method, route, code, seconds) => {
      duration.record(seconds, {
        [HTTP_METHOD_ATTR]: method,
        [HTTP_ROUTE_ATTR]: route,
        [HTTP_STATUS_CODE_ATTR]: code,
        'url.scheme': 'http',
        ...(code >= 500 ? { [HTTP_ERROR_TYPE_ATTR]: String(code) } : {}),
      });
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
