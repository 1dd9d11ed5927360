import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaestroApi, type MaestroApi } from '../../src/demo/maestro-api.js';
import { snapshotDashboard } from '../../src/observability/dashboard-snapshot.js';
import prometheusTarget from '../../src/render/prometheus.js';
import { canaryPolicy } from '../../src/schema/policy.js';
import { untilValue } from '../support/poll.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';

// A real Prometheus 2.42 loaded with the rendered canary-rules.yaml, scraping two real sample-service
// instances (stable 1.4.0, canary 1.5.0 failing 30% of requests) and a stand-in for the controller's /metrics
// (a prom-client registry in this test exposing the controller metric names the rules and dashboard use).
const policy = canaryPolicy.parse({
  apiVersion: 'adaptive-canary/v1',
  kind: 'CanaryPolicy',
  metadata: { name: 'maestro-api' },
  spec: { service: 'maestro-api' },
});
let stable: MaestroApi;
let canary: MaestroApi;
let controller: Server;
let prom: PrometheusProcess | undefined;
let promUrl = '';
let dir = '';
let started = 0;

function fakeController(): Registry {
  const reg = new Registry();
  const labels = { service: 'maestro-api', rollout: 'r1' };
  const info = new Gauge({
    name: 'adaptive_canary_variant_info',
    help: 'variants',
    labelNames: ['service', 'rollout', 'variant', 'version'],
    registers: [reg],
  });
  info.set({ ...labels, variant: 'baseline', version: '1.4.0' }, 1_700_000_000);
  info.set({ ...labels, variant: 'canary', version: '1.5.0' }, 1_700_000_000);
  new Gauge({
    name: 'adaptive_canary_canary_weight',
    help: 'w',
    labelNames: ['service', 'rollout'],
    registers: [reg],
  }).set(labels, 25);
  new Gauge({ name: 'adaptive_canary_step', help: 's', labelNames: ['service', 'rollout'], registers: [reg] }).set(
    labels,
    2,
  );
  new Gauge({ name: 'adaptive_canary_score', help: 's', labelNames: ['service', 'rollout'], registers: [reg] }).set(
    labels,
    0.41,
  );
  new Counter({
    name: 'adaptive_canary_decisions_total',
    help: 'd',
    labelNames: ['service', 'rollout', 'decision'],
    registers: [reg],
  }).inc({ ...labels, decision: 'step' }, 2);
  const rb = new Histogram({
    name: 'maestro_api_rollback_duration_seconds',
    help: 'r',
    buckets: [30, 60, 120, 300, 600],
    registers: [reg],
  });
  rb.observe(42);
  rb.observe(95);
  return reg;
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return res.data.result;
}

const until = <T>(what: string, f: () => Promise<T | undefined>): Promise<T> =>
  untilValue(what, f, { timeoutMs: 40_000, everyMs: 250 });

beforeAll(async () => {
  stable = await startMaestroApi({ version: '1.4.0', random: () => 0.99 });
  canary = await startMaestroApi({
    version: '1.5.0',
    random: (() => {
      let i = 0;
      return () => (i++ % 10) / 10;
    })(),
    faults: { errorRate: 0.3 },
  });
  const reg = fakeController();
  controller = createServer(
    (_, res) => void reg.metrics().then((text) => res.writeHead(200, { 'content-type': reg.contentType }).end(text)),
  );
  await new Promise<void>((r) => controller.listen(0, '127.0.0.1', r));
  dir = mkdtempSync(join(tmpdir(), 'ac-prom-rules-'));
  const [rules] = await prometheusTarget.render({ policy, policyDir: dir, env: {} });
  writeFileSync(join(dir, 'canary-rules.yaml'), rules!.content);
  const host = (u: string) => new URL(u).host;
  prom = await startPrometheus(
    [
      { job: 'maestro-api', targets: [host(stable.url), host(canary.url)] },
      { job: 'adaptive-canary', targets: [`127.0.0.1:${(controller.address() as { port: number }).port}`] },
    ],
    { ruleFiles: [join(dir, 'canary-rules.yaml')] },
  );
  promUrl = prom.url;
  started = Date.now();
  await waitForScrapeAfter(promUrl, Date.now());
  // Traffic in a few bursts so rate() sees increases between scrapes.
  for (let burst = 0; burst < 4; burst++) {
    for (let i = 0; i < 50; i++) {
      await (await fetch(`${stable.url}/api/orders/o-${i}`)).arrayBuffer();
      await (await fetch(`${canary.url}/api/orders/o-${i}`)).arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 1100));
  }
  await waitForScrapeAfter(promUrl, Date.now());
});

afterAll(async () => {
  await prom?.stop();
  await Promise.all([stable?.close(), canary?.close(), new Promise((r) => controller?.close(r))]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rendered rules on a real Prometheus', () => {
  it('evaluate without errors, label the canary through the variant info, and fire the canary burn alert', async () => {
    const byVariant = await until('canary error ratio recorded', async () => {
      const r = await query('canary:sli_error:ratio_rate5m{service="maestro-api"}');
      return r.length === 2 && r.some((s) => Number(s.value[1]) > 0) ? r : undefined;
    });
    const canaryRatio = byVariant.find((s) => s.metric.variant === 'canary')!;
    expect(canaryRatio.metric).toMatchObject({
      rollout: 'r1',
      version: '1.5.0',
      service: 'maestro-api',
      slo: 'availability',
    });
    expect(Number(canaryRatio.value[1])).toBeGreaterThan(0.1);
    expect(Number(byVariant.find((s) => s.metric.variant === 'baseline')!.value[1])).toBe(0);

    const groups = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    };
    const unhealthy = groups.data.groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health !== 'ok' && r.health !== 'unknown');
    expect(unhealthy).toEqual([]);

    const alert = await until('CanaryErrorBudgetBurn firing', async () => {
      const res = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string>; state: string }[] };
      };
      return res.data.alerts.find((a) => a.labels.alertname === 'CanaryErrorBudgetBurn' && a.state === 'firing');
    });
    expect(alert.labels).toMatchObject({ rollout: 'r1', variant: 'canary', severity: 'page', component: 'canary' });
  });

  it("the dashboard snapshot returns every panel's series for the window", async () => {
    const snap = await snapshotDashboard({
      prometheusUrl: promUrl,
      spec: policy.spec,
      start: started,
      end: Date.now(),
      rollout: 'r1',
      stepSeconds: 1,
    });
    const panel = (title: string) => snap.panels.find((p) => p.title.startsWith(title))!;
    const all = snap.panels.flatMap((p) => p.queries);
    expect(all.filter((q) => q.error)).toEqual([]);
    const errorRatio = panel('Error ratio').queries[0]!;
    expect(errorRatio.series.map((s) => s.metric.version).sort()).toEqual(['1.4.0', '1.5.0']);
    expect(errorRatio.expr).not.toContain('$__rate_interval');
    const score = panel('Composite score').queries[0]!.series[0]!;
    expect(score.metric.rollout).toBe('r1');
    expect(score.values.at(-1)![1]).toBe(0.41);
    expect(panel('Canary weight and step').queries.map((q) => q.series[0]?.values.at(-1)?.[1])).toEqual([25, 2]);
    const buckets = panel('Rollback duration histogram').queries[0]!.series;
    expect(buckets.map((s) => s.metric.le)).toContain('60');
    const burn = panel('Error budget burn rate').queries.at(-1)!;
    expect(burn.series[0]!.metric).toMatchObject({ rollout: 'r1', variant: 'canary' });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
