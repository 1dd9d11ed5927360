import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { BIN, spawnCli, traffic, waitFor, type Spawned } from './controller-helpers.js';
import { maestroPolicyYaml } from '../support/policy-yaml.js';

/**
 * `run` killed with kill -9 and started again, several times, with upstream COMMANDS: each restart starts
 * fresh stable and canary processes, cold for their first 30 /api requests (each 150 ms slower). The canary,
 * at 10% of the traffic, takes ten times as long as stable to get through its cold requests: judged, they
 * read as a latency regression of a canary that is the same code as stable. The policy's warm-up, applied
 * again from each restart, keeps them out of the judge.
 */
const WARMUP_S = 3;
const policy = maestroPolicyYaml(`  warmup: ${WARMUP_S}s
  steps: [{weight: 10, bake: 10m}]
  latencyBoundsMs: [5, 25, 100, 250]
`);
const sample =
  `"${process.execPath}" "${BIN}" sample-service --service-version 1.0.0` +
  ` --listen 127.0.0.1:$PORT --cold-requests 30 --cold-latency-ms 150`;
const CYCLES = 3;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function query<T>(stateFile: string, sql: string): T[] {
  const db = new Database(stateFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Interval lines of one run's progress output: judged ones, and ones inside a warm-up. */
function intervalLines(out: string): { judged: number; warmup: number } {
  const lines = out.split('\n').filter((l) => /^r1 {2}t=\d+s step/.test(l));
  const warmup = lines.filter((l) => l.includes('warm-up: observed, not judged')).length;
  return { judged: lines.length - warmup, warmup };
}

interface StoredInterval {
  observation: { t: number; restartedAt?: number; canary?: { latency?: number[] } | null };
  assessment: { verdict: string; warmup?: boolean };
}

describe('run restarted after kill -9 (real processes, cold upstreams)', () => {
  it('does not roll back an identical canary after several kill -9/restarts; each restart warms up again', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ac-restart-'));
    writeFileSync(join(cwd, 'canary.yaml'), policy);
    const router = await freePort();
    const args = ['run', '--policy', 'canary.yaml', '--allow-unsigned', '--no-ui', '--listen', '127.0.0.1:0'];
    args.push('--router', `127.0.0.1:${router}`, '--stable', sample, '--canary', sample, '--id', 'r1');
    args.push('--state', 'state.db');
    const stateFile = join(cwd, 'state.db');
    let current: Spawned | undefined;
    cleanups.push(async () => {
      // A failed run may leave a controller (or, after kill -9, its upstreams) running: stop them all.
      current?.child.kill('SIGTERM');
      await current?.exited;
      for (const { pid } of query<{ pid: number }>(stateFile, 'SELECT pid FROM processes')) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    cleanups.push(traffic(`http://127.0.0.1:${router}`, 200));
    const outputs: string[] = [];
    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const run = spawnCli(args, cwd);
      current = run;
      // Past the warm-up (from the start or from this restart) and judged for a while: ~2 s of intervals.
      await waitFor(
        () => intervalLines(run.out()).judged >= 4 || run.child.exitCode !== null,
        30_000,
        `judged intervals in run ${cycle}:\n${run.out()}`,
      );
      expect(run.out(), run.out()).not.toMatch(/ROLLBACK|rolled-back/);
      expect(run.child.exitCode, run.out()).toBeNull();
      outputs.push(run.out());
      if (cycle < CYCLES) {
        run.child.kill('SIGKILL');
        await run.exited;
      }
    }
    // Judged for longer after the last restart, then stopped as systemd would: still no rollback.
    const last = current!;
    await waitFor(() => intervalLines(last.out()).judged >= 12, 30_000, `judged intervals:\n${last.out()}`);
    last.child.kill('SIGTERM');
    expect(await last.exited, last.out()).toBe(0);
    expect(last.out()).not.toMatch(/ROLLBACK|rolled-back/);
    current = undefined;

    // Progress output: every restart says so, and its intervals show the warm-up.
    expect(outputs[0]).toMatch(/starting rollout r1/);
    for (const out of outputs.slice(1)) {
      expect(out).toMatch(/resuming rollout r1/);
      expect(out).toMatch(/r1 {2}resumed at t=[\d.]+s with freshly started upstreams \(stable \(pid \d+\), canary/);
      expect(out).toMatch(/the policy's warm-up of 3s applies again: intervals ending by t=[\d.]+s are observed/);
      expect(intervalLines(out).warmup).toBeGreaterThan(0);
    }

    // Stored observations carry each restart; the canary's cold requests fell inside the warm-ups, unjudged.
    const stored = query<{ observation: string; assessment: string }>(
      stateFile,
      "SELECT observation, assessment FROM intervals WHERE rollout_id = 'r1' ORDER BY seq",
    ).map((r): StoredInterval => ({ observation: JSON.parse(r.observation), assessment: JSON.parse(r.assessment) }));
    const restarts = [...new Set(stored.map((i) => i.observation.restartedAt).filter((x) => x !== undefined))];
    expect(restarts).toHaveLength(CYCLES);
    const slowCanary = (i: StoredInterval): number =>
      (i.observation.canary?.latency ?? []).slice(3).reduce((a, b) => a + b, 0);
    for (const at of restarts) {
      const after = stored.filter((i) => i.observation.restartedAt === at);
      const inWarmup = after.filter((i) => i.observation.t - at <= WARMUP_S + 1e-9);
      expect(inWarmup.length).toBeGreaterThan(0);
      expect(inWarmup.every((i) => i.assessment.warmup === true && i.assessment.verdict === 'inconclusive')).toBe(true);
      expect(inWarmup.map(slowCanary).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(after.filter((i) => i.observation.t - at > WARMUP_S).every((i) => i.assessment.warmup !== true)).toBe(
        true,
      );
    }
    expect(stored.map((i) => i.assessment.verdict)).not.toContain('fail');

    // The evidence records each restart and its warm-up.
    const dir = join(cwd, '.evidence', 'maestro-api', 'r1');
    expect(readdirSync(dir)).toContain('decisions.jsonl');
    const notes = readFileSync(join(dir, 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; topic?: string; details?: { restartedAt: number } })
      .filter((r) => r.kind === 'note' && r.topic === 'restart');
    expect(notes.map((n) => n.details?.restartedAt)).toEqual(restarts);
  }, 180_000);
});
