import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from '../support/built-cli.js';

/**
 * Replay files carry a custom metric's samples per variant and interval (`"custom": {"cpu": [...]}`); the
 * sequential judge tests them by betting on paired samples. A recording with a baseline
 * (`control`) is judged against it.
 */
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'replay-custom-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = join(dir, 'canary.yaml');
writeFileSync(
  policy,
  [
    'apiVersion: adaptive-canary/v1',
    'kind: CanaryPolicy',
    'metadata: {name: p}',
    'spec:',
    '  service: maestro-api',
    '  steps: [{weight: 10, bake: 100s}, {weight: 25, bake: 100s}, {weight: 50, bake: 100s}]',
    '  metrics:',
    '    - {name: error-rate, kind: errors, critical: true}',
    '    - {name: cpu, kind: custom, critical: true, tolerance: 1.2}',
  ].join('\n'),
);

/** 30 intervals of 10 s; CPU per pod swings with a shared load; `lift` multiplies the canary's CPU. */
function recording(name: string, lift: number, seed: number, withControl = false): string {
  let x = seed;
  const u = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = [JSON.stringify({ kind: 'replay', version: 1, service: 'maestro-api', intervalSeconds: 10 })];
  for (let i = 1; i <= 30; i++) {
    const w = i <= 10 ? 10 : i <= 20 ? 25 : 50;
    const load = 0.5 * (1 + 0.5 * Math.sin(i / 4));
    const pods = (m: number): number[] => [0, 1, 2].map(() => Math.round(m * load * (0.85 + 0.3 * u()) * 1e4) / 1e4);
    const variant = (requests: number, m: number) => ({ requests, errors: 0, custom: { cpu: pods(m) } });
    lines.push(
      JSON.stringify({
        t: i * 10,
        weight: w,
        baseline: variant(2000 - 20 * w, 1),
        canary: variant(20 * w, lift),
        ...(withControl ? { control: variant(20 * w, 1) } : {}),
      }),
    );
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

type Line = { decision: string; at: number; reasons: { signal: string; verdict: string; statistic: string }[] };

function replay(...files: string[]): { code: number | null; lines: Line[] } {
  const r = runBuiltCli(['replay', '--json', '--policy', policy, ...files], { cwd: root });
  return {
    code: r.code,
    lines: r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line),
  };
}

describe('replay with custom metric samples (built CLI)', () => {
  it('promotes a healthy gauge, rolls back +30% CPU with the betting test as the reason', () => {
    const r = replay(recording('healthy.jsonl', 1, 7), recording('cpu.jsonl', 1.3, 7));
    expect(r.code).toBe(1);
    expect(r.lines.map((l) => l.decision)).toEqual(['promote', 'rollback']);
    expect(r.lines[1]!.reasons[0]).toMatchObject({ signal: 'cpu', verdict: 'fail', statistic: 'betting-wealth' });
  });

  it('compares with the recorded baseline (control) when there is one, and says so', () => {
    const r = replay(recording('cpu-control.jsonl', 1.3, 11, true));
    expect(r.lines[0]!.decision).toBe('rollback');
    const comparison = r.lines[0]!.reasons.find((x) => x.signal === 'comparison') as unknown as { message: string };
    expect(comparison.message).toMatch(/the baseline/);
  });
});
