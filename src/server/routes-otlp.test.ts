import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeControllerView } from '../../test/e2e/support/fake-controller-view.js';
import { sdkHarness, subscriptionSpec, type SdkHarness } from '../../test/support/otel-sdk.js';
import { otlpTypes } from '../sources/otlp/proto-root.js';
import { OtlpReceiver } from '../sources/otlp/receiver.js';
import { createApp } from './app.js';
import { otlpRoutes } from './routes-otlp.js';
import { silentLogger } from './logger.js';

const harnesses: SdkHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.shutdown()));
});

async function payload(): Promise<{ protobuf: Uint8Array; json: Uint8Array }> {
  const h = sdkHarness({ resource: { 'service.name': 'maestro-api', 'service.version': '1.5.0' } });
  harnesses.push(h);
  h.histogram.record(0.02, { 'http.response.status_code': 200 });
  return h.collect();
}

function setup(options: { loopbackOnly?: boolean; token?: string } = {}) {
  const receiver = new OtlpReceiver();
  const sub = receiver.subscribe(subscriptionSpec({ match: {}, latencyBoundsMs: [5, 10, 25] }));
  const { app } = createApp({
    view: new FakeControllerView(),
    registry: new Registry(),
    token: options.token,
    logger: silentLogger,
    loopbackOnly: options.loopbackOnly ?? true,
    heartbeatMs: 1000,
    otlp: receiver,
  });
  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    Promise.resolve(
      app.request('http://127.0.0.1:8080/v1/metrics', {
        method: 'POST',
        body: typeof body === 'string' ? body : Buffer.from(body),
        headers: { host: '127.0.0.1:8080', ...headers },
      }),
    );
  return { post, sub };
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

describe('POST /v1/metrics', () => {
  it('accepts protobuf and answers an empty ExportMetricsServiceResponse in protobuf', async () => {
    const { post, sub } = setup();
    const res = await post((await payload()).protobuf, PROTO);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const t = otlpTypes().response;
    expect(t.toObject(t.decode(new Uint8Array(await res.arrayBuffer())))).toEqual({});
    expect(sub.take().canary).toMatchObject({ requests: 1, latency: [0, 0, 1, 0] });
  });

  it('accepts gzip-compressed JSON and answers JSON', async () => {
    const { post, sub } = setup();
    const res = await post(gzipSync((await payload()).json), { ...JSON_CT, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(sub.take().canary).toMatchObject({ requests: 1 });
  });

  it('answers a partial success for points it cannot read', async () => {
    const { post } = setup();
    const body = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            { metrics: [{ name: 'http.server.request.duration', histogram: { dataPoints: [{ count: 1 }] } }] },
          ],
        },
      ],
    });
    const res = await post(body, JSON_CT);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringMatching(/aggregationTemporality/) },
    });
  });

  it(
    'answers a google.rpc.Status in the request encoding for a body it ' + 'cannot decode (400, not retryable)',
    async () => {
      const { post } = setup();
      const res = await post(new Uint8Array([0xff, 0xff, 0xff, 0xff]), PROTO);
      expect(res.status).toBe(400);
      const t = otlpTypes().status;
      expect(t.toObject(t.decode(new Uint8Array(await res.arrayBuffer())))).toMatchObject({ code: 3 });
      expect((await post('not json', JSON_CT)).status).toBe(400);
      expect((await post('x', { 'content-type': 'text/plain' })).status).toBe(415);
    },
  );

  it('caps the decompressed body (413), so a small gzip bomb cannot fill memory', async () => {
    const { post } = setup();
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await post(bomb, { ...JSON_CT, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 8 });
  });

  it('caps the compressed body too (413 in the request encoding), before decompressing anything', async () => {
    const app = otlpRoutes({ receiver: new OtlpReceiver(), requireToken: false, maxBodyBytes: 1_000 });
    const body = gzipSync(randomBytes(4_000)); // incompressible: over the cap as sent
    const res = await app.request('/v1/metrics', {
      method: 'POST',
      body,
      headers: { ...PROTO, 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const t = otlpTypes().status;
    expect(t.toObject(t.decode(new Uint8Array(await res.arrayBuffer())))).toMatchObject({ code: 8 });
  });

  it('sheds load with a retryable 503 and Retry-After while too many exports are being read', async () => {
    const receiver = new OtlpReceiver();
    const app = otlpRoutes({ receiver, requireToken: false, maxInFlight: 1 });
    // The first export's body is still arriving: it holds the only slot.
    let finish!: () => void;
    const slow = new ReadableStream<Uint8Array>({
      start: (c) => {
        c.enqueue(new TextEncoder().encode('{"resourceMetrics":'));
        finish = () => (c.enqueue(new TextEncoder().encode('[]}')), c.close());
      },
    });
    const first = Promise.resolve(
      app.request('/v1/metrics', { method: 'POST', body: slow, headers: JSON_CT, duplex: 'half' }),
    );
    await new Promise((r) => setTimeout(r, 20));
    for (const [headers, decode] of [
      [PROTO, (b: ArrayBuffer) => otlpTypes().status.toObject(otlpTypes().status.decode(new Uint8Array(b)))],
      [JSON_CT, (b: ArrayBuffer) => JSON.parse(Buffer.from(b).toString('utf8')) as object],
    ] as const) {
      const busy = await app.request('/v1/metrics', { method: 'POST', body: '{}', headers });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.headers.get('content-type')).toMatch(headers['content-type']);
      expect(decode(await busy.arrayBuffer())).toMatchObject({ code: 14 });
    }
    finish();
    expect((await first).status).toBe(200);
    // The slot is free again.
    expect((await app.request('/v1/metrics', { method: 'POST', body: '{}', headers: JSON_CT })).status).toBe(200);
  });

  it('requires the bearer token when the listener is not loopback', async () => {
    const open = setup({ loopbackOnly: false });
    const guarded = setup({ loopbackOnly: false, token: 's3cret' });
    // Made after the receivers started: a series older than the receiver is only the base of the next window.
    const body = (await payload()).protobuf;
    expect((await open.post(body, { ...PROTO, host: '10.0.0.1:8080' })).status).toBe(403);
    const denied = await guarded.post(body, { ...PROTO, host: '10.0.0.1:8080', authorization: 'Bearer wrong' });
    expect(denied.status).toBe(401);
    // Not retryable, and in the request's encoding: a google.rpc.Status in protobuf.
    expect(denied.headers.get('content-type')).toBe('application/x-protobuf');
    const t = otlpTypes().status;
    expect(t.toObject(t.decode(new Uint8Array(await denied.arrayBuffer())))).toMatchObject({ code: 16 });
    const ok = await guarded.post(body, { ...PROTO, host: '10.0.0.1:8080', authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect(guarded.sub.take().canary).toMatchObject({ requests: 1 });
  });
});
