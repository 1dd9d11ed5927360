import { Option } from 'commander';
import { parseListen } from '../../server/listen-address.js';
import { defineCommand } from '../../cli/define-command.js';
import { waitForStop } from '../../cli/wait-for-stop.js';
import { println } from '../../io.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import type { OtelExportOptions } from '../../demo/maestro-api-otel.js';

interface SampleServiceOptions {
  serviceVersion: string;
  listen: string;
  errorRate: string;
  latencyMs: string;
  tailLatencyMs: string;
  tailRate: string;
  brokenEndpoint?: string;
  coldRequests: string;
  coldLatencyMs: string;
  otlp?: string;
  otlpProtocol: 'http/protobuf' | 'http/json';
  otlpTemporality: 'cumulative' | 'delta';
  otlpHistogram: 'explicit' | 'exponential';
  otlpInterval: string;
  otlpGzip?: boolean;
  otlpResource: string[];
}

const fraction = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`--${name} must be a number in [0, 1], got ${JSON.stringify(text)}`);
  return n;
};
const millis = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative number of ms, got ${JSON.stringify(text)}`);
  return n;
};

/** `adaptive-canary sample-service`: one version of maestro-api until SIGTERM/SIGINT (dev and demo aid). */
export default defineCommand<SampleServiceOptions>({
  name: 'sample-service',
  summary: 'run the sample maestro-api service (one version, optional faults) until SIGTERM',
  options: [
    new Option(
      '--service-version <version>',
      'version string the service reports (--version is taken by the CLI itself)',
    ).default('1.0.0'),
    new Option('--listen <host:port>', 'address to listen on (port 0 picks a free one)').default('127.0.0.1:8080'),
    new Option('--error-rate <0..1>', 'extra share of /api requests answered 500').default('0'),
    new Option('--latency-ms <ms>', 'extra median latency on /api requests').default('0'),
    new Option('--tail-latency-ms <ms>', 'extra latency for the slow tail').default('0'),
    new Option('--tail-rate <0..1>', 'share of /api requests in the slow tail').default('0.01'),
    new Option('--broken-endpoint <path>', 'a route prefix that always answers 500, e.g. /api/orders'),
    new Option('--cold-requests <n>', 'a cold start: the first n /api requests served are slower').default('0'),
    new Option('--cold-latency-ms <ms>', 'extra latency on each of those cold-start requests').default('50'),
    new Option(
      '--otlp <url>',
      'also export OpenTelemetry metrics (http.server.request.duration) with ' +
        'the OTel SDK to this OTLP/HTTP URL, e.g. ' +
        'http://127.0.0.1:8080/v1/metrics; headers from ' +
        'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
    ),
    new Option('--otlp-protocol <protocol>', 'OTLP encoding')
      .choices(['http/protobuf', 'http/json'])
      .default('http/protobuf'),
    new Option('--otlp-temporality <t>', 'aggregation temporality')
      .choices(['cumulative', 'delta'])
      .default('cumulative'),
    new Option('--otlp-histogram <kind>', 'histogram aggregation')
      .choices(['explicit', 'exponential'])
      .default('explicit'),
    new Option('--otlp-interval <duration>', 'how often the SDK exports').default('1s'),
    new Option('--otlp-gzip', 'gzip the exports'),
    new Option('--otlp-resource <key=value>', 'an extra resource attribute (repeatable)')
      .argParser((v: string, prev: string[] = []) => [...prev, v])
      .default([]),
  ],
  examples: [
    'adaptive-canary sample-service --service-version 1.4.0 --listen 127.0.0.1:0',
    'adaptive-canary sample-service --service-version 1.5.0 --listen ' +
      '127.0.0.1:0 --error-rate 0.05 --latency-ms 40 --tail-latency-ms 400',
    'adaptive-canary sample-service --service-version 1.5.0 --listen ' +
      '127.0.0.1:0 --otlp http://127.0.0.1:8080/v1/metrics',
  ],
  async run({ opts, io }) {
    const { startMaestroApi } = await import('../../demo/maestro-api.js');
    const { host, port } = parseListen(opts.listen);
    const faults = {
      errorRate: fraction('error-rate', opts.errorRate),
      latencyMs: millis('latency-ms', opts.latencyMs),
      tailLatencyMs: millis('tail-latency-ms', opts.tailLatencyMs),
      tailRate: fraction('tail-rate', opts.tailRate),
      brokenEndpoint: opts.brokenEndpoint,
      coldLatencyMs: millis('cold-latency-ms', opts.coldLatencyMs),
      coldRequests: Math.floor(millis('cold-requests', opts.coldRequests)),
    };
    const otel = opts.otlp ? await otelOptions(opts) : undefined;
    const api = await startMaestroApi({ host, port, version: opts.serviceVersion, faults, ...(otel ? { otel } : {}) });
    const stopped = waitForStop();
    println(io.stdout, `maestro-api ${api.version} listening on ${api.url}`);
    const signal = await stopped;
    await api.close();
    println(io.stderr, `maestro-api ${api.version} stopped (${signal})`);
    return ExitCode.ok;
  },
});

async function otelOptions(opts: SampleServiceOptions): Promise<OtelExportOptions> {
  const { parseDuration } = await import('../../schema/duration.js');
  const intervalMs = parseDuration(opts.otlpInterval);
  if (intervalMs === undefined || intervalMs < 50)
    throw new UsageError(`--otlp-interval: expected a duration of at least 50ms, got ${opts.otlpInterval}`);
  const resource: Record<string, string> = {};
  for (const kv of opts.otlpResource) {
    const i = kv.indexOf('=');
    if (i < 1) throw new UsageError(`--otlp-resource: expected key=value, got ${JSON.stringify(kv)}`);
    resource[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return {
    url: opts.otlp ?? '',
    protocol: opts.otlpProtocol,
    temporality: opts.otlpTemporality,
    histogram: opts.otlpHistogram,
    intervalMs,
    gzip: opts.otlpGzip === true,
    resource,
  };
}
