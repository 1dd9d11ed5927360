import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempWorkspace, writeRollout } from '../../test/support/evidence-fixtures.js';
import { canonicalJson } from './canonical.js';
import { listTable } from './cli/views.js';
import type { RolloutLiveness } from './completeness.js';
import { readRollout } from './read.js';
import { verifyEvidence } from './verify.js';

/** A rolled-back rollout (start, 2 steps, rollback, finish = 5 records) with its last `cut` records removed. */
function cutRollout(cut: number): { dir: string; lines: string[] } {
  const ws = tempWorkspace('complete-');
  const log = writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-cut' }, 'rolled-back');
  log.close();
  const file = join(log.dir, 'decisions.jsonl');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const kept = lines.slice(0, lines.length - cut);
  writeFileSync(file, kept.map((l) => `${l}\n`).join(''));
  return { dir: log.dir, lines: kept };
}

/** What a careful forger does after cutting: head.json rewritten to the new last record. */
function forgeHead(dir: string, lines: string[]): void {
  const last = JSON.parse(lines.at(-1)!) as { seq: number; hash: string };
  writeFileSync(join(dir, 'head.json'), `${canonicalJson({ seq: last.seq, hash: last.hash })}\n`);
}

const running: RolloutLiveness = { state: 'running', pid: process.pid, host: 'here' };

describe('evidence completeness', () => {
  it('a finished rollout verifies as finished', () => {
    const { dir } = cutRollout(0);
    expect(verifyEvidence(dir)).toMatchObject({ ok: true, status: 'finished', records: 5 });
  });

  it('the rollback and finish records cut off and head.json deleted: a failure naming head.json', () => {
    const { dir } = cutRollout(2);
    rmSync(join(dir, 'head.json'));
    const v = verifyEvidence(dir);
    expect(v.ok).toBe(false);
    expect(v.firstBad).toMatchObject({ seq: 4, reason: expect.stringMatching(/head\.json is missing/) });
  });

  it('... and meta.json deleted too: still a failure (a missing head is never a silent pass)', () => {
    const { dir } = cutRollout(2);
    rmSync(join(dir, 'head.json'));
    rmSync(join(dir, 'meta.json'));
    expect(verifyEvidence(dir).firstBad?.reason).toMatch(/head\.json is missing.*no live controller/);
  });

  it('head.json forged to the cut end: meta.json still anchors the real head and the outcome', () => {
    const { dir, lines } = cutRollout(2);
    forgeHead(dir, lines);
    expect(verifyEvidence(dir).firstBad?.reason).toMatch(/meta\.json records the head at record 5, the file ends at 3/);
  });

  it('head.json forged and meta.json deleted: the state database says it finished', () => {
    const { dir, lines } = cutRollout(2);
    forgeHead(dir, lines);
    rmSync(join(dir, 'meta.json'));
    const liveness = (): RolloutLiveness => ({ state: 'finished', phase: 'rolled-back' });
    expect(verifyEvidence(dir, { liveness }).firstBad?.reason).toMatch(
      /no finish record: the controller state says the rollout is rolled-back, the chain ends at record 3/,
    );
  });

  it('an emptied chain with no head fails', () => {
    const { dir } = cutRollout(5);
    rmSync(join(dir, 'head.json'));
    rmSync(join(dir, 'meta.json'));
    expect(verifyEvidence(dir)).toMatchObject({
      ok: false,
      firstBad: { seq: 1, reason: expect.stringMatching(/the chain is empty and head\.json is missing/) },
    });
  });

  it('a missing head passes only while a live controller holds the rollout', () => {
    const { dir, lines } = cutRollout(2);
    forgeHead(dir, lines);
    rmSync(join(dir, 'meta.json'));
    rmSync(join(dir, 'head.json'));
    expect(verifyEvidence(dir, { liveness: () => running })).toMatchObject({ ok: true, status: 'running' });
    const interrupted = (): RolloutLiveness => ({ state: 'interrupted', phase: 'progressing' });
    expect(verifyEvidence(dir, { liveness: interrupted }).ok).toBe(false);
  });

  it('an unfinished chain with its head is interrupted when the state has it unfinished and unheld', () => {
    const { dir, lines } = cutRollout(2);
    forgeHead(dir, lines);
    rmSync(join(dir, 'meta.json'));
    const liveness = (): RolloutLiveness => ({ state: 'interrupted', phase: 'progressing' });
    expect(verifyEvidence(dir, { liveness })).toMatchObject({ ok: true, status: 'interrupted' });
    expect(verifyEvidence(dir)).toMatchObject({ ok: true, status: 'unfinished' });
  });

  it('evidence list does not show a cut rolled-back rollout as in flight', () => {
    const { dir } = cutRollout(2);
    rmSync(join(dir, 'head.json'));
    const r = readRollout(dir);
    expect(r.integrity).toMatchObject({ ok: false, status: 'unfinished' });
    const row = listTable([r])[1]!;
    expect(row).not.toMatch(/in flight/);
    expect(row).toMatch(/unfinished\s+3\s+BROKEN/);
    rmSync(join(dir, 'meta.json'));
    expect(listTable([readRollout(dir, () => running)])[1]).toMatch(/in flight\s+3\s+ok/);
  });

  it('a decision chained after the finish record is refused', () => {
    const ws = tempWorkspace('complete-');
    const log = writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-after' }, 'promoted');
    log.append({ action: 'step', step: 3, weight: 50, score: 1, by: 'judge', reasons: [] });
    log.close();
    expect(verifyEvidence(log.dir).firstBad?.reason).toMatch(/decision record 6 follows the finish record 5/);
  });

  it('fuzz: any cut of the records, with head.json and meta.json kept, forged or deleted, is detected', () => {
    const { dir, lines } = cutRollout(0);
    const file = join(dir, 'decisions.jsonl');
    const originals = ['decisions.jsonl', 'head.json', 'meta.json'].map((f) => readFileSync(join(dir, f)));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('keep', 'forge', 'delete'),
        fc.boolean(),
        (cut, head, dropMeta) => {
          ['decisions.jsonl', 'head.json', 'meta.json'].forEach((f, i) => writeFileSync(join(dir, f), originals[i]!));
          const kept = lines.slice(0, lines.length - cut);
          writeFileSync(file, kept.map((l) => `${l}\n`).join(''));
          if (head === 'delete') rmSync(join(dir, 'head.json'));
          if (head === 'forge' && kept.length > 0) forgeHead(dir, kept);
          if (head === 'forge' && kept.length === 0) writeFileSync(join(dir, 'head.json'), '{"seq":0,"hash":"0"}');
          if (dropMeta) rmSync(join(dir, 'meta.json'));
          const liveness = (): RolloutLiveness => ({ state: 'finished', phase: 'rolled-back' });
          return verifyEvidence(dir, { liveness }).ok === false;
        },
      ),
      { numRuns: 60 },
    );
  });
});
