import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaestroApi, type MaestroApi } from '../../src/demo/maestro-api.js';
import { createAnalysis } from '../../src/engine/analysis.js';
import type { IntervalObservation, VariantObservation } from '../../src/schema/observation.js';
import { policySpec } from '../../src/schema/policy.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';

// Real Prometheus 2.42 scraping two real sample-service instances (stable 1.4.0, canary 1.5.0 with faults).
const policy = policySpec.parse({
  service: 'maestro-api',
  interval: '10s',
  metrics: [
    { name: 'error-rate', kind: 'errors', critical: true },
    { name: 'latency-p99', kind: 'latency' },
    { name: 'no-such-metric', kind: 'custom', query: 'sum(rate(does_not_exist_total{$variant}[1m]))' },
    { name: 'nan-metric', kind: 'custom', query: 'sum(http_requests_total{$variant}) / 0 * 0' },
  ],
});
const variant = { label: 'version', baseline: '1.4.0', canary: '1.5.0' };

let prom: PrometheusProcess;
let stable: MaestroApi;
let canary: MaestroApi;
/** Fresh stable instances started with the canary (a baseline), told apart by their own version label. */
let fresh: MaestroApi;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Cumulative latency buckets the service itself recorded, summed over label sets, keyed by `le`. */
async function recordedBuckets(api: MaestroApi): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await api.metrics.registry.getMetricsAsJSON()) {
    if (m.name !== 'http_request_duration_seconds') continue;
    for (const v of m.values as { metricName?: string; labels: Record<string, string | number>; value: number }[]) {
      if (v.metricName !== 'http_request_duration_seconds_bucket') continue;
      const le = String(v.labels.le);
      out.set(le, (out.get(le) ?? 0) + v.value);
    }
  }
  return out;
}

function perBucket(before: Map<string, number>, after: Map<string, number>): number[] {
  const les = [...after.keys()].sort((a, b) => (a === '+Inf' ? 1 : b === '+Inf' ? -1 : Number(a) - Number(b)));
  let prev = 0;
  return les.map((le) => {
    const cum = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    const d = cum - prev;
    prev = cum;
    return d;
  });
}

