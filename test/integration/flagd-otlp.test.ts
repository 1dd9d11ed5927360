import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FlagdCore } from '@openfeature/flagd-core';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/run-main.js';
import run from '../../src/commands/adaptive-canary/run.js';
import { freePort } from '../support/free-port.js';
import { sdkHarness } from '../support/otel-sdk.js';
import { FLAG, flagWorkspace, fractional, writeFlagPolicy } from '../support/flag-workspace.js';

// `run --target flagd` judged from OTLP with no variant attribute in the policy: the default for a flag canary is
// the data-point attribute feature_flag.result.variant (OpenTelemetry feature-flag conventions). The service
// evaluates the flag file with flagd's own evaluator on every request and records the variant it served on the
// real SDK's http.server.request.duration; its exports (the SDK's serializer) go to the controller's /v1/metrics.
const program = { name: 'adaptive-canary', description: '', version: '0', commands: [run] };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A service whose `on` variant answers 500, exporting every 200 ms to `otlpUrl`. */
async function flagService(file: string, otlpUrl: string): Promise<void> {
  const sdk = sdkHarness({ resource: { 'service.name': 'maestro-api', 'service.version': '2.0.0' } });
  const core = new FlagdCore();
  let text = '';
  const server = http.createServer((_req, res) => {
    const now = readFileSync(file, 'utf8');
    if (now !== text) core.setConfigurations((text = now));
    const user = Math.random().toString(36).slice(2);
    const { variant } = core.resolveBooleanEvaluation(FLAG, false, { targetingKey: user, email: `${user}@x.io` });
    const code = variant === 'on' ? 500 : 200;
    res.writeHead(code).end();
    sdk.histogram.record(0.002, { 'http.response.status_code': code, 'feature_flag.result.variant': variant ?? '' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkout`;
  const agent = new http.Agent({ keepAlive: true });
  const load = setInterval(() => {
    for (let i = 0; i < 4; i++) http.get(url, { agent }, (r) => r.resume()).on('error', () => undefined);
  }, 10);
  const exporting = setInterval(() => {
    void sdk
      .collect()
      .then(({ protobuf }) =>
        fetch(otlpUrl, {
          method: 'POST',
          body: Buffer.from(protobuf),
          headers: { 'content-type': 'application/x-protobuf' },
        }),
      )
      .catch(() => undefined); // the controller is not listening yet
  }, 200);
  cleanups.push(async () => {
    clearInterval(load);
    clearInterval(exporting);
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await sdk.shutdown();
  });
}

interface EvidenceRecord {
  kind: string;
  action?: string;
  reasons?: { signal: string; verdict: string }[];
  inputs?: { sources?: string[]; observation?: { canary?: { requests?: number; errors?: number } } };
}

describe('run --target flagd with spec.metricSource otlp', () => {
  it('splits by feature_flag.result.variant by default and rolls back the failing variant', async () => {
    const { cwd, flagFile } = flagWorkspace('ac-flagd-otlp-');
    writeFlagPolicy(cwd, {
      interval: '500ms',
      steps: [{ weight: 50, bake: '10s' }],
      inconclusive: { maxExtension: '5s', then: 'hold' },
      metricSource: { type: 'otlp' },
    });
    const port = await freePort();
    await flagService(flagFile, `http://127.0.0.1:${port}/v1/metrics`);
    let text = '';
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) });
    const code = await runMain(
      program,
      [
        ...['run', '--target', 'flagd', '--flag-file', 'flags/maestro-api.flagd.json', '--flag', FLAG],
        ...['--policy', 'canary.yaml', '--listen', `127.0.0.1:${port}`, '--no-ui'],
      ],
      { stdout: sink, stderr: sink, env: {}, cwd },
    );
    expect(code, text).toBe(1);
    expect(text).toMatch(/metrics from OTLP/);
    const root = join(cwd, '.evidence', 'maestro-api');
    const records = readFileSync(join(root, readdirSync(root)[0]!, 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvidenceRecord);
    const rollback = records.filter((r) => r.kind === 'decision').at(-1);
    expect(rollback?.action).toBe('rollback');
    expect(rollback?.reasons?.find((r) => r.signal === 'error-rate')?.verdict).toBe('fail');
    const judged = records.filter((r) => r.inputs?.observation);
    expect(judged.every((r) => JSON.stringify(r.inputs?.sources) === '["otlp"]')).toBe(true);
    // The `on` variant's 500s reached the canary's side (and only its side answers 500).
    expect(judged.some((r) => (r.inputs?.observation?.canary?.errors ?? 0) > 0)).toBe(true);
    expect(fractional(flagFile)).toEqual({
      fractional: [
        ['on', 0],
        ['off', 100],
      ],
    });
  }, 60_000);
});
