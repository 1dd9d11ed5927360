import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Assessment } from '../engine/assessment.js';
import type { RolloutDecision, RolloutState } from '../engine/rollout-machine.js';
import type { RolloutPlan } from '../engine/rollout-plan.js';
import type { PolicySpec } from '../schema/policy.js';
import type { IntervalObservation } from '../schema/observation.js';
import { FileError } from '../errors.js';
import type { IntervalPoint } from './view.js';

/** Where `run` and `demo` keep the controller state, relative to the working directory. */
export const DEFAULT_STATE_FILE = '.adaptive-canary/state.db';

/** Facts about a rollout fixed when it starts. */
export interface RolloutMeta {
  id: string;
  service: string;
  plan: RolloutPlan;
  policy: PolicySpec;
  /** Epoch ms the fault was injected (demo, drill), for time-to-decide. */
  onsetAt: number | null;
  evidenceDir: string | null;
}

export interface StoredRollout {
  meta: RolloutMeta;
  state: RolloutState;
  rollbackDecidedAt: number | null;
  rollbackConfirmedAt: number | null;
  intervals: StoredInterval[];
  decisions: StoredDecision[];
}

export interface StoredInterval {
  seq: number;
  observation: IntervalObservation;
  assessment: Assessment;
  point: IntervalPoint;
}

export interface StoredDecision {
  seq: number;
  decision: RolloutDecision;
  /** Outbox flags: null until the webhook was handed over / the evidence record written. */
  notifiedAt: number | null;
  recordedAt: number | null;
}

/** One transition, written in one transaction: a crash leaves either all of it or none. */
export interface TransitionWrite {
  state: RolloutState;
  interval?: Omit<StoredInterval, 'seq'>;
  decision?: RolloutDecision;
  rollback?: { decidedAt: number; confirmedAt: number };
}

const SCHEMA =
  `
CREATE TABLE IF NOT EXISTS rollouts (
  id TEXT PRIMARY KEY, service TEXT NOT NULL, meta TEXT NOT NULL, state TEXT NOT NULL, phase TEXT NOT NULL,
  rollback_decided_at INTEGER, rollback_confirmed_at INTEGER, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS intervals (
  rollout_id TEXT NOT NULL, seq INTEGER NOT NULL, observation TEXT NOT NULL, assessment TEXT NOT NULL, point TEXT ` +
  `NOT NULL,
  PRIMARY KEY (rollout_id, seq));
CREATE TABLE IF NOT EXISTS decisions (
  rollout_id TEXT NOT NULL, seq INTEGER NOT NULL, decision TEXT NOT NULL, notified_at INTEGER, recorded_at INTEGER,
  PRIMARY KEY (rollout_id, seq));
CREATE TABLE IF NOT EXISTS locks (
  rollout_id TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, heartbeat_at INTEGER ` +
  `NOT NULL);
CREATE TABLE IF NOT EXISTS processes (
  rollout_id TEXT NOT NULL, role TEXT NOT NULL, pid INTEGER NOT NULL, pid_start TEXT, host TEXT NOT NULL,
  command TEXT NOT NULL, started_at INTEGER NOT NULL, PRIMARY KEY (rollout_id, role));
`;

/** Columns added after the first release: databases written by an older version gain them on open. */
const ADDED_COLUMNS: { table: string; column: string; type: string }[] = [
  { table: 'locks', column: 'pid_start', type: 'TEXT' },
];

