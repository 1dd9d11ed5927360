import { basename, dirname } from 'node:path';
import { UsageError } from '../../errors.js';
import type { MarkRecord } from '../../schema/evidence.js';
import { openEvidence } from '../log.js';
import type { HeadSigner } from '../head-signature.js';
import { readHead, readRollout } from '../read.js';
import { resolveRollout } from './resolve.js';

export interface MarkRequest {
  rollout: string;
  root: string;
  cwd: string;
  falseAbort: boolean;
  resolved: boolean;
  why: string;
  by: string;
  /** Signs the new head; required when the current head is signed (a mark must not strip the signature). */
  signHead?: HeadSigner;
}

/** Appends a mark to a finished rollout's chain. Only finished rollouts: a running controller owns the file. */
export function markRollout(req: MarkRequest): MarkRecord {
  if (!req.why.trim()) throw new UsageError('--why needs a reason');
  const dir = resolveRollout(req.rollout, req.root, req.cwd);
  const current = readRollout(dir);
  if (current.meta.outcome === null)
    throw new UsageError(`${current.meta.rolloutId} is still in flight; mark it after it finished`);
  if (req.falseAbort && current.meta.outcome !== 'rolled-back') {
    throw new UsageError(
      `${current.meta.rolloutId} was ${current.meta.outcome}, not rolled back: only a rollback can be a false abort`,
    );
  }
  if (req.resolved && !current.incident.present)
    throw new UsageError(`${current.meta.rolloutId} has no incident review to resolve`);
  if (readHead(dir)?.signature && !req.signHead)
    throw new UsageError(
      `${current.meta.rolloutId}'s head.json is signed: pass --key with the evidence key so the new head is signed too`,
    );
  const log = openEvidence({
    root: dirname(dirname(dir)),
    service: basename(dirname(dir)),
    rolloutId: basename(dir),
    ...(req.signHead ? { signHead: req.signHead } : {}),
  });
  try {
    return log.append({
      kind: 'mark',
      why: req.why,
      by: req.by,
      ...(req.falseAbort ? { falseAbort: true } : {}),
      ...(req.resolved ? { resolved: true } : {}),
    });
  } finally {
    log.close();
  }
}
