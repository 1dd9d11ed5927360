import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { identify, isSameProcess } from './process-identity.js';
import type { StateStore } from './state-store.js';

/** Another live controller owns the rollout. */
export class RolloutLockedError extends AppError {
  override name = 'RolloutLockedError';
  constructor(rolloutId: string, holder: { pid: number; host: string; ageMs: number }) {
    super(
      'E_LOCKED',
      `rollout ${rolloutId} is being driven by another controller (pid ${holder.pid}` +
        ` on ${holder.host}, heartbeat ${Math.round(holder.ageMs / 100) / 10}s ` +
        `ago); refusing to run a second one`,
      ExitCode.usage,
    );
  }
}

export interface LockRow {
  owner: string;
  pid: number;
  host: string;
  heartbeat_at: number;
  pid_start: string | null;
}

/**
 * A lock holder is live while its heartbeat is fresh and, on this host, the very process that took it still
 * runs (its pid with the same /proc start time: a recycled pid does not count). This is the one definition of
 * "provably running" (docs/security.md), shared by the lock and `evidence verify`.
 */
export function lockHolderLive(row: LockRow, now: number, staleMs: number, host = hostname()): boolean {
  const fresh = now - row.heartbeat_at < staleMs;
  if (row.host !== host) return fresh;
  return fresh && isSameProcess({ pid: row.pid, ...(row.pid_start ? { start: row.pid_start } : {}) });
}

export const DEFAULT_LOCK_STALE_MS = 10_000;

/** Throws RolloutLockedError when a live controller holds the rollout (checked before touching its processes). */
export function assertLockFree(store: StateStore, rolloutId: string, staleMs = DEFAULT_LOCK_STALE_MS): void {
  const row = store.db
    .prepare('SELECT owner, pid, host, heartbeat_at, pid_start FROM locks WHERE rollout_id = ?')
    .get(rolloutId) as LockRow | undefined;
  const now = Date.now();
  if (row && lockHolderLive(row, now, staleMs)) {
    throw new RolloutLockedError(rolloutId, { pid: row.pid, host: row.host, ageMs: now - row.heartbeat_at });
  }
}

/**
 * One controller per rollout: a lock row with owner, pid, host and a heartbeat, taken in an IMMEDIATE
 * transaction. A holder is live while its heartbeat is fresh, and (same host) its pid exists — so a controller
 * killed with `kill -9` is replaced at once on restart, while a second live one is refused.
 */
export class RolloutLock {
  private timer: NodeJS.Timeout | undefined;
  readonly owner = randomUUID();

  private constructor(
    private readonly store: StateStore,
    readonly rolloutId: string,
    private readonly staleMs: number,
  ) {}

  static acquire(
    store: StateStore,
    rolloutId: string,
    opts: { staleMs?: number; now?: () => number } = {},
  ): RolloutLock {
    const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS;
    const now = opts.now ?? Date.now;
    const lock = new RolloutLock(store, rolloutId, staleMs);
    const host = hostname();
    store.db
      .transaction(() => {
        const row = store.db
          .prepare('SELECT owner, pid, host, heartbeat_at, pid_start FROM locks WHERE rollout_id = ?')
          .get(rolloutId) as LockRow | undefined;
        if (row && lockHolderLive(row, now(), staleMs, host)) {
          throw new RolloutLockedError(rolloutId, { pid: row.pid, host: row.host, ageMs: now() - row.heartbeat_at });
        }
        store.db
          .prepare(
            'INSERT OR REPLACE INTO locks (rollout_id, owner, pid, host, ' +
              'heartbeat_at, pid_start) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(rolloutId, lock.owner, process.pid, host, now(), identify(process.pid).start ?? null);
      })
      .immediate();
    lock.timer = setInterval(() => lock.beat(now()), Math.max(200, Math.floor(staleMs / 3)));
    lock.timer.unref();
    return lock;
  }

  private beat(at: number): void {
    if (!this.store.db.open) return;
    this.store.db
      .prepare('UPDATE locks SET heartbeat_at = ? WHERE rollout_id = ? AND owner = ?')
      .run(at, this.rolloutId, this.owner);
  }

  release(): void {
    clearInterval(this.timer);
    if (this.store.db.open)
      this.store.db.prepare('DELETE FROM locks WHERE rollout_id = ? AND owner = ?').run(this.rolloutId, this.owner);
  }
}
