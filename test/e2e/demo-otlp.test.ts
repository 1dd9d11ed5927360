import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltCliAsync } from '../support/built-cli.js';

// `demo --metrics otlp`: the sample services export with the OpenTelemetry SDK to the controller's /v1/metrics
// and the judge reads that instead of the router's counts; the three scenarios must end as the plain demo's do.
describe('adaptive-canary demo --metrics otlp (built CLI)', () => {
  it('promotes healthy and rolls back regression and chaos from OTLP metrics', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-demo-otlp-'));
    const r = await runBuiltCliAsync(
      ['demo', '--metrics', 'otlp', '--interval', '1s', '--json', '--no-ui', '--listen', '127.0.0.1:0'],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      ok: boolean;
      rollouts: { scenario: string; decision: string; evidenceDir: string }[];
    };
    expect(summary.ok).toBe(true);
    const by = Object.fromEntries(summary.rollouts.map((x) => [x.scenario, x.decision]));
    expect(by).toEqual({ healthy: 'promoted', regression: 'rolled-back', chaos: 'rolled-back' });
    for (const x of summary.rollouts) {
      const intervals = readFileSync(join(x.evidenceDir, 'decisions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { inputs?: { sources?: string[]; observation?: { canary?: { requests?: number } } } },
        )
        .filter((rec) => rec.inputs?.observation);
      // Each judged interval names where its numbers came from: OTLP for traffic, the probe runner for synthetics.
      expect(intervals.length).toBeGreaterThan(0);
      for (const rec of intervals) expect(rec.inputs?.sources).toEqual(['otlp', 'synthetics']);
      expect(intervals.some((rec) => (rec.inputs?.observation?.canary?.requests ?? 0) > 0)).toBe(true);
    }
  }, 150_000);

  it('the cold-start scenario needs a baseline the OTLP source cannot select yet: exit 2, and why', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-demo-otlp-'));
    const r = await runBuiltCliAsync(['demo', '--metrics', 'otlp', '--scenario', 'cold-start', '--no-ui'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cold-start needs --metrics router/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
