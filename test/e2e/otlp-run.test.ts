import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CANARY_BIN, runBuiltCliAsync } from '../support/built-cli.js';
import { freePort } from '../support/free-port.js';

// `run` of the built CLI judging from OTLP only: stable and canary are the sample service started by `run` as
// commands, each instrumented with the real OpenTelemetry JS SDK (sdk-metrics 2.x, OTLP proto and http
// exporters) and exporting to the controller's own listener. The router moves traffic; its counts are not read.
const policy = `apiVersion: adaptive-canary/v1
kind: CanaryPolicy
metadata: {name: maestro-api}
spec:
  service: maestro-api
  interval: 500ms
  steps: [{weight: 50, bake: 5s}]
  sequential: {minCanaryRequests: 60}
  inconclusive: {maxExtension: 5s, then: rollback}
  metricSource: {type: otlp}
`;

function sample(version: string, otlp: string, extra: string): string {
  return (
    `"${process.execPath}" "${ADAPTIVE_CANARY_BIN}" sample-service ` +
    `--service-version ${version} --listen 127.0.0.1:$PORT --otlp ${otlp} ` +
    `--otlp-interval 200ms ${extra}`
  );
}

function traffic(url: string): () => void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const t = setInterval(() => {
    for (let i = 0; i < 6; i++)
      http
        .request(`${url}/api/login`, { method: 'POST', agent }, (res) => res.resume())
        .on('error', () => undefined)
        .end('{"user":"u","password":"p"}');
  }, 40);
  return () => {
    clearInterval(t);
    agent.destroy();
  };
}

async function waitForRouter(url: string, until: number): Promise<void> {
  while (Date.now() < until) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rollout(
  canaryExtra: string,
  exporter: string,
): Promise<{ code: number | null; out: string; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ac-otlp-run-'));
  writeFileSync(join(cwd, 'canary.yaml'), policy);
  const [listen, router] = [await freePort(), await freePort()];
  const otlp = `http://127.0.0.1:${listen}/v1/metrics`;
  const run = runBuiltCliAsync(
    [
      'run',
      '--policy',
      'canary.yaml',
      '--allow-unsigned',
      '--no-ui',
      '--listen',
      `127.0.0.1:${listen}`,
      '--router',
      `127.0.0.1:${router}`,
      '--stable',
      sample('1.4.0', otlp, exporter),
      '--canary',
      sample('1.5.0', otlp, `${exporter} ${canaryExtra}`),
      '--stable-variant',
      '1.4.0',
      '--canary-variant',
      '1.5.0',
    ],
    { cwd, timeoutMs: 90_000 },
  );
  await waitForRouter(`http://127.0.0.1:${router}`, Date.now() + 30_000);
  const stop = traffic(`http://127.0.0.1:${router}`);
  const r = await run;
  stop();
  return { code: r.code, out: r.stdout + r.stderr, cwd };
}

function records(cwd: string): { inputs?: { sources?: string[]; observation?: { canary?: { requests?: number } } } }[] {
  const root = join(cwd, '.evidence', 'maestro-api');
  const [dir] = readdirSync(root);
  return readFileSync(join(root, dir!, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as never);
}

describe('run judged from OTLP pushed by the OpenTelemetry SDK', () => {
  it('rolls back a canary whose SDK reports 5xx (protobuf exporter, cumulative, gzip)', async () => {
    const r = await rollout('--error-rate 0.3', '--otlp-protocol http/protobuf --otlp-gzip');
    expect(r.out).toMatch(/OTLP metrics: http:\/\/127\.0\.0\.1:\d+\/v1\/metrics/);
    expect(r.out).toMatch(/rolled-back/);
    expect(r.code).toBe(1);
    const last = records(r.cwd)
      .filter((x) => x.inputs?.observation)
      .at(-1);
    expect(last?.inputs?.sources).toEqual(['otlp']);
    expect(last?.inputs?.observation?.canary?.requests).toBeGreaterThan(0);
  }, 120_000);

  it('promotes a healthy canary (JSON exporter, delta temporality, exponential histogram)', async () => {
    const r = await rollout('', '--otlp-protocol http/json --otlp-temporality delta --otlp-histogram exponential');
    expect(r.out).toMatch(/promoted/);
    expect(r.code).toBe(0);
    expect(records(r.cwd).some((x) => x.inputs?.sources?.includes('otlp'))).toBe(true);
  }, 120_000);
});
