import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../schema/evidence.js';
import { canonicalJson, recordHash, sha256Hex } from './canonical.js';
import { EvidenceUnwritableError, EvidenceWriteError } from './errors.js';
import { openEvidence } from './log.js';
import { readRollout } from './read.js';
import { failReason, steppingClock, tempWorkspace, writeRollout } from '../../test/support/evidence-fixtures.js';
import { verifyEvidence } from './verify.js';

const decision = { action: 'step' as const, step: 0, weight: 10, score: 0.98, by: 'judge', reasons: [failReason] };

describe('openEvidence / append', () => {
  it('chains records: seq, at, prevHash = previous hash (genesis = 64 zeros), hash over the canonical line', () => {
    const ws = tempWorkspace();
    const log = openEvidence({
      root: ws.root,
      prRoot: ws.prRoot,
      service: 'maestro-api',
      rolloutId: 'r1',
      clock: steppingClock(),
    });
    const a = log.append(decision);
    const b = log.append({ ...decision, step: 1, weight: 25 });
    expect(a).toMatchObject({
      seq: 1,
      kind: 'decision',
      prevHash: GENESIS_HASH,
      at: '2026-08-03T10:00:10.000Z',
      service: 'maestro-api',
      rolloutId: 'r1',
    });
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect(a.hash).toBe(recordHash(a));
    const lines = readFileSync(join(log.dir, 'decisions.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual([canonicalJson(a), canonicalJson(b)]);
    const { hash: _h, ...body } = a;
    expect(a.hash).toBe(sha256Hex(canonicalJson(body)));
    expect(JSON.parse(readFileSync(join(log.dir, 'head.json'), 'utf8'))).toEqual({ seq: 2, hash: b.hash });
    log.close();
  });

  it('resumes an existing chain after a restart and continues it', () => {
    const ws = tempWorkspace();
    const opts = { root: ws.root, prRoot: ws.prRoot, service: 'maestro-api', rolloutId: 'r1', clock: steppingClock() };
    const first = openEvidence(opts);
    const a = first.append(decision);
    first.close();
    const again = openEvidence(opts);
    expect(again.head).toEqual({ seq: 1, hash: a.hash });
    const b = again.append(decision);
    expect(b).toMatchObject({ seq: 2, prevHash: a.hash });
    again.close();
    expect(verifyEvidence(again.dir)).toMatchObject({ ok: true, records: 2 });
  });

  it('moves a torn last line (crash mid-write, never acknowledged) aside on resume', () => {
    const ws = tempWorkspace();
    const opts = { root: ws.root, prRoot: ws.prRoot, service: 'svc', rolloutId: 'r1', clock: steppingClock() };
    const log = openEvidence(opts);
    log.append(decision);
    log.close();
    appendFileSync(join(log.dir, 'decisions.jsonl'), '{"v":1,"seq":2,"at":"2026');
    expect(verifyEvidence(log.dir).ok).toBe(false);
    const resumed = openEvidence(opts);
    expect(readFileSync(join(log.dir, 'decisions.jsonl.torn'), 'utf8')).toBe('{"v":1,"seq":2,"at":"2026');
    expect(resumed.append(decision).seq).toBe(2);
    resumed.close();
    expect(verifyEvidence(log.dir).ok).toBe(true);
  });

  it('redacts secrets before hashing and writing', () => {
    const ws = tempWorkspace();
    const log = openEvidence({
      root: ws.root,
      prRoot: ws.prRoot,
      service: 'svc',
      rolloutId: 'r1',
      redact: { env: { PROBE_PASSWORD: 'hunter2-secret' } },
    });
    log.append({
      ...decision,
      inputs: { headers: { authorization: 'Bearer abc.def.ghi' }, note: 'login failed for hunter2-secret' },
    });
    log.close();
    const text = readFileSync(join(log.dir, 'decisions.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('abc.def.ghi');
    expect(verifyEvidence(log.dir).ok).toBe(true);
  });

  it('refuses clearly when the evidence dir cannot be written', () => {
    const ws = tempWorkspace();
    mkdirSync(ws.base, { recursive: true });
    writeFileSync(join(ws.base, 'blocker'), 'a file, not a directory');
    expect(() => openEvidence({ root: join(ws.base, 'blocker'), service: 'svc', rolloutId: 'r1' })).toThrow(
      EvidenceUnwritableError,
    );
    if (process.getuid?.() !== 0) {
      const ro = join(ws.base, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      expect(() => openEvidence({ root: ro, service: 'svc', rolloutId: 'r1' })).toThrow(
        /E_EVIDENCE_UNWRITABLE|permission denied/,
      );
    }
  });

  it('on a full disk the append throws, is not acknowledged, and the chain stays intact', () => {
    if (!existsSync('/dev/full')) return;
    const ws = tempWorkspace();
    const opts = { root: ws.root, prRoot: ws.prRoot, service: 'svc', rolloutId: 'r1' };
    const log = openEvidence(opts);
    const webhooks = join(log.dir, 'webhooks.jsonl');
    log.close();
    // /dev/full accepts opens and fails every write with ENOSPC, like a disk with no space left.
    rmSync(webhooks);
    symlinkSync('/dev/full', webhooks);
    const full = openEvidence(opts);
    expect(() =>
      full.recordDelivery({
        v: 1,
        deliveryId: 'd',
        event: 'step',
        url: 'http://x',
        outcome: 'delivered',
        status: 200,
        attempts: [],
        firstAttemptAt: 'a',
        finishedAt: 'b',
        totalMs: 1,
      }),
    ).toThrow(EvidenceWriteError);
    const ok = full.append(decision);
    expect(ok.seq).toBe(1);
    full.close();
    expect(verifyEvidence(full.dir)).toMatchObject({ ok: true, records: 1 });
  });

  it('finish writes summary.md, the PR body with relative links, and incident.md on rollback', () => {
    const ws = tempWorkspace();
    const log = writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-bad' }, 'rolled-back', {
      rollbackDurationSeconds: 0.42,
    });
    log.close();
    const pr = readFileSync(join(ws.prRoot, 'r-bad.md'), 'utf8');
    expect(pr).toContain('rolled back');
    expect(pr).toContain('](../.evidence/maestro-api/r-bad/decisions.jsonl)');
    expect(pr).toContain('canary error ratio 4.9× baseline');
    expect(pr).toContain('mixture-likelihood-ratio 412.5 vs threshold 100');
    const incident = readFileSync(join(log.dir, 'incident.md'), 'utf8');
    expect(incident).toContain('Status: open');
    expect(incident).toContain('0.42 s — within the 5-minute target');
    expect(incident).toContain('_Answer:_');
    expect(readFileSync(join(log.dir, 'summary.md'), 'utf8')).toContain('| outcome | rolled-back (rule: ');
    const read = readRollout(log.dir);
    expect(read.meta).toMatchObject({
      outcome: 'rolled-back',
      rollbackDurationSeconds: 0.42,
      versions: { canary: 'v2' },
    });
    expect(read.integrity.ok).toBe(true);
    expect(read.incident).toEqual({ present: true, resolved: false });
  });

  it('a promoted rollout gets no incident; marks go through the chain', () => {
    const ws = tempWorkspace();
    const log = writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-ok' }, 'promoted');
    expect(existsSync(join(log.dir, 'incident.md'))).toBe(false);
    const mark = log.append({ kind: 'mark', falseAbort: true, why: 'flaky probe', by: 'qa' });
    expect(mark).toMatchObject({ kind: 'mark', falseAbort: true, prevHash: log.records.at(-2)!.hash });
    log.close();
    expect(readRollout(log.dir).meta.falseAbort).toMatchObject({ why: 'flaky probe', by: 'qa' });
    expect(verifyEvidence(log.dir).ok).toBe(true);
  });

  it('finish with the controller snapshot adds the per-interval signals to summary.md and incident.md', () => {
    const ws = tempWorkspace();
    const log = openEvidence({
      root: ws.root,
      prRoot: ws.prRoot,
      service: 'svc',
      rolloutId: 'r-snap',
      clock: steppingClock(),
    });
    log.append({
      action: 'rollback',
      step: 0,
      weight: 10,
      score: 0.3,
      by: 'rule:synthetic-consecutive',
      reasons: [failReason],
    });
    const point = {
      t: 20,
      at: '2026-08-03T10:00:20Z',
      step: 0,
      weight: 10,
      score: 0.3,
      verdict: 'fail' as const,
      syntheticAvailability: 0.8,
      budgetBurn: 0.012,
      canaryRequests: 100,
      canaryErrors: 9,
      baselineRequests: 900,
      baselineErrors: 2,
    };
    const snapshot = { intervals: [point] } as unknown as Parameters<typeof log.finish>[0]['snapshot'];
    log.finish({ outcome: 'rolled-back', rollbackDurationSeconds: 0.3, timeToDecideSeconds: 20, snapshot });
    log.close();
    const row = '| +20 s | 0 | 10% | 0.3 | fail | 9/100 | 2/900 | 80% | 1.2% |';
    expect(readFileSync(join(log.dir, 'summary.md'), 'utf8')).toContain(row);
    expect(readFileSync(join(log.dir, 'incident.md'), 'utf8')).toContain(row);
  });
});

describe('write-ups agree with webhooks.jsonl', () => {
  it('deliveries that settle after the finish record are counted in summary.md once the log closes', () => {
    const ws = tempWorkspace();
    const log = writeRollout({ root: ws.root, prRoot: ws.prRoot, rolloutId: 'r-hooks' }, 'rolled-back');
    const summary = (): string => readFileSync(join(log.dir, 'summary.md'), 'utf8');
    expect(summary()).toMatch(/\| webhooks \| 0 deliveries, 0 not delivered \|/);
    for (const outcome of ['delivered', 'abandoned', 'abandoned'] as const) {
      log.recordDelivery({
        v: 1,
        deliveryId: `d-${outcome}`,
        event: 'rollback',
        url: 'http://127.0.0.1:9/hook',
        outcome,
        status: outcome === 'delivered' ? 200 : null,
        attempts: [],
        firstAttemptAt: '2026-08-03T10:00:00.000Z',
        finishedAt: '2026-08-03T10:00:01.000Z',
        totalMs: 1000,
      });
    }
    log.close();
    expect(summary()).toMatch(/\| webhooks \| 3 deliveries, 2 not delivered \|/);
  });
});
