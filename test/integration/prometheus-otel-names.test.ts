import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySpec } from '../../src/schema/policy.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { OTEL_VARIANT_LABEL, queryNamesFor } from '../../src/sources/prometheus/otel-names.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';

// A real Prometheus 2.42 scraping two targets that expose what Prometheus stores for OTLP-ingested HTTP server
// metrics: http_server_request_duration_seconds_* with http_response_status_code / error_type labels, and the
// resource attributes (service.version) only on target_info. (2.42 predates Prometheus' OTLP receiver, so the
// translated form is served as text; the names and the target_info layout are those of prometheus/otlptranslator.)
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1];

class Target {
  counts = new Map<string, number[]>(); // series labels → per-bucket counts (+Inf last)
  server: Server;
  constructor(readonly version: string) {
    this.server = createServer((_req, res) => res.end(this.text()));
  }
  add(n: number, o: { code: number; bucket: number; errorType?: string }): void {
    const key =
      `http_response_status_code="${o.code}",http_route="/api/orders"` +
      `${o.errorType ? `,error_type="${o.errorType}"` : ''}`;
    const c = this.counts.get(key) ?? new Array<number>(BOUNDS_S.length + 1).fill(0);
    c[o.bucket]! += n;
    this.counts.set(key, c);
  }
  text(): string {
    const lines = [`target_info{service_name="maestro-api",service_version="${this.version}"} 1`];
    for (const [labels, c] of this.counts) {
      let cum = 0;
      c.forEach((n, i) => {
        cum += n;
        const le = i < BOUNDS_S.length ? String(BOUNDS_S[i]) : '+Inf';
        lines.push(`http_server_request_duration_seconds_bucket{${labels},le="${le}"} ${cum}`);
      });
      lines.push(`http_server_request_duration_seconds_count{${labels}} ${cum}`);
    }
    return `${lines.join('\n')}\n`;
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

let prom: PrometheusProcess;
const stable = new Target('1.4.0');
const canary = new Target('1.5.0');

beforeAll(async () => {
  const targets = [await stable.listen(), await canary.listen()];
  prom = await startPrometheus([{ job: 'maestro-api', targets }]);
  await waitForScrapeAfter(prom.url, Date.now());
});

afterAll(async () => {
  await prom?.stop();
  stable.server.close();
  canary.server.close();
});

describe('Prometheus source with names: otel', () => {
  it('counts requests, 5xx and error_type errors and latency per service_version taken from target_info', async () => {
    const policy = policySpec.parse({
      service: 'maestro-api',
      latencyBoundsMs: BOUNDS_S.map((b) => b * 1000),
      prometheus: { url: prom.url },
      metricSource: { type: 'prometheus', names: 'otel' },
    });
    const source = new PrometheusSource({
      url: prom.url,
      variant: { label: OTEL_VARIANT_LABEL, baseline: '1.4.0', canary: '1.5.0' },
      latencyBoundsMs: policy.latencyBoundsMs,
      names: queryNamesFor(policy),
      selectors: { job: 'maestro-api' },
    });
    // Baseline of the window: what was scraped before the traffic below.
    stable.add(5, { code: 200, bucket: 0 });
    await waitForScrapeAfter(prom.url, Date.now());
    const start = Date.now();
    stable.add(40, { code: 200, bucket: 1 });
    stable.add(2, { code: 503, bucket: 2 });
    canary.add(10, { code: 200, bucket: 3 });
    canary.add(3, { code: 200, bucket: 5, errorType: 'timeout' });
    canary.add(4, { code: 500, bucket: 4 });
    canary.add(6, { code: 404, bucket: 0 });
    await waitForScrapeAfter(prom.url, Date.now());
    const got = await source.observeWindow(start, Date.now());
    expect(got.baseline).toMatchObject({ requests: 42, errors: 2, latency: [0, 40, 2, 0, 0, 0] });
    expect(got.canary).toMatchObject({ requests: 23, errors: 7, latency: [6, 0, 0, 10, 4, 3] });
  });
});
