import { Registry, Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  FakeControllerView,
  makeInterval,
  makeSnapshot,
  regressionReasons,
} from '../../test/e2e/support/fake-controller-view.js';
import { AppError } from '../errors.js';
import { createApp } from './app.js';
import { silentLogger } from './logger.js';

/** Response.json() is `unknown` in Node's types; these tests inspect the shape themselves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert the shape themselves
type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

function setup(token?: string) {
  const view = new FakeControllerView();
  view.upsert(makeSnapshot({ id: 'maestro-api-1', startedAt: '2025-06-06T09:00:00.000Z' }));
  view.interval('maestro-api-1', makeInterval(1, { score: 0.97, verdict: 'pass' }), [regressionReasons[2]!]);
  view.upsert(
    makeSnapshot({
      id: 'maestro-api-2',
      phase: 'rolled-back',
      startedAt: '2025-06-06T11:00:00.000Z',
      reasons: regressionReasons,
    }),
  );
  const registry = new Registry();
  new Counter({ name: 'maestro_api_test_total', help: 'test', registers: [registry] }).inc();
  const { app } = createApp({ view, registry, token, logger: silentLogger, loopbackOnly: true, heartbeatMs: 1000 });
  const request = (path: string, init: RequestInit = {}) =>
    Promise.resolve(
      app.request(`http://127.0.0.1:8080${path}`, { ...init, headers: { host: '127.0.0.1:8080', ...init.headers } }),
    ) as Promise<JsonResponse>;
  return { view, app, request };
}

describe('read-only API', () => {
  it('answers /healthz and /metrics', async () => {
    const { request } = setup();
    expect(await (await request('/healthz')).json()).toEqual({ status: 'ok' });
    const metrics = await request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('maestro_api_test_total 1');
  });

  it('lists rollouts as summaries in a data/pagination envelope', async () => {
    const { request } = setup();
    const body = await (await request('/api/v1/rollouts')).json();
    expect(body.pagination).toEqual({ total: 2 });
    expect(body.data[0]).toMatchObject({ id: 'maestro-api-1', intervalCount: 1, decisionCount: 0 });
    expect(body.data[0]).not.toHaveProperty('intervals');
  });

  it('serves one rollout, its timeline, decisions and webhook deliveries', async () => {
    const { request } = setup();
    expect((await (await request('/api/v1/rollouts/maestro-api-1')).json()).data.intervals).toHaveLength(1);
    expect((await (await request('/api/v1/rollouts/maestro-api-1/timeline')).json()).data[0]).toMatchObject({
      score: 0.97,
    });
    expect((await (await request('/api/v1/rollouts/maestro-api-1/decisions')).json()).data).toEqual([]);
    expect((await (await request('/api/v1/rollouts/maestro-api-1/webhooks')).json()).data).toEqual([]);
  });

  it('answers unknown rollouts and routes with stable JSON error codes', async () => {
    const { request } = setup();
    const missing = await request('/api/v1/rollouts/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'E_ROLLOUT_NOT_FOUND', message: 'no rollout with id "nope"' },
    });
    const route = await request('/api/v2/whatever');
    expect(route.status).toBe(404);
    expect((await route.json()).error.code).toBe('E_NOT_FOUND');
  });

  it('hides internal errors behind E_INTERNAL', async () => {
    const { view, request } = setup();
    view.get = () => {
      throw new Error('/var/lib/secret/state.db is locked');
    };
    const res = await request('/api/v1/rollouts/maestro-api-1');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe('E_INTERNAL');
    expect(text).not.toContain('secret');
  });
});

describe('analysis endpoint for the Argo web provider', () => {
  it('answers by service name with the latest rollout: score, verdict and reasons under data', async () => {
    const { request } = setup();
    const body = await (await request('/api/v1/analysis/maestro-api')).json();
    expect(body.data).toMatchObject({ rollout: 'maestro-api-2', verdict: 'inconclusive', score: 1, minScore: 0.95 });
    expect(body.data.reasons).toEqual(regressionReasons);
  });

  it('answers by rollout id and with a namespace', async () => {
    const { request } = setup();
    const byId = await (await request('/api/v1/analysis/maestro-api-1')).json();
    expect(byId.data).toMatchObject({ rollout: 'maestro-api-1', score: 0.97, verdict: 'pass' });
    const namespaced = await (await request('/api/v1/analysis/prod/maestro-api-1')).json();
    expect(namespaced.data.rollout).toBe('maestro-api-1');
    const missing = await request('/api/v1/analysis/prod/other-api');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('E_ROLLOUT_NOT_FOUND');
  });
});

describe('manual actions', () => {
  it('are disabled with 403 when no token is configured', async () => {
    const { view, request } = setup();
    const res = await request('/api/v1/rollouts/maestro-api-1/promote', {
      method: 'POST',
      headers: { authorization: 'Bearer x' },
    });
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error.code).toBe('E_ACTIONS_DISABLED');
    expect(body.error.message).toMatch(/without an API token/);
    expect(view.actions).toEqual([]);
  });

  it('answer 401 without or with a wrong bearer token', async () => {
    const { view, request } = setup('s3cret-token');
    for (const authorization of [undefined, 'Bearer wrong', 'Basic s3cret-token', 'Bearer s3cret-token-and-more']) {
      const res = await request('/api/v1/rollouts/maestro-api-1/abort', {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await res.json()).error.code).toBe('E_UNAUTHORIZED');
    }
    expect(view.actions).toEqual([]);
  });

  it('act with the right token and record the actor', async () => {
    const { view, request } = setup('s3cret-token');
    const res = await request('/api/v1/rollouts/maestro-api-1/pause', {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret-token', 'content-type': 'application/json' },
      body: JSON.stringify({ actor: 'alice' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).data.phase).toBe('holding');
    expect(view.actions).toEqual([{ id: 'maestro-api-1', action: 'pause', actor: 'user:alice' }]);
  });

  it('reject unknown actions, bad actors and actions the controller refuses', async () => {
    const { request } = setup('t');
    const post = (path: string, body?: unknown) =>
      request(path, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await (await post('/api/v1/rollouts/maestro-api-1/explode')).json()).error.code).toBe('E_BAD_REQUEST');
    expect((await post('/api/v1/rollouts/maestro-api-1/promote', { actor: '<script>' })).status).toBe(400);
    expect((await (await post('/api/v1/rollouts/nope/promote')).json()).error.code).toBe('E_ROLLOUT_NOT_FOUND');
    const finished = await post('/api/v1/rollouts/maestro-api-2/promote');
    expect(finished.status).toBe(409);
    expect((await finished.json()).error.code).toBe('E_ROLLOUT_FINISHED');
  });

  it('keep the status a controller error names (e.g. a rollout that vanished before the action)', async () => {
    const { view, request } = setup('t');
    view.act = () => Promise.reject(Object.assign(new AppError('E_ROLLOUT_NOT_FOUND', 'gone'), { status: 404 }));
    const res = await request('/api/v1/rollouts/maestro-api-1/abort', {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'E_ROLLOUT_NOT_FOUND', message: 'gone' } });
  });
});

describe('dashboard and browser security', () => {
  it('serves the dashboard with a restrictive CSP and local chart assets', async () => {
    const { request } = setup();
    const page = await request('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('Canary Release Overview');
    const uplot = await request('/assets/vendor/uPlot.esm.js');
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toContain('javascript');
    expect((await request('/assets/vendor/package.json')).status).toBe(404);
    expect((await request('/assets/..%2f..%2fapp.ts')).status).toBe(404);
  });

  it('refuses requests addressed to other hosts (DNS rebinding)', async () => {
    const { request } = setup();
    const res = await request('/api/v1/rollouts', { headers: { host: 'attacker.example:8080' } });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('E_HOST_NOT_ALLOWED');
    expect((await request('/healthz', { headers: { host: 'localhost:8080' } })).status).toBe(200);
  });
});