function migrate(db: Database.Database): void {
  for (const c of ADDED_COLUMNS) {
    const cols = db.prepare(`PRAGMA table_info(${c.table})`).all() as { name: string }[];
    if (!cols.some((x) => x.name === c.column)) db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.type}`);
  }
}

/**
 * Controller state in SQLite (WAL, synchronous=FULL): every transition is one transaction, so after `kill -9`
 * the controller finds the rollout at the step it had reached, with every observation needed to rebuild the
 * judge (the engine is deterministic) and an outbox of decisions whose webhooks or evidence are pending.
 */
export class StateStore {
  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<StateStore> {
    const { default: Sqlite } = await import('better-sqlite3');
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const db = new Sqlite(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      migrate(db);
      return new StateStore(db, file);
    } catch (err) {
      throw new FileError(file, `cannot open the controller state database: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Opens an existing state database for reading only (preflight): never creates the file or the schema. */
  static async openReadOnly(file: string): Promise<StateStore> {
    const { default: Sqlite } = await import('better-sqlite3');
    try {
      return new StateStore(new Sqlite(file, { readonly: true, fileMustExist: true }), file);
    } catch (err) {
      throw new FileError(file, `cannot open the controller state database: ${(err as Error).message}`, { cause: err });
    }
  }

  create(meta: RolloutMeta, state: RolloutState, now: number): void {
    this.db
      .prepare('INSERT INTO rollouts (id, service, meta, state, phase, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(meta.id, meta.service, JSON.stringify(meta), JSON.stringify(state), state.phase, now);
  }

  updateMeta(meta: RolloutMeta): void {
    this.db.prepare('UPDATE rollouts SET meta = ? WHERE id = ?').run(JSON.stringify(meta), meta.id);
  }

  /** `intervalsAfter`: only the intervals with a higher seq (they are numbered 1, 2, … per rollout). */
  load(id: string, opts: { intervalsAfter?: number } = {}): StoredRollout | undefined {
    const row = this.db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined;
    if (!row) return undefined;
    const intervals = (
      this.db
        .prepare('SELECT * FROM intervals WHERE rollout_id = ? AND seq > ? ORDER BY seq')
        .all(id, opts.intervalsAfter ?? 0) as IntervalRow[]
    ).map((r) => ({
      seq: r.seq,
      observation: JSON.parse(r.observation) as IntervalObservation,
      assessment: JSON.parse(r.assessment) as Assessment,
      point: JSON.parse(r.point) as IntervalPoint,
    }));
    const decisions = (
      this.db.prepare('SELECT * FROM decisions WHERE rollout_id = ? ORDER BY seq').all(id) as DecisionRow[]
    ).map((r) => ({
      seq: r.seq,
      decision: JSON.parse(r.decision) as RolloutDecision,
      notifiedAt: r.notified_at,
      recordedAt: r.recorded_at,
    }));
    return {
      meta: JSON.parse(row.meta) as RolloutMeta,
      state: JSON.parse(row.state) as RolloutState,
      rollbackDecidedAt: row.rollback_decided_at,
      rollbackConfirmedAt: row.rollback_confirmed_at,
      intervals,
      decisions,
    };
  }

  /** Ids of rollouts of a service, newest first. */
  list(service?: string): { id: string; phase: string }[] {
    const sql = `SELECT id, phase FROM rollouts ${service ? 'WHERE service = ?' : ''} ORDER BY updated_at DESC`;
    return (service ? this.db.prepare(sql).all(service) : this.db.prepare(sql).all()) as {
      id: string;
      phase: string;
    }[];
  }

  /**
   * Every stored interval of a service's rollouts that ended in (fromMs, toMs], by the interval's wall-clock end
   * (`point.at`), oldest first. A rollout last written at or before fromMs cannot hold one, so it is not read.
   */
  intervalsEndingIn(
    service: string,
    fromMs: number,
    toMs: number,
  ): (StoredInterval & { rolloutId: string; endedAt: number })[] {
    const rows = this.db
      .prepare(
        'SELECT i.rollout_id, i.seq, i.observation, i.assessment, i.point FROM ' +
          'intervals i JOIN rollouts r ON r.id = i.rollout_id WHERE r.service = ' +
          '? AND r.updated_at > ?',
      )
      .all(service, fromMs) as (IntervalRow & { rollout_id: string })[];
    return rows
      .map((r) => {
        const point = JSON.parse(r.point) as IntervalPoint;
        return {
          rolloutId: r.rollout_id,
          seq: r.seq,
          endedAt: Date.parse(point.at),
          point,
          observation: JSON.parse(r.observation) as IntervalObservation,
          assessment: JSON.parse(r.assessment) as Assessment,
        };
      })
      .filter((i) => i.endedAt > fromMs && i.endedAt <= toMs)
      .sort((a, b) => a.endedAt - b.endedAt);
  }

  /** Writes one transition atomically; returns the decision's sequence number when there was one. */
  write(id: string, w: TransitionWrite, now: number): number | undefined {
    const tx = this.db.transaction((): number | undefined => {
      this.db
        .prepare('UPDATE rollouts SET state = ?, phase = ?, updated_at = ? WHERE id = ?')
        .run(JSON.stringify(w.state), w.state.phase, now, id);
      if (w.rollback) {
        this.db
          .prepare(
            'UPDATE rollouts SET rollback_decided_at = ?, rollback_confirmed_at = ' +
              '? WHERE id = ? AND rollback_decided_at IS NULL',
          )
          .run(w.rollback.decidedAt, w.rollback.confirmedAt, id);
      }
      if (w.interval) {
        const seq = this.nextSeq('intervals', id);
        this.db
          .prepare('INSERT INTO intervals (rollout_id, seq, observation, assessment, point) VALUES (?, ?, ?, ?, ?)')
          .run(
            id,
            seq,
            JSON.stringify(w.interval.observation),
            JSON.stringify(w.interval.assessment),
            JSON.stringify(w.interval.point),
          );
      }
      if (!w.decision) return undefined;
      const seq = this.nextSeq('decisions', id);
      this.db
        .prepare('INSERT INTO decisions (rollout_id, seq, decision) VALUES (?, ?, ?)')
        .run(id, seq, JSON.stringify(w.decision));
      return seq;
    });
    return tx.immediate();
  }

  markNotified(id: string, seq: number, at: number): void {
    this.db.prepare('UPDATE decisions SET notified_at = ? WHERE rollout_id = ? AND seq = ?').run(at, id, seq);
  }

  markRecorded(id: string, seq: number, at: number): void {
    this.db.prepare('UPDATE decisions SET recorded_at = ? WHERE rollout_id = ? AND seq = ?').run(at, id, seq);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private nextSeq(table: 'intervals' | 'decisions', id: string): number {
    const r = this.db.prepare(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table} WHERE rollout_id = ?`).get(id) as {
      n: number;
    };
    return r.n;
  }
}

interface RolloutRow {
  meta: string;
  state: string;
  rollback_decided_at: number | null;
  rollback_confirmed_at: number | null;
}
interface IntervalRow {
  seq: number;
  observation: string;
  assessment: string;
  point: string;
}
interface DecisionRow {
  seq: number;
  decision: string;
  notified_at: number | null;
  recorded_at: number | null;
}