/** Sends `n` requests and counts them the way the embedded router does (errors = 5xx). */
async function traffic(api: MaestroApi, n: number): Promise<{ requests: number; errors: number }> {
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${api.url}/api/orders/o-${i}`);
    await res.arrayBuffer();
    if (res.status >= 500) errors++;
  }
  return { requests: n, errors };
}

beforeAll(async () => {
  stable = await startMaestroApi({ version: '1.4.0', random: seeded(1) });
  canary = await startMaestroApi({ version: '1.5.0', random: seeded(2), faults: { errorRate: 0.25, latencyMs: 30 } });
  fresh = await startMaestroApi({ version: '1.4.0-baseline', random: seeded(3) });
  const targets = [stable.url, canary.url, fresh.url].map((u) => new URL(u).host);
  prom = await startPrometheus([{ job: 'maestro-api', targets }]);
  await waitForScrapeAfter(prom.url, Date.now());
});

afterAll(async () => {
  await prom?.stop();
  await stable?.close();
  await canary?.close();
  await fresh?.close();
});

describe('PrometheusSource against a real Prometheus', () => {
  it('gives the same observations, and the same verdicts, as the counts the test generated', async () => {
    const source = new PrometheusSource({
      url: prom.url,
      variant,
      latencyBoundsMs: policy.latencyBoundsMs,
      metrics: policy.metrics,
      selectors: { job: 'maestro-api' },
    });
    const fromProm: IntervalObservation[] = [];
    const direct: IntervalObservation[] = [];
    // The first window starts after a scrape that saw everything sent before it (e.g. beforeAll's requests): on a
    // loaded machine the last scrape can be older than that traffic, which would then count in this window.
    await waitForScrapeAfter(prom.url, Date.now());
    let windowStart = Date.now();
    for (const [i, [ns, nc]] of [
      [120, 30],
      [150, 40],
      [90, 60],
    ].entries()) {
      const [sb, cb] = [await recordedBuckets(stable), await recordedBuckets(canary)];
      const s = await traffic(stable, ns!);
      const c = await traffic(canary, nc!);
      const expected = {
        baseline: { ...s, latency: perBucket(sb, await recordedBuckets(stable)) },
        canary: { ...c, latency: perBucket(cb, await recordedBuckets(canary)) },
      };
      const trafficEnd = Date.now();
      await waitForScrapeAfter(prom.url, trafficEnd);
      const windowEnd = Date.now();
      const got = await source.observation((i + 1) * 10, 20, windowStart, windowEnd);
      windowStart = windowEnd;
      const strip = (v: VariantObservation | null | undefined) => ({
        requests: v?.requests,
        errors: v?.errors,
        latency: v?.latency,
      });
      expect(strip(got.baseline)).toEqual(expected.baseline);
      expect(strip(got.canary)).toEqual(expected.canary);
      // Empty and NaN results are no data, not zero and not a failure.
      expect(got.canary?.custom).toEqual({ 'no-such-metric': null, 'nan-metric': null });
      expect(expected.canary.errors).toBeGreaterThan(0);
      fromProm.push(got);
      direct.push({ t: got.t, weight: 20, ...expected });
    }
    const a = createAnalysis(policy);
    const b = createAnalysis(policy);
    const verdictsProm = fromProm.map((o) => a.evaluate(o));
    const verdictsDirect = direct.map((o) => b.evaluate(o));
    expect(verdictsProm.map((x) => [x.verdict, x.score])).toEqual(verdictsDirect.map((x) => [x.verdict, x.score]));
    expect(verdictsProm.at(-1)?.verdict).toBe('fail'); // a 25% error canary is caught
    expect(source.http.queries).toBe(3 * (2 + 2 * 2));
  });

  it('a two-point range query ends exactly at the window end, whatever its length (real Prometheus)', async () => {
    // 1001 ms in float seconds is 1000 ms to Prometheus (truncated through nanoseconds), which put the second
    // point 1 ms early; the window then matched no end point and read as 0 requests.
    const source = new PrometheusSource({ url: prom.url, variant, latencyBoundsMs: policy.latencyBoundsMs });
    const end = Math.floor(Date.now() / 1000) * 1000;
    for (const lengthMs of [1001, 1003, 17_179]) {
      const series = await source.http.range('up', (end - lengthMs) / 1000, end / 1000, lengthMs);
      expect(series?.length).toBeGreaterThan(0);
      for (const s of series!) expect(s.values.at(-1)?.[0]).toBe(end / 1000); // the start point may predate `up`
    }
  });

  it(
    'reads the baseline as control by its own label value, and every ' + 'series of a custom query as a sample',
    async () => {
      const source = new PrometheusSource({
        url: prom.url,
        variant: { ...variant, control: '1.4.0-baseline' },
        latencyBoundsMs: policy.latencyBoundsMs,
        metrics: [{ ...policy.metrics[2]!, name: 'per-code', query: 'sum by (code) (http_requests_total{$variant})' }],
        selectors: { job: 'maestro-api' },
      });
      const start = Date.now();
      await waitForScrapeAfter(prom.url, start);
      const windowStart = Date.now();
      const s = await traffic(fresh, 40);
      await traffic(canary, 40);
      await waitForScrapeAfter(prom.url, Date.now());
      const got = await source.observeWindow(windowStart, Date.now());
      expect(got.control).toMatchObject({ requests: s.requests, errors: 0 });
      // The 25%-error canary has 200 and 500 series: two samples; the baseline only 200s.
      expect(got.canary?.custom?.['per-code']).toHaveLength(2);
      expect(got.control?.custom?.['per-code']).toHaveLength(1);
    },
  );

  // The server takes every query and never answers, so the call can only return through the source's own timeout
  // (without one it would hang until this test's 20 s limit fails it).
  it('a query that times out is no data, returned through the timeout', { timeout: 20_000 }, async () => {
    let queries = 0;
    const hang: Server = createServer(() => void queries++);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as { port: number }).port}`;
    const source = new PrometheusSource({ url, timeoutMs: 300, variant, latencyBoundsMs: policy.latencyBoundsMs });
    const t0 = Date.now();
    expect(await source.observeWindow(t0 - 10_000, t0)).toEqual({ baseline: null, canary: null });
    expect(queries).toBeGreaterThan(0); // it did ask, and got no answer
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });

  it('Prometheus down: no data (null observations), never an exception', async () => {
    const port = prom.port;
    await prom.stop();
    const source = new PrometheusSource({
      url: `http://127.0.0.1:${port}`,
      timeoutMs: 500,
      retries: 1,
      variant,
      latencyBoundsMs: policy.latencyBoundsMs,
    });
    const obs = await source.observation(10, 10, Date.now() - 10_000, Date.now());
    expect(obs).toEqual({ t: 10, weight: 10, baseline: null, canary: null });
    expect(createAnalysis(policy).evaluate(obs).verdict).toBe('inconclusive');
  });
});
