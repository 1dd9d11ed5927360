import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkChain, type ChainHead, type ChainProblem } from './chain.js';
import { checkCompleteness, type ChainStatus, type RolloutLiveness } from './completeness.js';
import { headSignatureProblem, type HeadSignatureCheck } from './head-signature.js';
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
  /** With a key (`verify --key`): whether head.json carries a valid signature by it. */
  signature?: 'valid' | 'missing' | 'invalid';
  /** What failed: the chain itself (or its completeness), or only the head's signature. */
  failure?: 'chain' | 'signature';
}

export interface VerifyOptions {
  /** What the controller state says about a rollout (outside the folder); undefined when it knows nothing. */
  liveness?: (rolloutId: string) => RolloutLiveness | undefined;
  /**
   * Checks head.json's signature with the evidence key's public half: then an unsigned, missing or wrongly
   * signed head fails, even for a rollout that is provably running.
   */
  headSignature?: HeadSignatureCheck;
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
  const signed = options.headSignature && headSignatureProblem(head, options.headSignature);
  const signature = options.headSignature
    ? signed === undefined
      ? 'valid'
      : head?.signature
        ? 'invalid'
        : 'missing'
    : undefined;
  // The signed head is record `seq` of the chain (checkChain has matched the two): name it when unattested.
  const at = head?.seq ?? check.head.seq;
  const chainBad = check.firstBad ?? complete.problem;
  const firstBad = chainBad ?? (signed ? { seq: at, line: at, reason: signed } : undefined);
  return {
    ok: !firstBad,
    dir,
    records: check.records.length,
    head: check.head,
    status: complete.status,
    ...(firstBad ? { firstBad, failure: chainBad ? 'chain' : 'signature' } : {}),
    ...(signature ? { signature } : {}),
  };
}
