import { hostname } from 'node:os';
import { AppError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isSameProcess, pidAlive, type ProcessIdentity } from './process-identity.js';
import type { StateStore } from './state-store.js';

/** Upstream commands left running by a controller that died, which this one could not stop. */
export class OrphanUpstreamsError extends AppError {
  override name = 'OrphanUpstreamsError';
  constructor(rolloutId: string, left: string[]) {
    super(
      'E_ORPHAN_UPSTREAMS',
      `rollout ${rolloutId}: upstream processes started by an earlier ` +
        `controller are still running and could not be stopped: ${left.join('; ')}` +
        `. Stop them, then run again`,
      ExitCode.usage,
    );
  }
}

interface ProcessRow {
  role: string;
  pid: number;
  pid_start: string | null;
  host: string;
  command: string;
}

/**
 * The processes `run` starts (the stable and canary commands), recorded in the state database the moment they
 * are spawned: a controller killed with `kill -9` cannot stop them, so the next one must. A pid alone could by
 * then name an unrelated process; the /proc start time recorded with it tells (see process-identity.ts).
 */
export function recordUpstream(
  store: StateStore,
  rolloutId: string,
  role: string,
  id: ProcessIdentity,
  command: string,
): void {
  store.db
    .prepare(
      'INSERT OR REPLACE INTO processes (rollout_id, role, pid, pid_start, ' +
        'host, command, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(rolloutId, role, id.pid, id.start ?? null, hostname(), command, Date.now());
}

/** After this controller stopped its upstreams itself. */
export function forgetUpstreams(store: StateStore, rolloutId: string): void {
  if (store.db.open) store.db.prepare('DELETE FROM processes WHERE rollout_id = ?').run(rolloutId);
}

/**
 * Before starting new upstreams: stops (SIGTERM to the process group, SIGKILL after `graceMs`) every recorded
 * upstream of the rollout that is still the process that was started; a pid now held by another process is
 * only forgotten. Throws OrphanUpstreamsError naming the ones that would not stop. Call it only once this
 * controller knows no live controller holds the rollout (they would be that controller's upstreams).
 */
export async function reapUpstreams(
  store: StateStore,
  rolloutId: string,
  say: (message: string) => void,
  graceMs = 3_000,
): Promise<void> {
  const rows = store.db
    .prepare('SELECT role, pid, pid_start, host, command FROM processes WHERE rollout_id = ?')
    .all(rolloutId) as ProcessRow[];
  const here = hostname();
  const left: string[] = [];
  for (const row of rows) {
    const id: ProcessIdentity = { pid: row.pid, ...(row.pid_start ? { start: row.pid_start } : {}) };
    const what = `${row.role} (pid ${row.pid}, \`${row.command}\`)`;
    if (row.host !== here) {
      left.push(`${what} on ${row.host}`);
      continue;
    }
    if (!isSameProcess(id)) continue;
    say(`stopping the ${what} left running by an earlier controller`);
    if (!(await stopGroup(id, graceMs))) left.push(what);
  }
  if (left.length > 0) throw new OrphanUpstreamsError(rolloutId, left);
  forgetUpstreams(store, rolloutId);
}

async function stopGroup(id: ProcessIdentity, graceMs: number): Promise<boolean> {
  for (const [signal, waitMs] of [
    ['SIGTERM', graceMs],
    ['SIGKILL', 1_000],
  ] as const) {
    try {
      // The commands run in their own process group (detached), led by the recorded pid.
      process.kill(-id.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') return false;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isSameProcess(id)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return !pidAlive(id.pid) || !isSameProcess(id);
}
