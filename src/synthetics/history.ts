import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FlowResult } from './results.js';
import { computeUptime, type RunRow, type UptimeReport } from './uptime.js';

/** The probe history: every final flow result, in SQLite (WAL), for `uptime` and the controller. */
export interface ProbeHistory {
  /** Stores one (already redacted) result; synchronous, so a result is on disk when this returns. */
  record(result: FlowResult): void;
  /** Uptime and reachability over `[now - windowMs, now]`, optionally for one suite. */
  uptime(options: { windowMs: number; now?: number; suite?: string }): UptimeReport;
  /** How many results are stored (optionally for one suite). */
  count(suite?: string): number;
  /** Results newest first. */
  recent(limit: number, suite?: string): FlowResult[];
  close(): void;
}

/**
 * Opens (creating if needed) a history database.
 *
 * @example
 * const history = openHistory('.syntheticsctl/maestro-api-canary.db');
 * history.record(await runFlow(prepared, 'login-and-order'));
 * const { uptime } = history.uptime({ windowMs: 7 * 86_400_000 });
 */
export function openHistory(file: string): ProbeHistory {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    suite TEXT NOT NULL, flow TEXT NOT NULL, target TEXT NOT NULL,
    started_at INTEGER NOT NULL, duration_ms REAL NOT NULL, interval_ms INTEGER NOT NULL,
    status TEXT NOT NULL, success INTEGER NOT NULL, first_attempt_success INTEGER NOT NULL, retries INTEGER NOT NULL,
    result TEXT NOT NULL)`);
  db.exec('CREATE INDEX IF NOT EXISTS results_suite_time ON results (suite, started_at)');
  const insert =
    db.prepare(`INSERT INTO results (suite, flow, target, started_at, duration_ms, interval_ms, status, success,
    first_attempt_success, retries, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const rowsSince = db.prepare<[string, string, number]>(
    `SELECT flow, started_at AS startedAt, success, interval_ms AS intervalMs FROM results
     WHERE (? = '' OR suite = ?) AND started_at >= ? ORDER BY started_at`,
  );
  return {
    record(r) {
      insert.run(
        r.suite,
        r.flow,
        r.baseUrl,
        r.startedAt,
        r.durationMs,
        r.intervalMs,
        r.status,
        r.success ? 1 : 0,
        r.firstAttemptStatus === 'failed' ? 0 : 1,
        r.retries,
        JSON.stringify(r),
      );
    },
    uptime({ windowMs, now = Date.now(), suite = '' }) {
      const rows = (
        rowsSince.all(suite, suite, now - windowMs) as (Omit<RunRow, 'success'> & { success: number })[]
      ).map((r) => ({ ...r, success: r.success === 1 }));
      return computeUptime(rows, { windowMs, now });
    },
    count(suite = '') {
      return (
        db.prepare(`SELECT count(*) AS n FROM results WHERE (? = '' OR suite = ?)`).get(suite, suite) as { n: number }
      ).n;
    },
    recent(limit, suite = '') {
      const rows = db
        .prepare(`SELECT result FROM results WHERE (? = '' OR suite = ?) ORDER BY id DESC LIMIT ?`)
        .all(suite, suite, limit) as { result: string }[];
      return rows.map((row) => JSON.parse(row.result) as FlowResult);
    },
    close() {
      if (db.open) db.close();
    },
  };
}

/** Where `run` and `uptime` keep a suite's history unless `--db` says otherwise. */
export function defaultHistoryFile(cwd: string, suiteName: string): string {
  return `${cwd}/.syntheticsctl/${suiteName}.db`;
}
