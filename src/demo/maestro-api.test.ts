import { afterEach, describe, expect, it } from 'vitest';
import { decideFault, HEALTHY } from './maestro-api-faults.js';
import { startMaestroApi, type MaestroApi } from './maestro-api.js';

describe('maestro-api fault decisions', () => {
  it('a healthy service adds nothing', () => {
    expect(decideFault(HEALTHY, '/api/orders', 0, () => 0)).toEqual({ delayMs: 0 });
  });

  it('injects errors at the configured rate and latency around the median, with a tail', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const faults = { ...HEALTHY, errorRate: 0.2, latencyMs: 40, tailLatencyMs: 400, tailRate: 0.05 };
    const decisions = Array.from({ length: 20_000 }, () => decideFault(faults, '/api/orders', 0, random));
    const errors = decisions.filter((d) => d.failWith === 500).length / decisions.length;
    expect(errors).toBeGreaterThan(0.18);
    expect(errors).toBeLessThan(0.22);
    const delays = decisions.map((d) => d.delayMs).sort((a, b) => a - b);
    expect(delays[Math.floor(delays.length / 2)]).toBeGreaterThan(35);
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThan(45);
    expect(delays[Math.floor(delays.length * 0.99)]).toBeGreaterThan(400);
  });

  it('breaks one endpoint, and chaos only inside its window', () => {
    expect(decideFault({ ...HEALTHY, brokenEndpoint: '/api/orders' }, '/api/orders/ord-1', 0, () => 0.9).failWith).toBe(
      500,
    );
    const chaos = { ...HEALTHY, chaosUntil: 1000 };
    expect(decideFault(chaos, '/api/orders', 999, () => 0.5).failWith).toBe(503);
    expect(decideFault(chaos, '/api/orders', 1000, () => 0.5).failWith).toBeUndefined();
  });
});

describe('maestro-api over HTTP', () => {
  let api: MaestroApi | undefined;
  afterEach(async () => api?.close());

  it('logs in, creates and reads an order, and counts requests per version in /metrics', async () => {
    api = await startMaestroApi({ version: '2.0.0' });
    const login = await fetch(`${api.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ user: 'u', password: 'p' }),
    });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${api.url}/api/orders`, { method: 'POST', body: '{"item":"x"}' })).status).toBe(401);
    const created = await fetch(`${api.url}/api/orders`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ item: 'book', quantity: 2 }),
    });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: string; version: string };
    expect(order.version).toBe('2.0.0');
    expect((await fetch(`${api.url}/api/orders/${order.id}`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${api.url}/api/orders/nope`, { headers: auth })).status).toBe(404);
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok', version: '2.0.0', chaos: false });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="POST",route="/api/orders",code="201",version="2.0.0"} 1');
    expect(metrics).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/orders/:id",' +
        'code="200",version="2.0.0"}',
    );
  });

  it('switches faults at run time and bounds the chaos window', async () => {
    api = await startMaestroApi({ version: '2.0.1', random: () => 0 });
    api.setFaults({ errorRate: 1 });
    expect((await fetch(`${api.url}/api/login`, { method: 'POST', body: '{"user":"u","password":"p"}' })).status).toBe(
      500,
    );
    api.setFaults({ errorRate: 0 });
    const { token } = (await (
      await fetch(`${api.url}/api/login`, { method: 'POST', body: '{"user":"u","password":"p"}' })
    ).json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${api.url}/admin/chaos?seconds=5`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${api.url}/admin/chaos?seconds=100000`, { method: 'POST', headers: auth })).status).toBe(400);
    expect((await fetch(`${api.url}/admin/chaos?seconds=5`, { method: 'POST', headers: auth })).status).toBe(202);
    expect((await fetch(`${api.url}/api/orders`, { method: 'POST', headers: auth, body: '{"item":"x"}' })).status).toBe(
      503,
    );
    expect((await fetch(`${api.url}/admin/chaos`, { method: 'DELETE', headers: auth })).status).toBe(200);
    expect((await fetch(`${api.url}/api/orders`, { method: 'POST', headers: auth, body: '{"item":"x"}' })).status).toBe(
      201,
    );
  });
});
