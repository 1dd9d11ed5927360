import { spawn, type ChildProcess } from 'node:child_process';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startMaestroOtel } from '../../src/demo/maestro-api-otel.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { OtlpReceiver, type OtlpSubscription } from '../../src/sources/otlp/receiver.js';
import { ADAPTIVE_CANARY_BIN } from '../support/built-cli.js';
import { subscriptionSpec } from '../support/otel-sdk.js';
import { untilValue } from '../support/poll.js';
import { FakeControllerView } from './support/fake-controller-view.js';

// The controller listening off loopback (0.0.0.0) requires the bearer token on /v1/metrics, and the real
// OpenTelemetry JS exporter sends it: from its `headers` option (how the sample service passes a token), and from
// OTEL_EXPORTER_OTLP_METRICS_HEADERS, the standard variable docs/otlp.md tells any SDK to use.
const TOKEN = 's3cret-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function controller(): Promise<{ server: RunningServer; receiver: OtlpReceiver; sub: OtlpSubscription }> {
  const receiver = new OtlpReceiver();
  const sub = receiver.subscribe(subscriptionSpec());
  const server = await startServer({
    listen: '0.0.0.0:0',
    view: new FakeControllerView(),
    registry: new Registry(),
    token: TOKEN,
    otlp: receiver,
  });
  cleanups.push(() => server.close());
  return { server, receiver, sub };
}

describe('OTLP on a non-loopback listener: the bearer token from the SDK exporter', () => {
  it('accepts the exporter that sends the token in its headers and refuses the one with a wrong token', async () => {
    const { server, receiver, sub } = await controller();
    const url = `http://127.0.0.1:${server.port}/v1/metrics`;
    for (const token of ['wrong', TOKEN]) {
      const otel = await startMaestroOtel(token === TOKEN ? '1.5.0' : '1.4.0', { url, token, intervalMs: 60_000 });
      cleanups.push(() => otel.shutdown());
      for (let i = 0; i < 5; i++) otel.observe('GET', '/version', 200, 0.002);
      await otel.flush().catch(() => undefined); // the refused export fails (401 is not retried)
    }
    expect(receiver.stats.requests).toBe(1); // only the export with the right token was read
    const got = sub.take();
    expect(got.canary).toMatchObject({ requests: 5, errors: 0 });
    expect(got.baseline).toBeNull();
  });

  it('accepts the token from OTEL_EXPORTER_OTLP_METRICS_HEADERS (sample-service as a child process)', async () => {
    const { server, sub } = await controller();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        ...[ADAPTIVE_CANARY_BIN, 'sample-service', '--service-version', '1.5.0', '--listen', '127.0.0.1:0'],
        ...['--otlp', `http://127.0.0.1:${server.port}/v1/metrics`, '--otlp-interval', '100ms'],
      ],
      { env: { ...process.env, OTEL_EXPORTER_OTLP_METRICS_HEADERS: `Authorization=Bearer%20${TOKEN}` } },
    );
    cleanups.push(() => void child.kill('SIGTERM'));
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const serviceUrl = await untilValue('sample-service listening', () => /listening on (\S+)/.exec(out)?.[1], {
      timeoutMs: 20_000,
    });
    let total = 0;
    await untilValue(
      'requests seen over OTLP',
      async () => {
        await fetch(`${serviceUrl.replace(/\/$/, '')}/version`).then((r) => r.arrayBuffer());
        total += sub.take().canary?.requests ?? 0;
        return total > 0 ? total : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(total).toBeGreaterThan(0);
  });
});
