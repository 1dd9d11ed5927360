import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMaestroApi } from '../../src/demo/maestro-api.js';
import { startProbeDaemon } from '../../src/synthetics/daemon.js';
import { openHistory } from '../../src/synthetics/history.js';
import { loadSuite, prepareSuite } from '../../src/synthetics/prepare-suite.js';
import { runFlow, runSuite } from '../../src/synthetics/run-flow.js';
import { listen, oneStep, suiteOf } from './synthetics-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'synthetics-daemon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE = 'examples/maestro-api/synthetics/maestro-api-canary.yaml';
const env = { PROBE_PASSWORD: 'pw-for-tests', TARGET_URL: 'http://unused.invalid' };

describe('the example suite against the sample service', () => {
  it('is green against a healthy version and red against a misbehaving one', async () => {
    const healthy = await startMaestroApi({ version: '1.4.0' });
    const broken = await startMaestroApi({ version: '1.5.0', faults: { brokenEndpoint: '/api/orders' } });
    const erroring = await startMaestroApi({ version: '1.5.1', faults: { errorRate: 1 } });
    try {
      expect((await runSuite(loadSuite(EXAMPLE, { baseUrl: healthy.url, env }))).success).toBe(true);
      const red = await runSuite(loadSuite(EXAMPLE, { baseUrl: broken.url, env }));
      expect(red.flows.find((f) => f.flow === 'login-and-order')?.status).toBe('failed');
      expect((await runSuite(loadSuite(EXAMPLE, { baseUrl: erroring.url, env }))).failed).toBeGreaterThan(0);
    } finally {
      await Promise.all([healthy.close(), broken.close(), erroring.close()]);
    }
  });

  it('rollback-chaos-lite turns chaos on for a bounded time, and the regular flows go red meanwhile', async () => {
    let now = 1_000_000;
    const api = await startMaestroApi({ version: '1.5.0', now: () => now });
    try {
      const prepared = loadSuite(EXAMPLE, { baseUrl: api.url, env });
      const chaos = await runFlow(prepared, 'rollback-chaos-lite');
      expect(chaos.status).toBe('passed');
      expect(api.faults().chaosUntil).toBe(1_000_000 + 20_000);
      expect((await runFlow(prepared, 'login-and-order')).status).toBe('failed');
      now += 21_000;
      expect((await runFlow(prepared, 'login-and-order')).status).toBe('passed');
    } finally {
      await api.close();
    }
  });
});

describe('the probe daemon', () => {
  it('keeps serving when the target is down, records every result and drains on close', async () => {
    const down = await listen(() => undefined);
    await down.close();
    const db = join(dir, 'down.db');
    const suite = suiteOf({ ...oneStep({ path: '/' }), interval: '200ms', timeout: '150ms' }, 'down');
    const daemon = await startProbeDaemon({
      prepared: prepareSuite(suite, { baseUrl: down.url, env: {} }),
      suiteText: 'x',
      port: 0,
      history: openHistory(db),
    });
    const probe = await fetch(`${daemon.url}/probe?flow=f`).then((r) => r.text());
    expect(probe).toMatch(/^probe_success\{flow="f"\} 0$/m);
    expect(probe).toMatch(/^probe_http_status_code\{flow="f",step="s",method="GET"\} 0$/m);
    await new Promise((r) => setTimeout(r, 700));
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${daemon.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^syntheticsctl_probe_runs_total\{flow="f",result="failed"\} \d+$/m);
    expect((await fetch(`${daemon.url}/probe?flow=nope`)).status).toBe(400);
    await daemon.close();
    const history = openHistory(db);
    const served = Number(/syntheticsctl_probe_runs_total\{flow="f",result="failed"\} (\d+)/.exec(metrics)?.[1]);
    expect(history.count()).toBeGreaterThanOrEqual(served);
    expect(history.uptime({ windowMs: 60_000 }).uptime).toBe(0);
    history.close();
  });

  it('exposes blackbox metric names and the suite file sha256', async () => {
    const api = await startMaestroApi({ version: '1.4.0' });
    const text = readFileSync(EXAMPLE);
    const daemon = await startProbeDaemon({
      prepared: loadSuite(EXAMPLE, { baseUrl: api.url, env }),
      suiteText: text,
      port: 0,
      random: () => 0.99,
    });
    try {
      const probe = await fetch(`${daemon.url}/probe?flow=login-and-order`).then((r) => r.text());
      for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) {
        expect(probe).toContain(
          `probe_http_duration_seconds{flow="login-and-order",step="create-order",phase="${phase}"}`,
        );
      }
      expect(probe).toMatch(/^probe_success\{flow="login-and-order"\} 1$/m);
      expect(probe).toMatch(/^probe_duration_seconds\{flow="login-and-order"\} [0-9.e-]+$/m);
      const metrics = await fetch(`${daemon.url}/metrics`).then((r) => r.text());
      const { createHash } = await import('node:crypto');
      expect(metrics).toContain(
        `syntheticsctl_suite_info{suite="maestro-api-canary",sha256="` +
          `${createHash('sha256').update(text).digest('hex')}` +
          `"} 1`,
      );
      expect(metrics).not.toContain('pw-for-tests');
    } finally {
      await daemon.close();
      await api.close();
    }
  });
});
