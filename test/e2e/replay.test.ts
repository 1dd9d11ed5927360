import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTIVE_CANARY_BIN as bin, runBuiltCli, type CliResult } from '../support/built-cli.js';
import { REPLAY_HEADER as HEADER, recording } from '../support/replay-recording.js';

// The built CLI, as a user runs it (`npm test` builds first; build here when dist is missing).
const root = resolve(import.meta.dirname, '../..');
const examples = join(root, 'examples/replays');
const dir = mkdtempSync(join(tmpdir(), 'replay-e2e-'));

function cli(...args: string[]): CliResult & { code: number } {
  const r = runBuiltCli(['replay', ...args], { cwd: root });
  return { ...r, code: r.code ?? -1 };
}

beforeAll(() => {
  if (!existsSync(bin) || !existsSync(join(root, 'dist/commands/adaptive-canary/replay.js'))) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    } catch {
      // tsc still emits when another module has a type error; the existence check below decides.
    }
  }
  if (!existsSync(bin)) throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adaptive-canary replay (built CLI)', () => {
  it('prints one JSON line per file and exits 1 when any file rolls back', () => {
    const r = cli(
      '--json',
      join(examples, 'healthy.jsonl'),
      join(examples, 'error-regression.jsonl'),
      join(examples, 'latency-regression.jsonl'),
    );
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            file: string;
            decision: string;
            at: number;
            reasons: { signal: string; value: number; threshold: number }[];
          },
      );
    expect(lines.map((l) => l.decision)).toEqual(['promote', 'rollback', 'rollback']);
    // Without --policy the steps are the recording's own: 10% and 25% for 60 s, then 50% for 180 s.
    expect(lines[0]!.at).toBe(300);
    expect(lines[1]!.reasons[0]).toMatchObject({
      signal: 'error-rate',
      verdict: 'fail',
      statistic: 'mixture-likelihood-ratio',
    });
    expect(lines[1]!.reasons[0]!.value).toBeGreaterThanOrEqual(lines[1]!.reasons[0]!.threshold);
    expect(lines[2]!.reasons[0]!.signal).toBe('latency-p99');
    for (const l of lines) expect(Object.keys(l).slice(0, 4)).toEqual(['file', 'decision', 'at', 'reasons']);
  });

  it('exits 0 when nothing is rolled back, and prints a readable timeline without --json', () => {
    const r = cli(join(examples, 'healthy.jsonl'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/t\(s\)\s+weight\s+score\s+verdict\s+reasons/);
    expect(r.stdout).toMatch(/→ PROMOTE at t=300s \(judge\)/);
    expect(r.stdout).toMatch(/↳ step at 25% \(judge\)/);
  });

  it('the judge can be chosen; a policy file applies its own schedule', () => {
    const policy = join(dir, 'canary.yaml');
    writeFileSync(
      policy,
      [
        'apiVersion: adaptive-canary/v1',
        'kind: CanaryPolicy',
        'metadata: {name: p}',
        'spec:',
        '  service: maestro-api',
        '  steps: [{weight: 10, bake: 30s}]',
      ].join('\n'),
    );
    const r = cli('--json', '--policy', policy, join(examples, 'healthy.jsonl'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ decision: 'promote', at: 30 });
    const k = cli('--json', '--judge', 'kayenta', join(examples, 'error-regression.jsonl'));
    expect(k.code).toBe(1);
    const line = JSON.parse(k.stdout.trim()) as { decision: string; reasons: { statistic: string }[] };
    expect(line.decision).toBe('rollback');
    expect(line.reasons.map((x) => x.statistic)).toContain('mann-whitney');
  });

  it('bad input: every problem as file:line, exit 2, no stack', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(HEADER)}\n{"t":10,"weight":10}\n{"t":20,"weight":"x"}\nnot json\n`);
    const r = cli('--json', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: error: weight`));
    expect(r.stderr).toMatch(/bad\.jsonl:4:\d+: error: invalid JSON/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(cli(join(dir, 'missing.jsonl')).code).toBe(2);
  });

  // Functional only: how fast it goes is bench/replay.bench.ts (results in bench/results/replay.md).
  it('replays 500 files of 60 intervals in one run and decides every one', () => {
    const files: string[] = [];
    for (let i = 0; i < 500; i++) {
      const f = join(dir, `run-${i}.jsonl`);
      writeFileSync(f, recording(60, i % 5 === 0 ? 4 : 1, i + 1));
      files.push(f);
    }
    const r = cli('--json', ...files);
    expect(r.code).toBe(1); // a fifth of them roll back
    expect(r.stderr).toBe('');
    const decisions = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { decision: string }).decision);
    expect(decisions).toHaveLength(500);
    expect(decisions.filter((d, i) => i % 5 === 0 && d === 'rollback').length).toBe(100);
    expect(decisions.filter((d, i) => i % 5 !== 0 && d === 'promote').length).toBe(400);
  });
});
