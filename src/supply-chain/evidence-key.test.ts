import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { markRollout } from '../evidence/cli/mark.js';
import { openEvidence } from '../evidence/log.js';
import { verifyEvidence } from '../evidence/verify.js';
import { steppingClock, tempWorkspace, writeRollout } from '../../test/support/evidence-fixtures.js';
import { generateCosignKeyPair } from './cosign-key-format.js';
import type { CliIO } from '../io.js';
import { EVIDENCE_KEY_ENV, headSignatureCheck, headSigner, loadHeadSigner } from './evidence-key.js';

/** The evidence key signs every head.json; `verify --key` checks it with the public half (real cosign keys). */
const pair = generateCosignKeyPair('pw');
const other = generateCosignKeyPair('pw');
const ws = tempWorkspace('evidence-key-');
writeFileSync(join(ws.base, 'evidence.pub'), pair.publicPem);
writeFileSync(join(ws.base, 'other.pub'), other.publicPem);
const check = headSignatureCheck(join(ws.base, 'evidence.pub'));
const signHead = headSigner(pair.privatePem, 'pw');

let n = 0;
/** A finished rollout whose heads were signed (or not); returns its dir. */
function rollout(signed: boolean): string {
  const log = writeRollout(
    { root: ws.root, prRoot: ws.prRoot, rolloutId: `r${++n}`, ...(signed ? { signHead } : {}) },
    'rolled-back',
  );
  log.close();
  return log.dir;
}
const headFile = (dir: string): string => join(dir, 'head.json');
const head = (dir: string): { seq: number; hash: string; signature?: string } =>
  JSON.parse(readFileSync(headFile(dir), 'utf8')) as { seq: number; hash: string; signature?: string };

