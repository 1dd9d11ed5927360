import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate, grafanaTarget } from '../../src/observability/grafana-annotations.js';
import { policySpec } from '../../src/schema/policy.js';

// Not a real Grafana: an in-test HTTP server with Grafana's `POST /api/annotations` request and response shapes
// (docs/sources/developers/http_api/annotations.md): bearer-token auth, JSON body with `text` required and
// epoch-millisecond `time`, answering {"message":"Annotation added","id":N}; 401 {"message":"Unauthorized"}.
const TOKEN = 'glsa_test_token_1234567890';
const stored: { auth: string | undefined; body: Record<string, unknown> }[] = [];
let server: Server;
let url = '';

function handler(req: IncomingMessage, res: ServerResponse) {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', () => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/slow/api/annotations') return void setTimeout(() => reply(200, { id: 1 }), 3000);
    if (req.url === '/broken/api/annotations') return reply(500, { message: 'Failed to save annotation' });
    if (req.method !== 'POST' || req.url !== '/api/annotations') return reply(404, { message: 'Not found' });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { message: 'Unauthorized' });
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.text !== 'string' || (body.time !== undefined && !Number.isInteger(body.time)))
      return reply(400, { message: 'bad request data' });
    stored.push({ auth: req.headers.authorization, body });
    reply(200, { message: 'Annotation added', id: stored.length });
  });
}

beforeAll(async () => {
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const base = {
  service: 'maestro-api',
  rollout: 'maestro-api-20250603-1',
  reasons: ['error-rate: canary 3.1x baseline', 'synthetic score 0.90 < 0.95 twice'],
};

describe('Grafana annotations', () => {
  it('posts the decision with dashboard UID, tags, reasons and epoch ms, and returns the id', async () => {
    const spec = policySpec.parse({ service: 'maestro-api', grafana: { url, tokenEnv: 'TEST_GRAFANA_TOKEN' } });
    const grafana = grafanaTarget(spec, { TEST_GRAFANA_TOKEN: TOKEN });
    expect(grafana).toEqual({ url, token: TOKEN, dashboardUID: 'maestro-api-canary' });
    const res = await annotate({
      grafana: grafana!,
      ...base,
      event: 'rollback',
      summary: 'step 2, weight 25%, score 0.41',
      time: 1_748_980_000_123,
    });
    expect(res).toEqual({ ok: true, id: 1 });
    expect(stored[0]!.body).toEqual({
      dashboardUID: 'maestro-api-canary',
      time: 1_748_980_000_123,
      tags: ['adaptive-canary', 'maestro-api', 'rollback', 'rollout:maestro-api-20250603-1'],
      text:
        'maestro-api maestro-api-20250603-1: rollback (step 2, weight 25%, ' +
        'score 0.41)\n- error-rate: canary 3.1x baseline\n- synthetic score ' +
        '0.90 < 0.95 twice',
    });
  });

  it('makes a region with timeEnd (a whole bake)', async () => {
    const res = await annotate({
      grafana: { url, token: TOKEN, dashboardUID: 'd' },
      ...base,
      event: 'step',
      time: 1000,
      timeEnd: 61_000,
    });
    expect(res.ok).toBe(true);
    expect(stored.at(-1)!.body).toMatchObject({ time: 1000, timeEnd: 61_000 });
  });

  it('is off without a URL or token', () => {
    expect(grafanaTarget(policySpec.parse({ service: 's' }), { GRAFANA_TOKEN: 'x' })).toBeUndefined();
    expect(grafanaTarget(policySpec.parse({ service: 's', grafana: { url } }), {})).toBeUndefined();
  });

  it('returns failures as values, without the token: 401, 500, timeout, connection refused', async () => {
    const wrong = await annotate({
      grafana: { url, token: 'wrong-token', dashboardUID: 'd' },
      ...base,
      event: 'promote',
      time: 1,
    });
    expect(wrong).toMatchObject({ ok: false, status: 401 });
    const broken = await annotate({
      grafana: { url: `${url}/broken`, token: TOKEN, dashboardUID: 'd' },
      ...base,
      event: 'promote',
      time: 1,
    });
    expect(broken).toMatchObject({ ok: false, status: 500 });
    const slow = await annotate({
      grafana: { url: `${url}/slow`, token: TOKEN, dashboardUID: 'd' },
      ...base,
      event: 'promote',
      time: 1,
      timeoutMs: 300,
    });
    expect(slow).toMatchObject({ ok: false });
    expect(!slow.ok && slow.error).toContain('timed out');
    const refused = await annotate({
      grafana: { url: 'http://127.0.0.1:1', token: TOKEN, dashboardUID: 'd' },
      ...base,
      event: 'promote',
      time: 1,
    });
    expect(refused).toMatchObject({ ok: false });
    for (const r of [wrong, broken, slow, refused]) expect(JSON.stringify(r)).not.toContain(TOKEN);
  });
});
