import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuiltCliAsync } from '../support/built-cli.js';

interface Record {
  kind: string;
  assessment?: { comparison?: string };
  reasons?: { signal?: string; message?: string }[];
  inputs?: {
    sources?: string[];
    observation?: { canary?: { requests?: number }; control?: { requests?: number } | null };
  };
}

// `demo --metrics otlp`: the sample services export with the OpenTelemetry SDK to the controller's /v1/metrics
// and the judge reads that instead of the router's counts; the four scenarios must end as the plain demo's do,
// the cold start included: its baseline instances export too, and the OTLP source selects them (by their
// service.instance.id) as the control the canary is compared with.
describe('adaptive-canary demo --metrics otlp (built CLI)', () => {
  it('promotes healthy and the cold start (against its OTLP baseline), rolls back regression and chaos', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-demo-otlp-'));
    const r = await runBuiltCliAsync(
      ['demo', '--metrics', 'otlp', '--interval', '1s', '--json', '--no-ui', '--listen', '127.0.0.1:0'],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      ok: boolean;
      rollouts: { scenario: string; decision: string; ok: boolean; evidenceDir: string }[];
    };
    expect(summary.ok).toBe(true);
    const by = Object.fromEntries(summary.rollouts.map((x) => [x.scenario, x.decision]));
    expect(by).toEqual({
      healthy: 'promoted',
      regression: 'rolled-back',
      chaos: 'rolled-back',
      'cold-start': 'promoted',
    });
    expect(r.stderr).toMatch(/cold-start-\w+ +t=\d+s .* baseline \d+\/\d+ err \(judged vs it\)/);
    for (const x of summary.rollouts) {
      const records = readFileSync(join(x.evidenceDir, 'decisions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record);
      const intervals = records.filter((rec) => rec.inputs?.observation);
      // Each judged interval names where its numbers came from: OTLP for traffic, the probe runner for synthetics.
      expect(intervals.length).toBeGreaterThan(0);
      for (const rec of intervals) expect(rec.inputs?.sources).toEqual(['otlp', 'synthetics']);
      expect(intervals.some((rec) => (rec.inputs?.observation?.canary?.requests ?? 0) > 0)).toBe(true);
      const decisions = JSON.stringify(records.filter((rec) => rec.kind === 'decision'));
      if (x.scenario === 'cold-start') {
        // Only the OTLP source can have given the baseline's counts here (the router's are not read).
        expect(intervals.some((rec) => (rec.inputs?.observation?.control?.requests ?? 0) > 0)).toBe(true);
        expect(decisions).toMatch(/the baseline \(fresh stable/);
      } else {
        expect(intervals.every((rec) => rec.inputs?.observation?.control === undefined)).toBe(true);
        expect(decisions).toMatch(/the stable version serving now/);
        expect(decisions).not.toMatch(/the baseline \(fresh stable/);
      }
    }
  }, 150_000);
});
