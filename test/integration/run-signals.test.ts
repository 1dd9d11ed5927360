import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../src/controller/process-identity.js';
import { freePort } from '../support/free-port.js';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { spawnCli, upstreamWorkspace as workspace, waitFor } from './controller-helpers.js';

/**
 * `run` with upstream COMMANDS (real child processes, their own process groups) stopped by SIGTERM and by
 * kill -9: what is left running, in the state database and in the evidence afterwards.
 */
function query<T>(stateFile: string, sql: string): T[] {
  try {
    const db = new Database(stateFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** Alive and not a zombie (orphans are reparented; /proc tells an unreaped corpse from a running process). */
const alive = (pid: number): boolean => pidAlive(pid);

const upstreams = (cwd: string): { role: string; pid: number }[] =>
  query(join(cwd, 'state.db'), 'SELECT role, pid FROM processes ORDER BY role');

describe('run and signals (built CLI, real upstream processes)', () => {
  it('SIGTERM stops the upstreams it started, frees the lock and leaves the rollout resumable', async () => {
    const { cwd, args } = await workspace();
    const run = spawnCli(args, cwd);
    await waitFor(() => /starting rollout r1/.test(run.out()) && upstreams(cwd).length === 2, 30_000, 'the start');
    const pids = upstreams(cwd).map((u) => u.pid);
    expect(pids.every(alive)).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/SIGTERM: stopping; rollout r1 stays at its step/);
    expect(pids.filter(alive)).toEqual([]);
    expect(query(join(cwd, 'state.db'), 'SELECT * FROM locks')).toEqual([]);
    expect(upstreams(cwd)).toEqual([]);
    expect(query<{ phase: string }>(join(cwd, 'state.db'), 'SELECT phase FROM rollouts')).toEqual([
      { phase: 'progressing' },
    ]);
    // The next run resumes it rather than starting over.
    const again = spawnCli(args, cwd);
    await waitFor(() => /resuming rollout r1/.test(again.out()), 30_000, 'the resume');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 90_000);

  it('after kill -9, the restarted run stops the upstreams the dead one left running', async () => {
    const { cwd, args } = await workspace();
    const first = spawnCli(args, cwd);
    await waitFor(() => /starting rollout r1/.test(first.out()) && upstreams(cwd).length === 2, 30_000, 'the start');
    const orphans = upstreams(cwd).map((u) => u.pid);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(orphans.every(alive)).toBe(true);
    const second = spawnCli(args, cwd);
    await waitFor(() => /resuming rollout r1/.test(second.out()), 30_000, 'the resume');
    expect(second.out()).toMatch(/stopping the canary \(pid \d+, `node server\.js`\) left running by an earlier/);
    expect(orphans.filter(alive)).toEqual([]);
    const fresh = upstreams(cwd).map((u) => u.pid);
    expect(fresh).toHaveLength(2);
    expect(fresh.some((p) => orphans.includes(p))).toBe(false);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(fresh.filter(alive)).toEqual([]);
  }, 90_000);

  it('sample-service and syntheticsctl run stop cleanly on SIGTERM (port freed, history closed)', async () => {
    const { cwd } = await workspace();
    const port = await freePort();
    const service = spawnCli(['sample-service', '--listen', `127.0.0.1:${port}`], cwd);
    await waitFor(() => /listening on/.test(service.out()), 30_000, 'the sample service');
    writeFileSync(
      join(cwd, 'suite.yaml'),
      `apiVersion: syntheticsctl/v1
kind: ProbeSuite
metadata: {name: it}
spec:
  baseUrl: http://127.0.0.1:${port}
  interval: 200ms
  timeout: 150ms
  flows: [{name: f, steps: [{name: s, request: {path: /healthz}}]}]
`,
    );
    const metricsPort = await freePort();
    const bin = resolve(import.meta.dirname, '../../dist/bin/syntheticsctl.js');
    const args = ['run', 'suite.yaml', '--listen', `127.0.0.1:${metricsPort}`, '--db', 'probes.db', '--quiet'];
    const probes = spawn(process.execPath, [bin, ...args], { cwd });
    let text = '';
    probes.stderr.on('data', (b: Buffer) => (text += b.toString()));
    probes.stdout.on('data', (b: Buffer) => (text += b.toString()));
    const probesExited = new Promise<number | null>((r) => probes.on('close', r));
    await waitFor(() => query(join(cwd, 'probes.db'), 'SELECT 1 FROM sqlite_master').length > 0, 30_000, 'history');
    await waitFor(() => /syntheticsctl run:/.test(text), 30_000, 'the daemon');
    probes.kill('SIGTERM');
    expect(await probesExited).toBe(0);
    expect(text).toMatch(/SIGTERM: finishing probes in flight[\s\S]*stopped; \d+ results recorded/);
    // Closed, not just abandoned: the history opens for writing at once.
    const db = new Database(join(cwd, 'probes.db'));
    db.exec('BEGIN IMMEDIATE; COMMIT;');
    db.close();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.out()).toMatch(/stopped \(SIGTERM\)/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 90_000);
});
