import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySpec } from '../../src/schema/policy.js';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.js';
import { flagVariantQuery, OTEL_VARIANT_LABEL, queryNamesFor } from '../../src/sources/prometheus/otel-names.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterController } from '../../src/controller/cluster/cluster-controller.js';
import { ArgoSimulator } from '../support/argo-simulator.js';
import { KubeApiServer } from '../support/kube-apiserver.js';
import { untilValue } from '../support/poll.js';
import { makeRollout } from '../support/rollout-fixture.js';

// A real Prometheus 2.42 scraping two targets that expose what Prometheus stores for OTLP-ingested HTTP server
// metrics: http_server_request_duration_seconds_* with http_response_status_code / error_type labels, and the
// resource attributes (service.version) only on target_info. (2.42 predates Prometheus' OTLP receiver, so the
// translated form is served as text; the names and the target_info layout are those of prometheus/otlptranslator.)
// The second test is `serve` (ClusterController against the in-test API server and the Argo simulator) whose policy
// says only `metricSource: {type: prometheus, names: otel}`: it picks the names and the pod-hash label by itself.
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1];

class Target {
  counts = new Map<string, number[]>(); // series labels → per-bucket counts (+Inf last)
  server: Server;
  /** `version`: service.version, or any resource attributes (as Prometheus labels) for target_info. */
  constructor(readonly resource: string | Record<string, string>) {
    this.server = createServer((_req, res) => res.end(this.text()));
  }
  /** `flag`: the request's feature_flag.result.variant, a data point attribute (flagd canaries). */
  add(n: number, o: { code: number; bucket: number; errorType?: string; flag?: string }): void {
    const key =
      `http_response_status_code="${o.code}",http_route="/api/orders"` +
      `${o.errorType ? `,error_type="${o.errorType}"` : ''}` +
      `${o.flag ? `,feature_flag_result_variant="${o.flag}"` : ''}`;
    const c = this.counts.get(key) ?? new Array<number>(BOUNDS_S.length + 1).fill(0);
    c[o.bucket]! += n;
    this.counts.set(key, c);
  }
  text(): string {
    const info = typeof this.resource === 'string' ? { service_version: this.resource } : this.resource;
    const labels = Object.entries({ service_name: 'maestro-api', ...info }).map(([k, v]) => `${k}="${v}"`);
    const lines = [`target_info{${labels.join(',')}} 1`];
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
// The Rollout's pods, their pod template hash a resource attribute (Downward API) only on target_info.
const pod = (hash: string) => new Target({ k8s_pod_label_rollouts_pod_template_hash: hash });
const pods = { stable: pod('st4b1e'), canary: pod('c4n4ry') };
// A flagd canary: one version, the variants told apart per request.
const flagged = new Target('1.5.0');

beforeAll(async () => {
  const targets = [await stable.listen(), await canary.listen()];
  const shop = [await pods.stable.listen(), await pods.canary.listen()];
  prom = await startPrometheus([
    { job: 'maestro-api', targets },
    { job: 'shop', targets: shop },
    { job: 'flagged', targets: [await flagged.listen()] },
  ]);
  await waitForScrapeAfter(prom.url, Date.now());
});

afterAll(async () => {
  await prom?.stop();
  for (const t of [stable, canary, pods.stable, pods.canary, flagged]) t.server.close();
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

  it('flagd: the variant is a data point label (feature_flag_result_variant), not from target_info', async () => {
    const policy = policySpec.parse({
      service: 'maestro-api',
      latencyBoundsMs: BOUNDS_S.map((b) => b * 1000),
      metricSource: { type: 'prometheus', names: 'otel' },
    });
    const query = flagVariantQuery(policy); // what `run --target flagd` reads with this policy
    expect(query.label).toBe('feature_flag_result_variant');
    const source = new PrometheusSource({
      url: prom.url,
      variant: { label: query.label, baseline: 'off', canary: 'on' },
      latencyBoundsMs: policy.latencyBoundsMs,
      names: query.names,
      selectors: { job: 'flagged' },
    });
    flagged.add(5, { code: 200, bucket: 0, flag: 'off' });
    await waitForScrapeAfter(prom.url, Date.now());
    const start = Date.now();
    flagged.add(30, { code: 200, bucket: 1, flag: 'off' });
    flagged.add(8, { code: 200, bucket: 2, flag: 'on' });
    flagged.add(3, { code: 502, bucket: 3, flag: 'on' });
    await waitForScrapeAfter(prom.url, Date.now());
    const got = await source.observeWindow(start, Date.now());
    expect(got.baseline).toMatchObject({ requests: 30, errors: 0, latency: [0, 30, 0, 0, 0, 0] });
    expect(got.canary).toMatchObject({ requests: 11, errors: 3, latency: [0, 0, 8, 3, 0, 0] });
  });

  it("serve: one line of policy (names: otel) and the Rollout is judged by the pods' hash on target_info", async () => {
    const api = await KubeApiServer.start();
    const argo = new ArgoSimulator(api);
    const policy = {
      service: 'maestro-api',
      interval: '1s',
      steps: [{ weight: 10, bake: '6s' }],
      metrics: [{ name: 'error-rate', kind: 'errors', critical: true }],
      // Without data the rollout would be promoted: only the canary's 5xx, read through target_info, roll it back.
      inconclusive: { maxExtension: '2s', then: 'promote' },
      prometheus: { url: prom.url, selectors: { job: 'shop' } },
      metricSource: { type: 'prometheus', names: 'otel' },
    };
    api.seedRollout(
      makeRollout({
        name: 'maestro-api',
        namespace: 'shop',
        weights: [10],
        annotations: { 'adaptive-canary.dev/policy': JSON.stringify(policy) },
      }),
    );
    argo.reconcile('shop', 'maestro-api');
    const traffic = setInterval(() => {
      pods.stable.add(20, { code: 200, bucket: 0 });
      pods.canary.add(2, { code: 200, bucket: 0 });
      pods.canary.add(2, { code: 500, bucket: 1 });
    }, 100);
    const controller = new ClusterController({
      kubeConfig: api.kubeConfig('shop'),
      identity: 'pod-a',
      leaseNamespace: 'adaptive-canary',
      leaseDurationMs: 1_000,
      renewDeadlineMs: 700,
      retryPeriodMs: 100,
      evidenceDir: mkdtempSync(join(tmpdir(), 'ac-otel-names-')),
    });
    try {
      await controller.start();
      const snapshot = await untilValue(
        'a decision',
        () => {
          const s = controller.hub.list()[0];
          return s && (s.phase === 'rolled-back' || s.phase === 'promoted') ? s : undefined;
        },
        { timeoutMs: 40_000 },
      );
      expect(snapshot.phase).toBe('rolled-back');
      const last = snapshot.decisions.at(-1)!;
      expect(last.reasons.find((r) => r.signal === 'error-rate')?.verdict).toBe('fail');
    } finally {
      clearInterval(traffic);
      await controller.stop();
      argo.close();
      await api.close();
    }
  }, 60_000);
});
