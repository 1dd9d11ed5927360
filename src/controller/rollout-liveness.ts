import { existsSync } from 'node:fs';
import type { RolloutLiveness } from '../evidence/completeness.js';
import { DEFAULT_LOCK_STALE_MS, lockHolderLive, type LockRow } from './rollout-lock.js';
import { StateStore } from './state-store.js';

const FINISHED = new Set(['promoted', 'rolled-back']);

export interface LivenessReader {
  liveness: (rolloutId: string) => RolloutLiveness | undefined;
  close(): void;
}

/**
 * What the controller state database says about rollouts, for `evidence verify|list`: running (a live lock
 * holder), interrupted (unfinished, nobody holds it) or finished. No database: it knows nothing, and says so
 * with undefined rather than guessing.
 */
export async function openLiveness(stateFile: string, now: () => number = Date.now): Promise<LivenessReader> {
  if (!existsSync(stateFile)) return { liveness: () => undefined, close: () => undefined };
  const store = await StateStore.openReadOnly(stateFile);
  const hasTable = (name: string): boolean =>
    store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  const tables = { rollouts: hasTable('rollouts'), locks: hasTable('locks') };
  return {
    liveness(rolloutId) {
      if (!tables.rollouts) return undefined;
      const row = store.db.prepare('SELECT phase FROM rollouts WHERE id = ?').get(rolloutId) as
        { phase: string } | undefined;
      if (!row) return undefined;
      if (FINISHED.has(row.phase)) return { state: 'finished', phase: row.phase };
      const lock = tables.locks
        ? (store.db.prepare('SELECT * FROM locks WHERE rollout_id = ?').get(rolloutId) as LockRow | undefined)
        : undefined;
      if (lock && lockHolderLive({ ...lock, pid_start: lock.pid_start ?? null }, now(), DEFAULT_LOCK_STALE_MS)) {
        return { state: 'running', pid: lock.pid, host: lock.host };
      }
      return { state: 'interrupted', phase: row.phase };
    },
    close: () => store.close(),
  };
}
