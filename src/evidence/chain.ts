import { z } from 'zod';
import { evidenceRecord, GENESIS_HASH, type EvidenceRecord } from '../schema/evidence.js';
import { canonicalJson, recordHash } from './canonical.js';

/** Where and why a chain stops being trustworthy. `seq` is the record position expected there. */
export interface ChainProblem {
  seq: number;
  line: number;
  reason: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface ChainCheck {
  ok: boolean;
  /** Records that parsed, in file order (including ones after a problem, for display). */
  records: EvidenceRecord[];
  head: ChainHead;
  firstBad?: ChainProblem;
  /** Bytes after the last newline: a record torn by a crash mid-write (never acknowledged). */
  tornTail?: string;
}

/**
 * Checks the text of decisions.jsonl line by line: canonical form (any byte edit), schema, own hash (content
 * edits), consecutive seq (deletion, duplication, reordering) and prevHash (insertion, replacement). `anchor`
 * is head.json, written after every append: it catches records cut off the end, which a chain alone cannot.
 */
export function checkChain(text: string, anchor?: ChainHead): ChainCheck {
  const pieces = text.split('\n');
  const tail = pieces.pop() ?? '';
  const records: EvidenceRecord[] = [];
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  let firstBad: ChainProblem | undefined;
  pieces.forEach((line, i) => {
    const parsed = parseLine(line);
    if (parsed.record) records.push(parsed.record);
    const problem = parsed.problem ?? linkProblem(parsed.record!, head);
    if (problem && !firstBad) firstBad = { seq: head.seq + 1, line: i + 1, reason: problem };
    if (!firstBad && parsed.record) head = { seq: parsed.record.seq, hash: parsed.record.hash };
  });
  firstBad ??= tailProblem(tail, head, pieces.length, anchor, records);
  return { ok: !firstBad, records, head, ...(firstBad ? { firstBad } : {}), ...(tail ? { tornTail: tail } : {}) };
}

function parseLine(line: string): { record?: EvidenceRecord; problem?: string } {
  if (line.trim() === '') return { problem: 'blank line inserted' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'not valid JSON (edited or truncated)' };
  }
  const result = evidenceRecord.safeParse(value);
  if (!result.success)
    return { problem: `not an evidence record: ${z.prettifyError(result.error).split('\n').join(' ')}` };
  if (canonicalJson(value) !== line)
    return { record: result.data, problem: `record ${result.data.seq} was edited (line is not in its written form)` };
  if (recordHash(value as Record<string, unknown>) !== result.data.hash) {
    return {
      record: result.data,
      problem: `record ${result.data.seq} was edited (its content does not match its hash)`,
    };
  }
  return { record: result.data };
}

function linkProblem(record: EvidenceRecord, prev: ChainHead): string | undefined {
  const expected = prev.seq + 1;
  if (record.seq > expected)
    return (
      `record ${expected}${record.seq > expected + 1 ? `–${record.seq - 1}` : ''}` +
      ` missing (deleted or reordered): found seq ${record.seq}`
    );
  if (record.seq < expected) return `seq ${record.seq} appears after seq ${prev.seq} (duplicated or reordered)`;
  if (record.prevHash !== prev.hash) {
    return (
      `record ${record.seq} does not follow record ${prev.seq} (prevHash ` +
      `mismatch: a record was inserted, replaced or rewritten)`
    );
  }
  return undefined;
}

function tailProblem(
  tail: string,
  head: ChainHead,
  lines: number,
  anchor: ChainHead | undefined,
  records: EvidenceRecord[],
): ChainProblem | undefined {
  if (tail) return { seq: head.seq + 1, line: lines + 1, reason: 'last line is incomplete (truncated mid-record)' };
  if (!anchor) return undefined;
  if (anchor.seq > head.seq) {
    return {
      seq: head.seq + 1,
      line: lines + 1,
      reason: `truncated: head.json records ${anchor.seq} records, the file ends at ${head.seq}`,
    };
  }
  const atAnchor = records.find((r) => r.seq === anchor.seq);
  if (anchor.seq > 0 && atAnchor?.hash !== anchor.hash) {
    return {
      seq: anchor.seq,
      line: anchor.seq,
      reason: `record ${anchor.seq} differs from the one head.json anchored (rewritten)`,
    };
  }
  // Strict on purpose: a forged record appended at the end is otherwise indistinguishable from a real one. The
  // only innocent cause is a writer that crashed between the two fsyncs; reopening the log rewrites head.json.
  if (anchor.seq < head.seq) {
    return {
      seq: anchor.seq + 1,
      line: anchor.seq + 1,
      reason:
        `record ${anchor.seq + 1} was added after head.json (appended outside ` +
        `adaptive-canary, or the writer crashed before updating head.json)`,
    };
  }
  return undefined;
}
