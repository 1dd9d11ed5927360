import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';
import { runCli } from '../support/supply-chain-cli.js';
import { copyExample, serveSuiteInfo } from './support/preflight-fixture.js';

/**
 * The error-budget check against a real Prometheus (Debian 2.42) scraping a prom-client target every second:
 * healthy traffic passes the whole Definition of Ready with no allowances; a burst of 5xx fails the budget check
 * with the burn and the limit in the reason.
 */
const registry = new Registry();
const requests = new Counter({
  name: 'http_requests_total',
  help: 'requests',
  labelNames: ['code'],
  registers: [registry],
});
new Gauge({ name: 'probe_success', help: 'synthetic probe result', registers: [registry] }).set(1);
let target: Server;
let prom: PrometheusProcess;
let suite: { url: string; server: Server };
let dir: string;

async function scraped(): Promise<void> {
  // increase() needs two samples after the change; wait for two scrapes.
  await waitForScrapeAfter(prom.url, Date.now());
  await waitForScrapeAfter(prom.url, Date.now());
}

beforeAll(async () => {
  requests.inc({ code: '200' }, 0);
  requests.inc({ code: '500' }, 0);
  target = createServer((_req, res) => {
    void registry.metrics().then((text) => {
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as AddressInfo).port;
  prom = await startPrometheus([{ job: 'maestro-api', targets: [`127.0.0.1:${port}`] }]);
  await scraped();
  dir = copyExample();
  suite = await serveSuiteInfo(join(dir, 'synthetics/maestro-api-canary.yaml'));
}, 60_000);

afterAll(async () => {
  suite?.server.close();
  target?.close();
  await prom?.stop();
});

const preflight = (): ReturnType<typeof runCli> =>
  runCli(['preflight', '--policy', 'canary.yaml', '--prometheus', prom.url, '--synthetics-url', suite.url], {
    cwd: dir,
  });

describe('preflight error budget from a real Prometheus', () => {
  it('passes every check on healthy traffic, with the burn in the reason', async () => {
    requests.inc({ code: '200' }, 1000);
    await scraped();
    const r = await preflight();
    expect(r.stdout).toMatch(
      /^✓ error-budget: 0\.00% of the 30d error budget burned in the last 1h \(limit 10\.00%, SLO 0\.999\)/m,
    );
    expect(r.stdout).toMatch(/^✓ synthetic-suite: .*uptime 100\.000% over 7d from Prometheus probe_success/m);
    expect(r.stdout).toMatch(/Ready: every check passed\./);
    expect(r.code).toBe(0);
  });

  it('fails the budget check when errors burn more than 10% of the budget', async () => {
    requests.inc({ code: '500' }, 1000);
    await scraped();
    const r = await preflight();
    const m = /^✗ error-budget: (\d+\.\d+)% of the 30d error budget burned in the last 1h (.*)$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![2]).toMatch(/^\(limit 10\.00%, SLO 0\.999\)/);
    // ~50% errors for 1h of a 30d, 99.9% budget: 0.5 / 0.001 × 1/720 ≈ 69%.
    expect(Number(m![1])).toBeGreaterThan(50);
    expect(r.code).toBe(1);
  });

  it('reports unknown, not pass, when Prometheus is unreachable', async () => {
    const r = await runCli(
      ['preflight', '--policy', 'canary.yaml', '--prometheus', 'http://127.0.0.1:1', '--synthetics-url', suite.url],
      { cwd: dir },
    );
    expect(r.stdout).toMatch(/^\? error-budget: Prometheus: http:\/\/127\.0\.0\.1:1: /m);
    expect(r.code).toBe(1);
  });
});
