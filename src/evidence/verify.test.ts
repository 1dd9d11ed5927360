import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, recordHash } from './canonical.js';
import { openEvidence } from './log.js';
import { steppingClock, tempWorkspace, failReason } from '../../test/support/evidence-fixtures.js';
import { verifyEvidence } from './verify.js';

/** A rollout with n decision records; returns its dir and lines. */
function chainOf(n: number): { dir: string; file: string; lines: string[] } {
  const ws = tempWorkspace('verify-');
  const log = openEvidence({
    root: ws.root,
    prRoot: ws.prRoot,
    service: 'svc',
    rolloutId: 'r',
    clock: steppingClock(),
  });
  for (let i = 0; i < n; i++)
    log.append({ action: 'step', step: i, weight: 10 + i, score: 0.9, by: 'judge', reasons: [failReason] });
  log.close();
  const file = join(log.dir, 'decisions.jsonl');
  return { dir: log.dir, file, lines: readFileSync(file, 'utf8').trimEnd().split('\n') };
}

function rewrite(file: string, lines: string[]): void {
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
}

/** Re-seals a record after editing it, as a careless forger would (fixes its own hash, not the chain). */
function reseal(line: string, edit: (r: Record<string, unknown>) => void): string {
  const r = JSON.parse(line) as Record<string, unknown>;
  edit(r);
  r.hash = recordHash(r);
  return canonicalJson(r);
}

describe('verifyEvidence', () => {
  it('an untouched chain verifies', () => {
    const { dir } = chainOf(5);
    expect(verifyEvidence(dir)).toMatchObject({ ok: true, records: 5, head: { seq: 5 } });
  });

  const cases: [string, (lines: string[]) => string[], { seq: number; line: number; reason: RegExp }][] = [
    [
      'a value edited',
      (l) => l.map((x, i) => (i === 2 ? x.replace('"weight":12', '"weight":50') : x)),
      { seq: 3, line: 3, reason: /record 3 was edited \(its content does not match its hash\)/ },
    ],
    [
      'whitespace added',
      (l) => l.map((x, i) => (i === 1 ? x.replace(',', ', ') : x)),
      { seq: 2, line: 2, reason: /record 2 was edited \(line is not in its written form\)/ },
    ],
    [
      'an edit re-sealed with a new hash',
      (l) => l.map((x, i) => (i === 1 ? reseal(x, (r) => (r.score = 1)) : x)),
      { seq: 3, line: 3, reason: /record 3 does not follow record 2/ },
    ],
    ['a record deleted', (l) => l.filter((_, i) => i !== 1), { seq: 2, line: 2, reason: /record 2 missing/ }],
    [
      'two records swapped',
      (l) => [l[0]!, l[2]!, l[1]!, l[3]!, l[4]!],
      { seq: 2, line: 2, reason: /record 2 missing/ },
    ],
    [
      'a record duplicated',
      (l) => [l[0]!, l[1]!, l[1]!, ...l.slice(2)],
      { seq: 3, line: 3, reason: /seq 2 appears after seq 2/ },
    ],
    // A well-forged record 2 is indistinguishable on its own; the chain breaks where the real record 2 follows it.
    [
      'a forged record inserted',
      (l) => [l[0]!, reseal(l[1]!, (r) => (r.action = 'promote')), ...l.slice(1)],
      { seq: 3, line: 3, reason: /seq 2 appears after seq 2/ },
    ],
    [
      'a forged record appended past the end with a stale head',
      (l) => [...l, reseal(l[4]!, (r) => ((r.seq = 6), (r.prevHash = (JSON.parse(l[4]!) as { hash: string }).hash)))],
      { seq: 6, line: 6, reason: /record 6 was added after head.json/ },
    ],
    ['a blank line inserted', (l) => [l[0]!, '', ...l.slice(1)], { seq: 2, line: 2, reason: /blank line/ }],
    [
      'not JSON any more',
      (l) => l.map((x, i) => (i === 3 ? x.slice(0, 40) : x)),
      { seq: 4, line: 4, reason: /not valid JSON/ },
    ],
  ];
  it.each(cases)('detects %s and names the first bad record', (_name, tamper, expected) => {
    const { dir, file, lines } = chainOf(5);
    rewrite(file, tamper(lines));
    const result = verifyEvidence(dir);
    expect(result.ok).toBe(false);
    expect(result.firstBad).toMatchObject({ seq: expected.seq, line: expected.line });
    expect(result.firstBad!.reason).toMatch(expected.reason);
  });

  it('detects records cut off the end (head.json anchors the count)', () => {
    const { dir, file, lines } = chainOf(5);
    rewrite(file, lines.slice(0, 3));
    expect(verifyEvidence(dir)).toMatchObject({
      ok: false,
      firstBad: { seq: 4, line: 4, reason: expect.stringMatching(/truncated: head.json records 5/) },
    });
  });

  it('detects a line cut mid-record and an emptied or missing file', () => {
    const { dir, file, lines } = chainOf(3);
    writeFileSync(file, `${lines[0]}\n${lines[1]!.slice(0, 30)}`);
    expect(verifyEvidence(dir).firstBad).toMatchObject({
      seq: 2,
      line: 2,
      reason: expect.stringMatching(/incomplete/),
    });
    writeFileSync(file, '');
    expect(verifyEvidence(dir).firstBad).toMatchObject({ seq: 1, reason: expect.stringMatching(/truncated/) });
    rmSync(file);
    expect(verifyEvidence(dir).firstBad?.reason).toMatch(/missing/);
  });

  it('property: changing any single byte of the file is detected', () => {
    const { dir, file } = chainOf(4);
    const original = readFileSync(file);
    fc.assert(
      fc.property(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const bytes = Buffer.from(original);
        bytes[pos] = (bytes[pos]! + delta) % 256;
        writeFileSync(file, bytes);
        return verifyEvidence(dir).ok === false;
      }),
      { numRuns: 300 },
    );
    writeFileSync(file, original);
    expect(verifyEvidence(dir).ok).toBe(true);
  });
});
