import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkChain, type ChainHead, type ChainProblem } from './chain.js';
import { EVIDENCE_FILES } from './paths.js';
import { readHead } from './read.js';

export interface VerifyResult {
  ok: boolean;
  dir: string;
  /** Records read (all parseable lines). */
  records: number;
  /** The last record of the intact prefix. */
  head: ChainHead;
  firstBad?: ChainProblem;
}

/**
 * Checks one rollout's decisions.jsonl: detects any edit, insertion, deletion, reordering or truncation
 * (see checkChain). A missing file is itself a problem: evidence that is gone is not intact.
 */
export function verifyEvidence(dir: string): VerifyResult {
  const file = join(dir, EVIDENCE_FILES.decisions);
  if (!existsSync(file)) {
    return {
      ok: false,
      dir,
      records: 0,
      head: { seq: 0, hash: '0'.repeat(64) },
      firstBad: { seq: 1, line: 1, reason: `${EVIDENCE_FILES.decisions} is missing` },
    };
  }
  const check = checkChain(readFileSync(file, 'utf8'), readHead(dir));
  return {
    ok: check.ok,
    dir,
    records: check.records.length,
    head: check.head,
    ...(check.firstBad ? { firstBad: check.firstBad } : {}),
  };
}
