import type { EvidenceRecord, RolloutMeta } from '../schema/evidence.js';
import type { ChainHead, ChainProblem } from './chain.js';

/**
 * What the controller's own records say about a rollout, read outside the evidence folder (the state database):
 * `running` only when a live controller holds its lock (see docs/security.md "provably running").
 */
export type RolloutLiveness =
  | { state: 'running'; pid: number; host: string }
  | { state: 'interrupted'; phase: string }
  | { state: 'finished'; phase: string };

/** How a chain ends: with its terminal record, or why it may legitimately have none. */
export type ChainStatus = 'finished' | 'running' | 'interrupted' | 'unfinished';

export interface CompletenessInput {
  records: readonly EvidenceRecord[];
  /** head.json as found; undefined when missing or unreadable. */
  head: ChainHead | undefined;
  /** meta.json as found (undefined when missing): a second, weaker copy of the head and the outcome. */
  meta: RolloutMeta | undefined;
  liveness: RolloutLiveness | undefined;
}

export interface Completeness {
  status: ChainStatus;
  problem?: ChainProblem;
}

/**
 * A chain proves its own integrity record by record; completeness needs more. A finished rollout ends in a
 * `finish` record (marks and notes may follow it); head.json must exist unless a live controller is still
 * writing; and every outside copy of the end (meta.json's head and outcome, the state database's phase) must not
 * be ahead of the file. What a forger who rewrites all of these at once can still do is in docs/security.md.
 */
export function checkCompleteness(c: CompletenessInput): Completeness {
  const last = c.records.at(-1);
  const end: ChainHead = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: '0'.repeat(64) };
  const next = end.seq + 1;
  const finish = c.records.find((r) => r.kind === 'finish');
  const cut = (reason: string): Completeness => ({
    status: finish ? 'finished' : 'unfinished',
    problem: { seq: next, line: next, reason },
  });
  if (finish) {
    const after = c.records.find((r) => r.seq > finish.seq && r.kind === 'decision');
    if (after) {
      return cut(`decision record ${after.seq} follows the finish record ${finish.seq} (only marks and notes may)`);
    }
  }
  const running = c.liveness?.state === 'running';
  if (!c.head && !running) {
    const what = c.records.length === 0 ? 'the chain is empty and head.json is missing' : 'head.json is missing';
    return cut(
      `${what}: the end of the chain cannot be checked (records may have ` +
        `been cut off), and no live controller holds the rollout`,
    );
  }
  const metaSeq = c.meta?.head?.seq ?? 0;
  if (metaSeq > end.seq) {
    return cut(`truncated: meta.json records the head at record ${metaSeq}, the file ends at ${end.seq}`);
  }
  if (finish) return { status: 'finished' };
  if (c.meta?.outcome) {
    return cut(`no finish record: meta.json says the rollout ${c.meta.outcome}, the chain ends at record ${end.seq}`);
  }
  if (c.liveness?.state === 'finished') {
    return cut(
      `no finish record: the controller state says the rollout is ${c.liveness.phase}` +
        `, the chain ends at record ${end.seq}`,
    );
  }
  if (running) return { status: 'running' };
  if (c.liveness?.state === 'interrupted') return { status: 'interrupted' };
  return { status: 'unfinished' };
}

/** A word for lists: the outcome when finished, else how the chain ends. */
export function statusLabel(status: ChainStatus, outcome: string | null): string {
  if (status === 'finished') return outcome ?? 'finished';
  if (status === 'running') return 'in flight';
  if (status === 'interrupted') return 'interrupted';
  return 'unfinished';
}
