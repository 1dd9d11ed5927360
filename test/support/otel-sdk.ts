import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  MetricReader,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import type { Histogram as ApiHistogram, Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { OtlpSubscriptionSpec } from '../../src/sources/otlp/receiver.js';

/**
 * Real OpenTelemetry JS SDK output for unit tests: a MeterProvider whose reader is collected on demand, each
 * collection serialized by the SDK's own OTLP serializers (protobuf and JSON) — the bytes an exporter sends.
 */
class ManualReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface SdkHarness {
  histogram: ApiHistogram<Attributes>;
  gauge: (name: string) => { record(v: number, attrs?: Attributes): void };
  counter: (name: string) => { add(v: number, attrs?: Attributes): void };
  /** One export: the request body in both encodings. */
  collect(): Promise<{ protobuf: Uint8Array; json: Uint8Array }>;
  shutdown(): Promise<void>;
}

export type { Histogram };

export function sdkHarness(o: {
  resource: Record<string, string>;
  temporality?: 'cumulative' | 'delta';
  exponential?: boolean;
  boundaries?: number[];
}): SdkHarness {
  const reader = new ManualReader({
    aggregationTemporalitySelector: () =>
      o.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(o.resource),
    readers: [reader],
    views: o.exponential
      ? [
          {
            instrumentName: 'http.server.request.duration',
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
          },
        ]
      : [],
  });
  const meter = provider.getMeter('test');
  const histogram = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: o.boundaries ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  });
  return {
    histogram,
    gauge: (name) => meter.createGauge(name),
    counter: (name) => meter.createCounter(name),
    collect: async () => {
      const { resourceMetrics } = await reader.collect();
      return {
        protobuf: ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!,
        json: JsonMetricsSerializer.serializeRequest(resourceMetrics)!,
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

/**
 * A subscription as `run` makes it by default: stable 1.4.0 and canary 1.5.0 by service.version of maestro-api,
 * latency in the policy's default bounds; `over` changes any of it.
 */
export function subscriptionSpec(over: Partial<OtlpSubscriptionSpec> = {}): OtlpSubscriptionSpec {
  return {
    attribute: 'service.version',
    baseline: '1.4.0',
    canary: '1.5.0',
    match: { 'service.name': 'maestro-api' },
    durationMetric: 'http.server.request.duration',
    custom: {},
    latencyBoundsMs: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    ...over,
  };
}
