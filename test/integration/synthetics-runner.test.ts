import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSuite } from '../../src/synthetics/prepare-suite.js';
import { renderReport } from '../../src/synthetics/reporters/index.js';
import { runFlow, runSuite } from '../../src/synthetics/run-flow.js';
import { listen, oneStep, suiteOf } from './synthetics-helpers.js';

let target: { url: string; close: () => Promise<void> };
let flaky = 0;

const routes: Record<string, http.RequestListener> = {
  '/login': (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { password } = JSON.parse(body) as { password: string };
      if (password !== 'hunter2-secret') return void res.writeHead(401).end('{}');
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-7' })
        .end(JSON.stringify({ token: 'tok-abcdef', id: 42 }));
    });
  },
  '/orders/42': (req, res) => {
    const ok = req.headers.authorization === 'Bearer tok-abcdef';
    res
      .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: 42, items: ['book', 'pen'], total: 12.5 }));
  },
  '/html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'),
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = (): void => {
      while (sent < 50 && res.write(chunk)) sent++;
      if (sent >= 50) res.end();
      else res.once('drain', pump);
    };
    pump();
  },
  '/r1': (_req, res) => res.writeHead(302, { location: '/r2' }).end(),
  '/r2': (_req, res) => res.writeHead(301, { location: '/html' }).end(),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
  '/slow': (_req, res) => void setTimeout(() => res.writeHead(200).end('late'), 1500),
  '/lagging': (_req, res) => void setTimeout(() => res.writeHead(200).end('ok'), 120),
  '/flaky': (_req, res) => res.writeHead(flaky++ % 2 === 0 ? 503 : 200).end(),
};

