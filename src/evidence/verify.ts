import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkChain, type ChainHead, type ChainProblem } from './chain.js';
import { checkCompleteness, type ChainStatus, type RolloutLiveness } from './completeness.js';
import { EVIDENCE_FILES } from './paths.js';
import { readEvidenceText, readHead, readMeta } from './read.js';

export interface VerifyResult {
  ok: boolean;
  dir: string;
  /** Records read (all parseable lines). */
  records: number;
  /** The last record of the intact prefix. */
  head: ChainHead;
  /** How the chain ends: finished (terminal record), running, interrupted (resumable) or unfinished. */
  status: ChainStatus;
  firstBad?: ChainProblem;
}

export interface VerifyOptions {
  /** What the controller state says about a rollout (outside the folder); undefined when it knows nothing. */
  liveness?: (rolloutId: string) => RolloutLiveness | undefined;
}

/**
 * Checks one rollout's decisions.jsonl: detects any edit, insertion, deletion, reordering or truncation
 * (see checkChain), then that the chain is complete (see checkCompleteness). A missing file is itself a
 * problem: evidence that is gone is not intact.
 */
export function verifyEvidence(dir: string, options: VerifyOptions = {}): VerifyResult {
  const file = join(dir, EVIDENCE_FILES.decisions);
  if (!existsSync(file)) {
    return {
      ok: false,
      dir,
      records: 0,
      head: { seq: 0, hash: '0'.repeat(64) },
      status: 'unfinished',
      firstBad: { seq: 1, line: 1, reason: `${EVIDENCE_FILES.decisions} is missing` },
    };
  }
  const head = readHead(dir);
  const check = checkChain(readEvidenceText(file), head);
  const rolloutId = check.records[0]?.rolloutId ?? dir.split(/[\\/]/).at(-1) ?? '';
  const complete = checkCompleteness({
    records: check.records,
    head,
    meta: readMeta(dir),
    liveness: options.liveness?.(rolloutId),
  });
  const firstBad = check.firstBad ?? complete.problem;
  return {
    ok: !firstBad,
    dir,
    records: check.records.length,
    head: check.head,
    status: complete.status,
    ...(firstBad ? { firstBad } : {}),
  };
}
