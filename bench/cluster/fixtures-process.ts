/**
 * Child process of bench/cluster.bench.ts, so its CPU is not counted as the controller's: the in-test
 * Kubernetes API server with N Rollouts mid-canary, and one /metrics target exposing the sample service's
 * series for every rollout's stable and canary pods (what Prometheus would scrape from 2N pods).
 * Prints {"api": url, "metrics": url} on stdout; exits when stdin closes.
 */
import { createServer } from 'node:http';
import { KubeApiServer } from '../../test/support/kube-apiserver.js';
import { makeRollout } from '../../test/support/rollout-fixture.js';
import { hashes } from './hashes.js';

const N = Number(process.argv[2] ?? 10);
/** With a Prometheus URL, every Rollout carries a policy annotation so `serve` picks it up. */
const PROM_URL = process.argv[3];
const INTERVAL = process.argv[4] ?? '10s';
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
const started = Date.now();

const api = await KubeApiServer.start();
for (let i = 0; i < N; i++) {
  const h = hashes(i);
  const policy = {
    service: `svc-${i}`,
    interval: INTERVAL,
    steps: [
      { weight: 10, bake: '1h' },
      { weight: 50, bake: '1h' },
    ],
    prometheus: { url: PROM_URL, selectors: { rollout: `svc-${i}` } },
  };
  const annotations: Record<string, string> = PROM_URL ? { 'adaptive-canary.dev/policy': JSON.stringify(policy) } : {};
  const ro = makeRollout({
    name: `svc-${i}`,
    namespace: `team-${i % 20}`,
    stableHash: h.stable,
    canaryHash: h.canary,
    weights: [10, 50],
    annotations,
  });
  ro.status = {
    ...ro.status,
    phase: 'Paused',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: new Date().toISOString() }],
    controllerPause: true,
    canary: {
      weights: { canary: { weight: 10, podTemplateHash: h.canary }, stable: { weight: 90, podTemplateHash: h.stable } },
    },
  };
  api.seedRollout(ro);
}

// Counters grow with time: 50 rps stable and 5 rps canary per rollout, 0.5% errors, fixed latency mix.
function metricsText(): string {
  const secs = (Date.now() - started) / 1000;
  const out: string[] = ['# TYPE http_requests_total counter'];
  const buckets: string[] = ['# TYPE http_request_duration_seconds histogram'];
  for (let i = 0; i < N; i++) {
    const h = hashes(i);
    for (const [hash, rps] of [
      [h.stable, 50],
      [h.canary, 5],
    ] as const) {
      const total = Math.floor(secs * rps);
      const errors = Math.floor(total * 0.005);
      const l = `rollout="svc-${i}",rollouts_pod_template_hash="${hash}"`;
      out.push(
        `http_requests_total{${l},code="200"} ${total - errors}`,
        `http_requests_total{${l},code="500"} ${errors}`,
      );
      LE.forEach((le, k) =>
        buckets.push(
          `http_request_duration_seconds_bucket{${l},le="${le}"} ${Math.floor(total * Math.min(1, (k + 1) / 8))}`,
        ),
      );
    }
  }
  return `${out.join('\n')}\n${buckets.join('\n')}\n`;
}

const target = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(metricsText());
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
const port = (target.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ api: api.url, metrics: `127.0.0.1:${port}` })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void api.close().then(() => process.exit(0));
});
