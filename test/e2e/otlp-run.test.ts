import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CANARY_BIN, runBuiltCliAsync } from '../support/built-cli.js';
import { freePort } from '../support/free-port.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

// `run` of the built CLI judging from OTLP only: stable and canary are the sample service started by `run` as
// commands, each instrumented with the real OpenTelemetry JS SDK (sdk-metrics 2.x, OTLP proto and http
// exporters) and exporting to the controller's own listener. The router moves traffic; its counts are not read.
const policy = maestroPolicyYaml(`  steps: [{weight: 50, bake: 5s}]
  sequential: {minCanaryRequests: 60}
  inconclusive: {maxExtension: 5s, then: rollback}
  metricSource: {type: otlp}
`);

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
  o: { policy?: string; stableExtra?: string; args?: (otlp: string) => string[] } = {},
): Promise<{ code: number | null; out: string; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ac-otlp-run-'));
  writeFileSync(join(cwd, 'canary.yaml'), o.policy ?? policy);
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
      sample('1.4.0', otlp, `${exporter} ${o.stableExtra ?? ''}`),
      '--canary',
      sample('1.5.0', otlp, `${exporter} ${canaryExtra}`),
      ...(o.args ? o.args(otlp) : ['--stable-variant', '1.4.0', '--canary-variant', '1.5.0']),
    ],
    { cwd, timeoutMs: 90_000 },
  );
  await waitForRouter(`http://127.0.0.1:${router}`, Date.now() + 30_000);
  const stop = traffic(`http://127.0.0.1:${router}`);
  const r = await run;
  stop();
  return { code: r.code, out: r.stdout + r.stderr, cwd };
}

interface EvidenceRecord {
  kind?: string;
  action?: string;
  reasons?: { signal?: string; message?: string }[];
  inputs?: {
    sources?: string[];
    observation?: { canary?: { requests?: number }; control?: { requests?: number } | null };
  };
}

function records(cwd: string): EvidenceRecord[] {
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

  it('promotes a cold canary compared with its baseline, which the source tells from stable by instance', async () => {
    // Stable is warm; canary and baseline are stable's code starting cold (first 400 requests +150 ms) and are
    // told apart from stable by service.instance.id: against the warm stable the cold canary would be rolled back.
    const cold = '--cold-requests 400 --cold-latency-ms 150';
    const id = (v: string) => `--otlp-resource service.instance.id=${v}`;
    const r = await rollout(`${cold} ${id('canary')}`, '--otlp-protocol http/protobuf', {
      policy:
        `${policy.replace('{type: otlp}', '{type: otlp, variantAttribute: service.instance.id}')}` +
        '  latencyBoundsMs: [5, 25, 100, 250]\n',
      stableExtra: id('stable'),
      args: (otlp) => [
        '--baseline',
        sample('1.4.0', otlp, `--otlp-protocol http/protobuf ${cold} ${id('baseline')}`),
        '--stable-variant',
        'stable',
        '--canary-variant',
        'canary',
        '--baseline-variant',
        'baseline',
      ],
    });
    expect(r.out).toMatch(/promoted/);
    expect(r.code).toBe(0);
    const recs = records(r.cwd);
    expect(recs.some((x) => (x.inputs?.observation?.control?.requests ?? 0) > 0)).toBe(true);
    const last = recs.filter((x) => x.kind === 'decision').at(-1);
    expect(last?.action).toBe('promote');
    expect(last?.reasons?.find((x) => x.signal === 'comparison')?.message).toMatch(/the baseline \(fresh stable/);
  }, 120_000);

  it("refuses --baseline without the baseline instances' value (exit 2, before anything starts)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-otlp-run-'));
    writeFileSync(join(cwd, 'canary.yaml'), policy);
    const r = await runBuiltCliAsync(
      ['run', '--policy', 'canary.yaml', '--allow-unsigned', '--no-ui', '--listen', '127.0.0.1:0'].concat(
        ['--router', '127.0.0.1:0', '--stable', 'http://127.0.0.1:9', '--canary', 'http://127.0.0.1:9'],
        ['--baseline', 'http://127.0.0.1:9', '--stable-variant', '1.4.0', '--canary-variant', '1.5.0'],
      ),
      { cwd, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--baseline with metricSource otlp needs .*--baseline-variant/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
