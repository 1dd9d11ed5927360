import { afterEach, describe, expect, it } from 'vitest';
import { sdkHarness, subscriptionSpec, type SdkHarness } from '../../../test/support/otel-sdk.js';
import { decodeMetricsRequest, OtlpDecodeError } from './decode-request.js';
import { OtlpReceiver } from './receiver.js';

const spec = subscriptionSpec;

const harnesses: SdkHarness[] = [];
function service(version: string, o: { temporality?: 'delta' | 'cumulative'; exponential?: boolean } = {}) {
  const h = sdkHarness({ resource: { 'service.name': 'maestro-api', 'service.version': version }, ...o });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.shutdown()));
});

function record(h: SdkHarness, n: number, seconds: number, code = 200, extra: Record<string, string> = {}): void {
  for (let i = 0; i < n; i++) h.histogram.record(seconds, { 'http.response.status_code': code, ...extra });
}

describe.each([
  ['protobuf', 'cumulative', false],
  ['json', 'cumulative', true],
  ['protobuf', 'delta', true],
  ['json', 'delta', false],
] as const)('OTLP %s, %s, exponential=%s, from the real SDK serializer', (encoding, temporality, exponential) => {
  it('splits requests, errors and latency by service.version, interval by interval', async () => {
    const receiver = new OtlpReceiver();
    const sub = receiver.subscribe(spec());
    const stable = service('1.4.0', { temporality, exponential });
    const canary = service('1.5.0', { temporality, exponential });
    record(stable, 90, 0.003);
    record(stable, 10, 0.04);
    record(canary, 8, 0.02, 503);
    record(canary, 2, 0.3);
    for (const h of [stable, canary]) receiver.ingest(decodeMetricsRequest((await h.collect())[encoding], encoding));
    const first = sub.take();
    expect(first.baseline).toMatchObject({ requests: 100, errors: 0 });
    expect(first.canary).toMatchObject({ requests: 10, errors: 8 });
    expect(first.baseline?.latency?.reduce((a, b) => a + b, 0)).toBe(100);
    if (!exponential) {
      expect(first.baseline?.latency).toEqual([90, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0]);
      expect(first.canary?.latency).toEqual([0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0]);
    } else {
      // Exponential buckets straddle the bounds: each value lands at or above its own bucket, never below.
      expect(first.baseline?.latency?.slice(0, 1)).toEqual([90]);
      expect(first.canary?.latency?.slice(6).reduce((a, b) => a + b, 0)).toBe(2);
    }
    // The next export holds only what happened since (cumulative points are differenced).
    record(canary, 5, 0.02);
    for (const h of [stable, canary]) receiver.ingest(decodeMetricsRequest((await h.collect())[encoding], encoding));
    const second = sub.take();
    expect(second.canary).toMatchObject({ requests: 5, errors: 0 });
    expect(second.baseline?.requests ?? 0).toBe(0);
    expect(sub.take()).toEqual({ baseline: null, canary: null });
  });
});

