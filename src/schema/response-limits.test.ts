import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../observability/http.js';
import { PromHttp } from '../sources/prometheus/http-api.js';
import { instantQuery } from '../app/preflight/prometheus-query.js';
import { INPUT_LIMITS } from './input-limits.js';

// A real loopback server answering a well-formed Prometheus result padded by `reply.pad` bytes, either with a
// Content-Length or (`reply.chunked`) streamed in chunks without one: the limit must hold for both.
let server: http.Server;
let base = '';
const reply = { pad: 0, chunked: false };
const modes = [false, true];

function promBody(padBytes: number): string {
  const value = [1, '1'];
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { pad: 'x'.repeat(padBytes) }, value }] },
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = promBody(reply.pad);
    const chunked = reply.chunked;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': body.length }) });
      if (!chunked) return res.end(body);
      for (let i = 0; i < body.length; i += 1024 * 1024) res.write(body.slice(i, i + 1024 * 1024));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const OVER_PROM = INPUT_LIMITS.prometheusResponse + 1024;
const OVER_API = INPUT_LIMITS.apiResponse + 1024;

describe('HTTP response size limits', () => {
  it('the Prometheus source reads a response under the limit and treats one over it as no data', async () => {
    for (const chunked of modes) {
      Object.assign(reply, { chunked, pad: 10 });
      const ok = new PromHttp({ url: base, retries: 0 });
      expect(await ok.instant('up', 1)).toHaveLength(1);
      reply.pad = OVER_PROM;
      const big = new PromHttp({ url: base, retries: 2 });
      expect(await big.instant('up', 1)).toBeNull();
      expect(big.queries).toBe(1); // not retried: the same query would be as large again
      expect(big.failures).toBe(1);
    }
  });

  it("preflight's instant query refuses a Prometheus response over the limit, naming the limit", async () => {
    Object.assign(reply, { chunked: false, pad: 10 });
    expect(await instantQuery(fetch, base, 'up')).toBe(1);
    for (const chunked of modes) {
      Object.assign(reply, { chunked, pad: OVER_PROM });
      await expect(instantQuery(fetch, base, 'up')).rejects.toMatchObject({
        code: 'E_TOO_LARGE',
        message: expect.stringContaining('16 MiB limit') as string,
      });
    }
  });

  it('Alertmanager/Grafana/webhook calls fail (without throwing) on a response over the API limit', async () => {
    Object.assign(reply, { chunked: false, pad: 10 });
    const small = await requestJson<{ status: string }>({ url: base });
    expect(small).toMatchObject({ ok: true, body: { status: 'success' } });
    for (const chunked of modes) {
      Object.assign(reply, { chunked, pad: OVER_API });
      const big = await requestJson({ url: base });
      expect(big.ok).toBe(false);
      expect(!big.ok && big.error).toContain('4 MiB limit');
    }
    // A Prometheus query made through the same helper (the dashboard snapshot) gets the Prometheus limit.
    const prom = await requestJson({ url: base, maxBytes: INPUT_LIMITS.prometheusResponse });
    expect(prom.ok).toBe(true);
  });
});
