import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from './process-identity.js';
import { RolloutLock } from './rollout-lock.js';
import { openLiveness } from './rollout-liveness.js';
import { StateStore } from './state-store.js';

/** A real SQLite state file with one rollout row in `phase`. */
async function stateWith(phase: string): Promise<{ file: string; store: StateStore }> {
  const file = join(mkdtempSync(join(tmpdir(), 'liveness-')), 'state.db');
  const store = await StateStore.open(file);
  store.db
    .prepare('INSERT INTO rollouts (id, service, meta, state, phase, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run('r1', 'svc', '{}', '{}', phase, Date.now());
  return { file, store };
}

describe('openLiveness (the state database as the outside witness of a running rollout)', () => {
  it('running while a live controller holds the lock, interrupted once it released it', async () => {
    const { file, store } = await stateWith('progressing');
    const lock = RolloutLock.acquire(store, 'r1');
    const reader = await openLiveness(file);
    expect(reader.liveness('r1')).toMatchObject({ state: 'running', pid: process.pid });
    lock.release();
    expect(reader.liveness('r1')).toEqual({ state: 'interrupted', phase: 'progressing' });
    expect(reader.liveness('unknown')).toBeUndefined();
    reader.close();
    store.close();
  });

  it('a lock row whose pid now belongs to another process (recycled pid) is not a live holder', async () => {
    const { file, store } = await stateWith('progressing');
    const start = processStart(process.pid);
    expect(start).toBeDefined();
    store.db
      .prepare('INSERT INTO locks (rollout_id, owner, pid, host, heartbeat_at, pid_start) VALUES (?, ?, ?, ?, ?, ?)')
      .run('r1', 'old', process.pid, (await import('node:os')).hostname(), Date.now(), `${start}9`);
    const reader = await openLiveness(file);
    expect(reader.liveness('r1')).toEqual({ state: 'interrupted', phase: 'progressing' });
    reader.close();
    store.close();
  });

  it('finished phases and a missing database', async () => {
    const { file, store } = await stateWith('rolled-back');
    const reader = await openLiveness(file);
    expect(reader.liveness('r1')).toEqual({ state: 'finished', phase: 'rolled-back' });
    reader.close();
    store.close();
    expect((await openLiveness(join(tmpdir(), 'no-such-state.db'))).liveness('r1')).toBeUndefined();
  });
});
