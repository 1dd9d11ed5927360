import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/app/drill/drill-service.js';
import { ADAPTIVE_CANARY_BIN, runBuiltCli, runBuiltCliAsync } from '../support/built-cli.js';

// `adaptive-canary drill`, the SRE's rollback drill, as the built CLI: on the sample service, and on the user's own
// stable and canary commands with the example suite's rollback-chaos-lite flow.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ac-drill-'));
  dirs.push(d);
  return d;
}

function decisionActions(evidenceDir: string): string[] {
  return readFileSync(join(evidenceDir, 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; action?: string })
    .flatMap((r) => (r.kind === 'decision' && r.action ? [r.action] : []));
}

describe('adaptive-canary drill', () => {
  it('on the sample service: turns chaos on, rolls back, reports detection and rollback time, leaves evidence', () => {
    const cwd = workdir();
    const r = runBuiltCli(['drill', '--json', '--no-ui', '--listen', '127.0.0.1:0', '--interval', '500ms'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DrillReport;
    expect(report.rolledBack).toBe(true);
    expect(report.detectionSeconds).toBeGreaterThan(0);
    expect(report.rollbackDurationSeconds).toBeGreaterThanOrEqual(0);
    expect(report.rollbackDurationSeconds).toBeLessThan(report.targetMedianRollbackSeconds);
    expect(report.evidenceDir).toContain(join(cwd, '.evidence', 'maestro-api'));
    expect(decisionActions(report.evidenceDir!)).toContain('rollback');
  });

  it('on your own stable and canary: the suite flow breaks the canary and the controller rolls it back', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, 'canary.yaml'),
      'apiVersion: adaptive-canary/v1\nkind: CanaryPolicy\nmetadata: {name: maestro-api}\n' +
        'spec: {service: maestro-api, interval: 1s, steps: [{weight: 50, bake: 60s}]}\n',
    );
    const sample = (version: string) =>
      `"${process.execPath}" "${ADAPTIVE_CANARY_BIN}" sample-service --service-version ${version} ` +
      '--listen 127.0.0.1:$PORT';
    const r = await runBuiltCliAsync(
      [
        'drill',
        '--no-ui',
        '--listen',
        '127.0.0.1:0',
        '--policy',
        'canary.yaml',
        '--stable',
        sample('1.4.0'),
        '--canary',
        sample('1.5.0'),
      ],
      { cwd, env: { PROBE_PASSWORD: 'drill-secret' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^drill drill-\w+: rolled back; detected [\d.]+ s after chaos onset/m);
    expect(r.stdout).toMatch(/playbook target: median rollback < 5 min/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('drill-secret');
    const id = /^drill (drill-\w+):/m.exec(r.stdout)![1]!;
    const evidence = join(cwd, '.evidence', 'maestro-api', id);
    expect(existsSync(evidence)).toBe(true);
    expect(decisionActions(evidence).at(-1)).toBe('rollback');
  });

  it('refuses --stable without --canary with a usage error', () => {
    const r = runBuiltCli(['drill', '--stable', 'http://127.0.0.1:9'], { cwd: workdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stable and --canary go together');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