describe('signed evidence heads', () => {
  it('a signed head verifies with the key, and as before without it', () => {
    const dir = rollout(true);
    expect(head(dir).signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(verifyEvidence(dir, { headSignature: check })).toMatchObject({ ok: true, signature: 'valid' });
    const plain = verifyEvidence(dir);
    expect(plain.ok).toBe(true);
    expect(plain.signature).toBeUndefined();
  });

  it('an unsigned head fails with the key: not attested (and still verifies without it)', () => {
    const dir = rollout(false);
    expect(verifyEvidence(dir).ok).toBe(true);
    const r = verifyEvidence(dir, { headSignature: check });
    expect(r).toMatchObject({ ok: false, signature: 'missing', failure: 'signature' });
    expect(r.firstBad?.reason).toMatch(/head\.json is not signed/);
  });

  it('a signature removed from head.json is missing', () => {
    const dir = rollout(true);
    const { seq, hash } = head(dir);
    writeFileSync(headFile(dir), `${JSON.stringify({ hash, seq })}\n`);
    expect(verifyEvidence(dir, { headSignature: check })).toMatchObject({ ok: false, signature: 'missing' });
  });

  it('a head signed by another key is invalid', () => {
    const dir = rollout(true);
    const { seq, hash } = head(dir);
    // What the controller signs (canonical JSON: keys sorted), signed with the wrong key.
    const forged = {
      seq,
      hash,
      signature: headSigner(other.privatePem, 'pw')(Buffer.from(JSON.stringify({ hash, seq }))),
    };
    writeFileSync(headFile(dir), `${JSON.stringify(forged)}\n`);
    const r = verifyEvidence(dir, { headSignature: check });
    expect(r).toMatchObject({ ok: false, signature: 'invalid', failure: 'signature' });
    expect(r.firstBad?.reason).toMatch(/does not verify with the given key: invalid signature/);
    // The same head checks out with the other key: it is the key that differs, not the bytes.
    expect(verifyEvidence(dir, { headSignature: headSignatureCheck(join(ws.base, 'other.pub')) }).ok).toBe(true);
  });

  it('records cut off the end and head.json recomputed for the cut: the old signature no longer verifies', () => {
    const dir = rollout(true);
    const file = join(dir, 'decisions.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const kept = lines.slice(0, -2); // the rollback and the finish record
    writeFileSync(file, kept.map((l) => `${l}\n`).join(''));
    const last = JSON.parse(kept.at(-1)!) as { seq: number; hash: string };
    writeFileSync(headFile(dir), `${JSON.stringify({ ...head(dir), seq: last.seq, hash: last.hash })}\n`);
    rmSync(join(dir, 'meta.json'));
    // Without the key this forgery passes as an unfinished chain; with it, it fails.
    expect(verifyEvidence(dir)).toMatchObject({ ok: true, status: 'unfinished' });
    const r = verifyEvidence(dir, { headSignature: check });
    expect(r).toMatchObject({ ok: false, signature: 'invalid' });
    expect(r.firstBad?.seq).toBe(last.seq);
  });

  it("a head that does not match the chain fails as a chain problem, even when it is the controller's", () => {
    const dir = rollout(true);
    const file = join(dir, 'decisions.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(
      file,
      lines
        .slice(0, -1)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const r = verifyEvidence(dir, { headSignature: check });
    expect(r).toMatchObject({ ok: false, failure: 'chain', signature: 'valid' });
    expect(r.firstBad?.reason).toMatch(/truncated: head\.json records/);
  });

  it('a missing head fails with the key even when the rollout is provably running', () => {
    const log = openEvidence({ root: ws.root, prRoot: ws.prRoot, service: 'svc', rolloutId: 'live', signHead });
    log.append({ action: 'step', step: 0, weight: 10, score: 1, by: 'judge', reasons: [] });
    log.close();
    rmSync(headFile(log.dir));
    const running = () => ({ state: 'running' as const, pid: process.pid, host: 'here' });
    expect(verifyEvidence(log.dir, { liveness: running }).ok).toBe(true);
    const r = verifyEvidence(log.dir, { liveness: running, headSignature: check });
    expect(r).toMatchObject({ ok: false, signature: 'missing', failure: 'signature' });
    expect(r.firstBad?.reason).toMatch(/head\.json is missing/);
  });

  it('a malformed signature is invalid, named as such', () => {
    const dir = rollout(true);
    writeFileSync(headFile(dir), `${JSON.stringify({ ...head(dir), signature: 'AAAA' })}\n`);
    expect(verifyEvidence(dir, { headSignature: check }).firstBad?.reason).toMatch(/malformed or truncated/);
  });

  it('every head a resumed log writes is signed (a reopened chain re-signs its head)', () => {
    const opts = { root: ws.root, prRoot: ws.prRoot, service: 'svc', rolloutId: 'resumed', clock: steppingClock() };
    const first = openEvidence(opts);
    first.append({ action: 'step', step: 0, weight: 10, score: 1, by: 'judge', reasons: [] });
    first.close();
    expect(verifyEvidence(first.dir, { headSignature: check }).signature).toBe('missing');
    openEvidence({ ...opts, signHead }).close();
    expect(verifyEvidence(first.dir, { headSignature: check })).toMatchObject({ ok: true, signature: 'valid' });
  });

  it('mark refuses to strip a signed head; with the key the new head is signed', () => {
    const dir = rollout(true);
    const req = { rollout: dir, root: ws.root, cwd: ws.base, falseAbort: true, resolved: false, why: 'x', by: 'me' };
    expect(() => markRollout(req)).toThrow(/head\.json is signed: pass --key/);
    expect(verifyEvidence(dir, { headSignature: check }).ok).toBe(true);
    markRollout({ ...req, signHead });
    expect(verifyEvidence(dir, { headSignature: check })).toMatchObject({ ok: true, signature: 'valid' });
    expect(verifyEvidence(dir, { headSignature: check }).records).toBe(head(dir).seq);
  });
});

describe('where the evidence key comes from', () => {
  const io = (env: NodeJS.ProcessEnv): CliIO => ({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: { COSIGN_PASSWORD: 'pw', ...env },
    cwd: ws.base,
  });
  const keyFile = join(ws.base, 'evidence.key');
  writeFileSync(keyFile, pair.privatePem);
  const signsLikeTheKey = (sign: ((blob: Buffer) => string) | undefined): void => {
    expect(sign).toBeDefined();
    const blob = Buffer.from('{"hash":"x","seq":1}');
    expect(check(blob, sign!(blob))).toBeUndefined();
  };

  it('--evidence-key, else the file $ADAPTIVE_CANARY_EVIDENCE_KEY names; neither: no key', async () => {
    signsLikeTheKey(await loadHeadSigner(io({}), 'evidence.key'));
    signsLikeTheKey(await loadHeadSigner(io({ [EVIDENCE_KEY_ENV]: keyFile })));
    expect(await loadHeadSigner(io({}))).toBeUndefined();
  });

  it("serve's optional Secret: an absent env-named file is no key (said once); a missing flag file fails", async () => {
    const absent = join(ws.base, 'no-secret', 'cosign.key');
    const said: string[] = [];
    const onAbsentEnvKey = (p: string): number => said.push(p);
    expect(await loadHeadSigner(io({ [EVIDENCE_KEY_ENV]: absent }), undefined, { onAbsentEnvKey })).toBeUndefined();
    expect(said).toEqual([absent]);
    // Without the caller's say-so (run) an absent env-named file is an error, as is a missing --evidence-key always.
    await expect(loadHeadSigner(io({ [EVIDENCE_KEY_ENV]: absent }))).rejects.toThrow(/no-secret/);
    await expect(loadHeadSigner(io({}), absent, { onAbsentEnvKey })).rejects.toThrow(/no-secret/);
    expect(said).toHaveLength(1);
    // The Secret present: the key is used.
    signsLikeTheKey(await loadHeadSigner(io({ [EVIDENCE_KEY_ENV]: keyFile }), undefined, { onAbsentEnvKey }));
  });
});
