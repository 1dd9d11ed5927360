import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FlagdCore } from '@openfeature/flagd-core';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/io.js';
import { runMain } from '../../src/cli/run-main.js';
import run from '../../src/commands/adaptive-canary/run.js';
import { startPrometheus, waitForScrapeAfter, type PrometheusProcess } from '../support/prometheus-process.js';
import { FLAG, flagWorkspace, fractional, writeFlagPolicy } from '../support/flag-workspace.js';

// `run --target flagd --feature-step`: a real Prometheus (Debian 2.42) scrapes a small service that evaluates
// the flag file with flagd's own evaluator on every request and labels its metrics with the variant served.
const program = { name: 'adaptive-canary', description: '', version: '0', commands: [run] };

interface FlagService {
  host: string;
  close(): Promise<void>;
}

/** Re-reads the flag file whenever it changed (as flagd's file watcher does); `on` answers 500 when `onFails`. */
async function flagService(file: string, onFails: boolean): Promise<FlagService> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'requests',
    labelNames: ['variant', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'latency',
    labelNames: ['variant'],
    buckets: [0.005, 0.025, 0.1],
    registers: [registry],
  });
  const core = new FlagdCore();
  let text = '';
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((m) => res.writeHead(200, { 'content-type': registry.contentType }).end(m));
      return;
    }
    const t0 = performance.now();
    const now = readFileSync(file, 'utf8');
    if (now !== text) core.setConfigurations((text = now));
    const user = Math.random().toString(36).slice(2);
    const { variant } = core.resolveBooleanEvaluation(FLAG, false, {
      targetingKey: user,
      email: `${user}@example.com`,
    });
    const code = variant === 'on' && onFails ? 500 : 200;
    res.writeHead(code).end();
    requests.inc({ variant: variant ?? 'none', code: String(code) });
    duration.observe({ variant: variant ?? 'none' }, (performance.now() - t0) / 1000);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true });
  const load = setInterval(() => {
    for (let i = 0; i < 4; i++)
      http.get(`http://${host}/checkout`, { agent }, (r) => r.resume()).on('error', () => undefined);
  }, 10);
  return {
    host,
    close: async () => {
      clearInterval(load);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function capture(cwd: string): { io: CliIO; text: () => string } {
  let text = '';
  const sink = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
  return { io: { stdout: sink, stderr: sink, env: {}, cwd }, text: () => text };
}

const workspace = (): { cwd: string; flagFile: string } => flagWorkspace('ac-feature-step-');

/** One-second intervals and bakes so a whole rollout fits in seconds; the signature gate is not under test here. */
function writePolicy(cwd: string, prometheus?: { url: string; job: string }): void {
  writeFlagPolicy(cwd, {
    interval: '1s',
    steps: [{ weight: 10, bake: '1s' }],
    latencyBoundsMs: [5, 25, 100],
    inconclusive: { maxExtension: '15s', then: 'hold' },
    ...(prometheus ? { prometheus: { url: prometheus.url, timeout: '2s', selectors: { job: prometheus.job } } } : {}),
  });
}

interface Decision {
  action: string;
  weight: number;
  by: string;
  reasons: { signal: string; verdict: string; message: string }[];
}

function decisions(cwd: string): Decision[] {
  const root = join(cwd, '.evidence', 'maestro-api');
  const [id] = readdirSync(root);
  return readFileSync(join(root, id ?? '', 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Decision & { kind: string })
    .filter((r) => r.kind === 'decision');
}

/** `run --target flagd` on the workspace's flag file and policy, with `extra` arguments; exit code and output. */
async function runFlagd(cwd: string, extra: string[]): Promise<{ code: number; text: string }> {
  const c = capture(cwd);
  const args = ['run', '--target', 'flagd', '--flag-file', 'flags/maestro-api.flagd.json', '--flag', FLAG];
  const code = await runMain(program, [...args, ...extra, '--policy', 'canary.yaml'], c.io);
  return { code, text: c.text() };
}

let prom: PrometheusProcess;
let healthy: FlagService;
let broken: FlagService;
const ws = { healthy: workspace(), broken: workspace() };

beforeAll(async () => {
  healthy = await flagService(ws.healthy.flagFile, false);
  broken = await flagService(ws.broken.flagFile, true);
  prom = await startPrometheus([
    { job: 'healthy', targets: [healthy.host] },
    { job: 'broken', targets: [broken.host] },
  ]);
  await waitForScrapeAfter(prom.url, Date.now());
}, 40_000);

afterAll(async () => {
  await prom?.stop();
  await healthy?.close();
  await broken?.close();
});

describe('adaptive-canary run --target flagd --feature-step (real Prometheus, flagd-core evaluating the file)', () => {
  it('steps a healthy flag by --feature-step to 100% (policy with spec.prometheus)', async () => {
    const { cwd, flagFile } = ws.healthy;
    writePolicy(cwd, { url: prom.url, job: 'healthy' });
    const { code, text } = await runFlagd(cwd, ['--feature-step', '25', '--listen', '127.0.0.1:0', '--no-ui']);
    expect(code, text).toBe(0);
    expect(fractional(flagFile)).toEqual({
      fractional: [
        ['on', 100],
        ['off', 0],
      ],
    });
    const d = decisions(cwd);
    expect(d[0]).toMatchObject({ action: 'start', weight: 25 });
    expect(
      d
        .filter((x) => x.action === 'step')
        .map((x) => x.weight)
        .every((w) => [50, 75].includes(w)),
    ).toBe(true);
    expect(d.at(-1)).toMatchObject({ action: 'promote', weight: 100 });
    expect(text).toMatch(/steps 25%, 50%, 75%, then 100%/);
  }, 45_000);

  it(
    'sets a flag whose "on" variant returns 5xx back to 0, with the ' + 'rollback in the evidence (--prometheus)',
    async () => {
      const { cwd, flagFile } = ws.broken;
      // --prometheus wins over this URL, which points nowhere
      writePolicy(cwd, { url: 'http://127.0.0.1:1', job: 'broken' });
      const { code, text } = await runFlagd(cwd, [
        ...['--feature-step', '10', '--prometheus', prom.url, '--listen', '127.0.0.1:0', '--no-ui'],
      ]);
      expect(code, text).toBe(1);
      expect(fractional(flagFile)).toEqual({
        fractional: [
          ['on', 0],
          ['off', 100],
        ],
      });
      const d = decisions(cwd);
      expect(d[0]).toMatchObject({ action: 'start', weight: 10 });
      expect(d.at(-1)).toMatchObject({ action: 'rollback', weight: 0 });
      const rollback = d.at(-1);
      expect(rollback?.by).toMatch(/^(judge|rule:critical-metric)$/); // the analysis, not a fault or a person
      expect(rollback?.reasons.find((r) => r.verdict === 'fail')?.signal).toBe('error-rate');
    },
    45_000,
  );

  it('exits 2 when there is no metric source, without touching the flag file', async () => {
    const { cwd, flagFile } = workspace();
    writePolicy(cwd);
    const before = readFileSync(flagFile, 'utf8');
    const { code, text } = await runFlagd(cwd, []);
    expect(code).toBe(2);
    expect(text).toMatch(/--target flagd needs a metric source: .*--prometheus <url> or spec.prometheus.url/);
    expect(readFileSync(flagFile, 'utf8')).toBe(before);
    const c = capture(cwd);
    expect(await runMain(program, ['run', '--target', 'flagd', '--flag', FLAG, '--policy', 'canary.yaml'], c.io)).toBe(
      2,
    );
    expect(c.text()).toMatch(/--target flagd needs --flag-file/);
  });
});
