import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { StateStore } from './state-store.js';

/** Another live controller owns the rollout. */
export class RolloutLockedError extends AppError {
  override name = 'RolloutLockedError';
  constructor(rolloutId: string, holder: { pid: number; host: string; ageMs: number }) {
    super(
      'E_LOCKED',
      `rollout ${rolloutId} is being driven by another controller (pid ${holder.pid} on ${holder.host}, heartbeat ${Math.round(holder.ageMs / 100) / 10}s ago); refusing to run a second one`,
      ExitCode.usage,
    );
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
    const staleMs = opts.staleMs ?? 10_000;
    const now = opts.now ?? Date.now;
    const lock = new RolloutLock(store, rolloutId, staleMs);
    const host = hostname();
    store.db
      .transaction(() => {
        const row = store.db
          .prepare('SELECT owner, pid, host, heartbeat_at FROM locks WHERE rollout_id = ?')
          .get(rolloutId) as { owner: string; pid: number; host: string; heartbeat_at: number } | undefined;
        if (row) {
          const ageMs = now() - row.heartbeat_at;
          const alive = row.host === host ? pidAlive(row.pid) && ageMs < staleMs : ageMs < staleMs;
          if (alive) throw new RolloutLockedError(rolloutId, { pid: row.pid, host: row.host, ageMs });
        }
        store.db
          .prepare('INSERT OR REPLACE INTO locks (rollout_id, owner, pid, host, heartbeat_at) VALUES (?, ?, ?, ?, ?)')
          .run(rolloutId, lock.owner, process.pid, host, now());
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