beforeAll(async () => {
  target = await listen((req, res) => {
    const handler = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
});
afterAll(() => target.close());

const run = async (spec: Record<string, unknown>, baseUrl = target.url, env: Record<string, string> = {}) =>
  runFlow(prepareSuite(suiteOf(spec), { baseUrl, env }), 'f');

describe('synthetics runner against loopback HTTP', () => {
  it(
    'chains login → extraction → authorised read, with ${vars} in ' + 'assertions and secrets redacted everywhere',
    async () => {
      const spec = {
        interval: '10s',
        timeout: '2s',
        variables: { password: '${env:PROBE_PASSWORD}', wanted: 'book' },
        flows: [
          {
            name: 'f',
            steps: [
              {
                name: 'login',
                request: { method: 'POST', path: '/login', json: { user: 'bot', password: '${password}' } },
                extract: {
                  token: { jsonpath: '$.token', secret: true },
                  id: { jsonpath: '$.id' },
                  reqId: { header: 'x-request-id' },
                },
                assert: [{ status: 200 }, { jsonpath: { path: '$.token', equals: '${token}' } }],
              },
              {
                name: 'read',
                request: {
                  path: '/orders/${id}',
                  headers: { authorization: 'Bearer ${token}' },
                  query: { pw: '${password}' },
                },
                assert: [
                  { status: [200, 201] },
                  { jsonpath: { path: '$.id', equals: '${id}' } },
                  { jsonpath: { path: '$.items', contains: '${wanted}' } },
                  { jsonpath: { path: '$.total', gt: 10, lt: 20 } },
                  { header: { name: 'Content-Type', matches: 'json' } },
                  { body: { contains: 'pen' } },
                ],
              },
            ],
          },
        ],
      };
      const prepared = prepareSuite(suiteOf(spec), { baseUrl: target.url, env: { PROBE_PASSWORD: 'hunter2-secret' } });
      const suite = await runSuite(prepared);
      const flow = suite.flows[0]!;
      expect(flow.status).toBe('passed');
      expect(flow.steps.map((s) => s.httpStatus)).toEqual([200, 200]);
      const t = flow.steps[0]!.timings;
      expect(t.processing).toBeGreaterThan(0);
      expect(t.tls).toBe(0);
      for (const name of ['list', 'json', 'junit'] as const) {
        const text = renderReport(name, suite);
        expect(text).not.toContain('hunter2-secret');
        expect(text).not.toContain('tok-abcdef');
      }
      expect(renderReport('json', suite)).toContain('pw=***');
    },
  );

  it('reports a failed assertion with expected and actual', async () => {
    const r = await run(oneStep({ path: '/orders/42' }, [{ status: 200 }]));
    expect(r.status).toBe('failed');
    expect(r.steps[0]!.assertions[0]).toMatchObject({ passed: false, expected: '200', actual: '401' });
  });

  it('connection refused is a failed step, not a crash', async () => {
    const closed = await listen(() => undefined);
    await closed.close();
    const r = await run(oneStep({ path: '/' }), closed.url);
    expect(r.success).toBe(false);
    expect(r.steps[0]!.error).toMatchObject({ kind: 'connection_refused' });
    expect(r.steps[0]!.httpStatus).toBe(0);
  });

  it('DNS failure is a failed step naming the host', async () => {
    const r = await run(oneStep({ path: '/' }), 'http://no-such-host.invalid:8080');
    expect(r.steps[0]!.error?.kind).toBe('dns');
    expect(r.steps[0]!.error?.message).toContain('no-such-host.invalid');
  });

  it('a slow target times out at the flow timeout', async () => {
    // /slow answers 200 after 1.5 s: a 'timeout' failure (not a pass) can only come from the 300 ms flow timeout.
    const r = await run(oneStep({ path: '/slow' }, [{ status: 200 }], { timeout: '300ms' }));
    expect(r.success).toBe(false);
    expect(r.steps[0]!.error?.kind).toBe('timeout');
  });

  it('JSONPath on a non-JSON body fails the assertion and says why', async () => {
    const r = await run(oneStep({ path: '/html' }, [{ status: 200 }, { jsonpath: { path: '$.x', exists: true } }]));
    expect(r.status).toBe('failed');
    expect(r.steps[0]!.assertions[1]!.actual).toMatch(/^body is not JSON \(text\/html\)/);
  });

  it('stops reading a huge body at maxBodyBytes', async () => {
    const r = await run(oneStep({ path: '/huge' }, [{ status: 200 }], { maxBodyBytes: 100_000 }));
    expect(r.status).toBe('failed');
    expect(r.steps[0]!.error?.kind).toBe('body_too_large');
    expect(r.steps[0]!.bodyBytes).toBe(100_000);
    expect(r.steps[0]!.bodyTruncated).toBe(true);
  });

  it('follows redirects (counted, phases summed), stops loops, and can leave them alone', async () => {
    const followed = await run(oneStep({ path: '/r1' }, [{ status: 200 }, { body: { contains: 'hello' } }]));
    expect(followed.status).toBe('passed');
    expect(followed.steps[0]!.redirects).toBe(2);
    const loop = await run(oneStep({ path: '/loop', maxRedirects: 3 }));
    expect(loop.steps[0]!.error).toMatchObject({ kind: 'too_many_redirects' });
    const manual = await run(
      oneStep({ path: '/r1', followRedirects: false }, [
        { status: 302 },
        { header: { name: 'location', equals: '/r2' } },
      ]),
    );
    expect(manual.status).toBe('passed');
  });

  it('counts retries apart and keeps the first attempt visible', async () => {
    flaky = 0;
    const r = await run(oneStep({ path: '/flaky' }, [{ status: 200 }], { retries: 2 }));
    expect(r.status).toBe('passed');
    expect(r.retries).toBe(1);
    expect(r.firstAttemptStatus).toBe('failed');
    expect(r.attempts.map((a) => a.status)).toEqual(['failed', 'passed']);
  });

  it('marks a slow-but-acceptable step degraded, which still counts as success', async () => {
    const r = await run(
      oneStep({ path: '/lagging' }, [{ status: 200 }, { latencyMs: { max: 1000, degradedAbove: 50 } }]),
    );
    expect(r.status).toBe('degraded');
    expect(r.success).toBe(true);
  });
});
