import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reason } from '../../src/engine/assessment.js';
import { openEvidence, type EvidenceLog, type OpenEvidenceOptions } from '../../src/evidence/log.js';

/** Test helpers: a temp workspace and a deterministic clock. Not used by production code. */
export function tempWorkspace(prefix = 'evidence-'): { root: string; prRoot: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), prefix));
  return { base, root: join(base, '.evidence'), prRoot: join(base, '.prbodies') };
}

export function steppingClock(startIso = '2026-08-03T10:00:00.000Z', stepMs = 10_000): () => number {
  let t = Date.parse(startIso) - stepMs;
  return () => (t += stepMs);
}

export const failReason: Reason = {
  signal: 'error-rate',
  verdict: 'fail',
  statistic: 'mixture-likelihood-ratio',
  value: 412.5,
  threshold: 100,
  message: 'canary error ratio 4.9× baseline (49/1000 vs 10/1000)',
  details: { canaryErrors: 49, baselineErrors: 10 },
};

export const passReason: Reason = {
  ...failReason,
  verdict: 'pass',
  value: 1.2,
  message: 'error ratio within tolerance',
};

/** A rollout with `steps` step decisions and then a rollback or promotion, finished. */
export function writeRollout(
  options: Partial<OpenEvidenceOptions> & { root: string; prRoot: string; rolloutId: string },
  outcome: 'promoted' | 'rolled-back',
  extra: { steps?: number; rollbackDurationSeconds?: number; timeToDecideSeconds?: number; budgetBurn?: number } = {},
): EvidenceLog {
  const log = openEvidence({
    service: 'maestro-api',
    clock: steppingClock(),
    versions: { stable: 'v1', canary: 'v2' },
    ...options,
  });
  log.append({ action: 'start', step: 0, weight: 0, score: 1, by: 'judge', reasons: [] });
  for (let i = 0; i < (extra.steps ?? 2); i++) {
    log.append({
      action: 'step',
      step: i,
      weight: 10 * (i + 1),
      score: 0.99,
      by: 'judge',
      verdict: 'pass',
      reasons: [passReason],
      budgetBurn: extra.budgetBurn ?? 0.01,
    });
  }
  const rollback = outcome === 'rolled-back';
  log.append({
    action: rollback ? 'rollback' : 'promote',
    step: 1,
    weight: 20,
    score: rollback ? 0.4 : 0.99,
    by: rollback ? 'rule:critical-regression' : 'judge',
    verdict: rollback ? 'fail' : 'pass',
    reasons: [rollback ? failReason : passReason],
    ...(rollback ? { rule: 'critical-regression' } : {}),
    budgetBurn: extra.budgetBurn ?? 0.01,
  });
  log.finish({
    outcome,
    rollbackDurationSeconds: rollback ? (extra.rollbackDurationSeconds ?? 0.5) : null,
    timeToDecideSeconds: extra.timeToDecideSeconds ?? 40,
    budgetBurn: extra.budgetBurn ?? 0.01,
  });
  return log;
}