describe('OtlpReceiver', () => {
  it('counts error.type as an error, reads the variant from a data-point attribute, and honours match', async () => {
    const receiver = new OtlpReceiver();
    const sub = receiver.subscribe(
      spec({ attribute: 'feature_flag.result.variant', baseline: 'off', canary: 'on', match: {} }),
    );
    const h = service('2.0.0');
    record(h, 3, 0.01, 200, { 'feature_flag.result.variant': 'off' });
    record(h, 2, 0.01, 200, { 'feature_flag.result.variant': 'on', 'error.type': 'java.net.SocketTimeoutException' });
    record(h, 4, 0.01, 404, { 'feature_flag.result.variant': 'on' });
    receiver.ingest(decodeMetricsRequest((await h.collect()).protobuf, 'protobuf'));
    expect(sub.take()).toMatchObject({ baseline: { requests: 3, errors: 0 }, canary: { requests: 6, errors: 2 } });

    const other = receiver.subscribe(spec({ match: { 'service.name': 'someone-else' } }));
    record(service('1.4.0'), 1, 0.01);
    for (const x of harnesses) receiver.ingest(decodeMetricsRequest((await x.collect()).json, 'json'));
    expect(other.take()).toEqual({ baseline: null, canary: null });
  });

  it('reads custom metrics from named OTLP gauges and counters, and follows a new variant pair', async () => {
    const receiver = new OtlpReceiver();
    const sub = receiver.subscribe(spec({ custom: { 'queue-depth': 'app.queue.depth', retries: 'app.retries' } }));
    const stable = service('1.4.0');
    const canary = service('1.5.0');
    stable.gauge('app.queue.depth').record(4);
    canary.gauge('app.queue.depth').record(12);
    canary.counter('app.retries').add(3);
    for (const h of [stable, canary]) receiver.ingest(decodeMetricsRequest((await h.collect()).protobuf, 'protobuf'));
    const got = sub.take();
    expect(got.baseline?.custom).toEqual({ 'queue-depth': 4, retries: null });
    expect(got.canary?.custom).toEqual({ 'queue-depth': 12, retries: 3 });

    sub.setVariant('1.5.0', '1.6.0');
    record(canary, 2, 0.01);
    receiver.ingest(decodeMetricsRequest((await canary.collect()).protobuf, 'protobuf'));
    expect(sub.take().baseline).toMatchObject({ requests: 2 });
  });

  it('selects the baseline instances as control by their own value, apart from stable; follows a new one', async () => {
    const receiver = new OtlpReceiver();
    const sub = receiver.subscribe(
      spec({ attribute: 'service.instance.id', baseline: 'stable-1', canary: 'canary-1', control: 'baseline-1' }),
    );
    // Stable and its baseline run the same version: only service.instance.id tells them apart.
    const instance = (id: string, version: string) => {
      const h = sdkHarness({
        resource: { 'service.name': 'maestro-api', 'service.version': version, 'service.instance.id': id },
      });
      harnesses.push(h);
      return h;
    };
    const stable = instance('stable-1', '1.4.0');
    const canary = instance('canary-1', '1.5.0');
    const baseline = instance('baseline-1', '1.4.0');
    record(stable, 50, 0.003);
    record(canary, 10, 0.2);
    record(baseline, 9, 0.2, 500);
    const ingestAll = async () => {
      for (const h of [stable, canary, baseline])
        receiver.ingest(decodeMetricsRequest((await h.collect()).protobuf, 'protobuf'));
    };
    await ingestAll();
    const first = sub.take();
    expect(first.baseline).toMatchObject({ requests: 50, errors: 0 });
    expect(first.canary).toMatchObject({ requests: 10, errors: 0 });
    expect(first.control).toMatchObject({ requests: 9, errors: 9, latency: [0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0] });
    // A new baseline (the next step's Experiment): the old one's points are no longer read as control.
    sub.setControl('baseline-2');
    record(baseline, 4, 0.01);
    await ingestAll();
    expect(sub.take()).toMatchObject({ baseline: { requests: 0 }, canary: { requests: 0 }, control: null });
    // No baseline selected: the key is left out, as the router and Prometheus leave it out.
    sub.setControl(undefined);
    expect(sub.take()).toEqual({ baseline: null, canary: null });
  });

  it('counts a restarted SDK (new start time) in full, even where its new count is above the old one', async () => {
    const receiver = new OtlpReceiver();
    const sub = receiver.subscribe(spec());
    const before = service('1.5.0');
    record(before, 30, 0.01);
    receiver.ingest(decodeMetricsRequest((await before.collect()).protobuf, 'protobuf'));
    expect(sub.take().canary).toMatchObject({ requests: 30 });
    await before.shutdown();
    await new Promise((r) => setTimeout(r, 5)); // the new process starts later: a new startTimeUnixNano
    const after = service('1.5.0'); // same resource and attributes: the same series, restarted
    record(after, 36, 0.01); // differenced against the old 30 this would count 6
    record(after, 4, 0.01, 500);
    receiver.ingest(decodeMetricsRequest((await after.collect()).json, 'json'));
    expect(sub.take().canary).toMatchObject({ requests: 40, errors: 4 });
  });

  it('rejects unreadable points as a partial success and past its series limit', () => {
    const receiver = new OtlpReceiver({ maxSeries: 1 });
    const body = (attrs: object[], temporality = 2) =>
      Buffer.from(
        JSON.stringify({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'x' } }] },
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'http.server.request.duration',
                      unit: 's',
                      histogram: {
                        aggregationTemporality: temporality,
                        dataPoints: attrs.map((a) => ({
                          attributes: a,
                          startTimeUnixNano: '1',
                          timeUnixNano: String(Date.now() * 1e6),
                          count: '2',
                          explicitBounds: [0.1],
                          bucketCounts: ['1', '1'],
                        })),
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
    const two = [[], [{ key: 'k', value: { intValue: '1' } }]];
    expect(receiver.ingest(decodeMetricsRequest(body(two), 'json'))).toMatchObject({ rejected: 1 });
    expect(receiver.ingest(decodeMetricsRequest(body(two, 0), 'json'))).toMatchObject({
      rejected: 2,
      message: expect.stringMatching(/aggregationTemporality/),
    });
    expect(() => decodeMetricsRequest(Buffer.from('{nope'), 'json')).toThrow(OtlpDecodeError);
    expect(() => decodeMetricsRequest(Buffer.from([0xff, 0xff, 0xff]), 'protobuf')).toThrow(OtlpDecodeError);
  });
});
