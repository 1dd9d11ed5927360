import { closeSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { DecisionPoint, RolloutSnapshot } from '../schema/rollout-view.js';
import type { Verdict } from '../schema/reason.js';
import {
  GENESIS_HASH,
  type DecisionRecord,
  type EvidenceRecord,
  type FinishRecord,
  type MarkRecord,
  type NoteRecord,
  type RolloutMeta,
  type RolloutOutcome,
  type WebhookDelivery,
} from '../schema/evidence.js';
import { recordHash, canonicalJson } from './canonical.js';
import { checkChain, type ChainCheck, type ChainHead } from './chain.js';
import { appendDurable, ensureWritableDir, openAppend, writeFileAtomic } from './durable-file.js';
import { DEFAULT_EVIDENCE_ROOT, DEFAULT_PR_ROOT, EVIDENCE_FILES, prBodyPath, rolloutDir } from './paths.js';
import { newMeta, readMeta, readHead } from './read.js';
import { makeRedactor, type RedactOptions } from '../redaction/redact.js';
import { writeWriteUps, type WriteUpFiles } from './write-ups/write-ups.js';
import { headFileText, type HeadSigner } from './head-signature.js';

export interface OpenEvidenceOptions {
  root?: string;
  prRoot?: string;
  service: string;
  rolloutId: string;
  /** Epoch milliseconds; injected for tests and replays. */
  clock?: () => number;
  versions?: { stable?: string; canary?: string };
  policyDigest?: string;
  /** Extra secret values to redact (webhook secrets, resolved ${env:...}); secret env values are always redacted. */
  redact?: RedactOptions;
  /** Signs every head.json written (the evidence key of `run --evidence-key`, `serve`, `evidence mark --key`). */
  signHead?: HeadSigner;
}

/** A controller decision to record: a `DecisionPoint` (its `at` optional) plus what the judge saw. */
export type DecisionInput = Omit<DecisionPoint, 'at'> & {
  kind?: 'decision';
  at?: string;
  verdict?: Verdict;
  rule?: string;
  budgetBurn?: number | null;
  inputs?: Record<string, unknown>;
};

export interface MarkInput {
  kind: 'mark';
  falseAbort?: boolean;
  resolved?: boolean;
  why: string;
  by?: string;
}

export interface NoteInput {
  kind: 'note';
  topic: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  details?: Record<string, unknown>;
}

export interface FinishInput {
  outcome: RolloutOutcome;
  rollbackDurationSeconds?: number | null;
  timeToDecideSeconds?: number | null;
  budgetBurn?: number | null;
  /** The controller's final snapshot: intervals and decisions for the write-ups. */
  snapshot?: RolloutSnapshot;
  /** Promotion criteria in words (policy / ADR 0002), listed in the PR body. */
  criteria?: string[];
  /** Further evidence links for the PR body (dashboard snapshot, CI log), relative paths preferred. */
  links?: { label: string; href: string }[];
}

export interface EvidenceLog {
  readonly dir: string;
  readonly service: string;
  readonly rolloutId: string;
  /** The last acknowledged record (seq 0 and 64 zeros before the first). */
  readonly head: ChainHead;
  /** The chain as found when opened: not ok when someone edited it before this process resumed it. */
  readonly integrity: Pick<ChainCheck, 'ok' | 'firstBad'>;
  readonly records: readonly EvidenceRecord[];
  /** Durable once it returns (fsynced); throws EvidenceWriteError and leaves the chain as it was otherwise. */
  append(input: DecisionInput): DecisionRecord;
  append(input: MarkInput): MarkRecord;
  append(input: NoteInput): NoteRecord;
  recordDelivery(delivery: WebhookDelivery): void;
  finish(input: FinishInput): WriteUpFiles;
  close(): void;
}

/** Opens (or resumes) the evidence of one rollout. Refuses with EvidenceUnwritableError when it cannot write. */
export function openEvidence(options: OpenEvidenceOptions): EvidenceLog {
  const root = options.root ?? DEFAULT_EVIDENCE_ROOT;
  const dir = rolloutDir(root, options.service, options.rolloutId);
  ensureWritableDir(dir);
  return new FileEvidenceLog(dir, prBodyPath(options.prRoot ?? DEFAULT_PR_ROOT, options.rolloutId), options);
}

class FileEvidenceLog implements EvidenceLog {
  readonly service: string;
  readonly rolloutId: string;
  readonly integrity: Pick<ChainCheck, 'ok' | 'firstBad'>;
  head: ChainHead;
  records: EvidenceRecord[];
  private readonly fd: number;
  private readonly webhooksFd: number;
  private readonly clock: () => number;
  private readonly clean: <T>(value: T) => T;
  private readonly signHead: HeadSigner | undefined;
  private meta: RolloutMeta;
  /** Set once finished: the write-ups are written again at close, when the webhook deliveries have settled. */
  private finished: FinishInput | undefined;

  constructor(
    readonly dir: string,
    private readonly prBody: string,
    options: OpenEvidenceOptions,
  ) {
    this.service = options.service;
    this.rolloutId = options.rolloutId;
    this.clock = options.clock ?? Date.now;
    this.clean = makeRedactor(options.redact);
    this.signHead = options.signHead;
    const file = this.file('decisions');
    const check = resumeChain(file, readHead(dir));
    this.integrity = { ok: check.ok, ...(check.firstBad ? { firstBad: check.firstBad } : {}) };
    this.records = check.records;
    // Continue from the last line as written, even after an edit: verify keeps naming the bad record.
    const last = check.records.at(-1);
    this.head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
    this.fd = openAppend(file);
    this.webhooksFd = openAppend(this.file('webhooks'));
    this.meta =
      readMeta(dir) ??
      newMeta({
        service: this.service,
        rolloutId: this.rolloutId,
        versions: options.versions ?? {},
        ...(options.policyDigest ? { policyDigest: options.policyDigest } : {}),
        startedAt: new Date(this.clock()).toISOString(),
      });
    this.writeMeta();
    this.writeHead();
  }

  append(input: DecisionInput): DecisionRecord;
  append(input: MarkInput): MarkRecord;
  append(input: NoteInput): NoteRecord;
  append(input: DecisionInput | MarkInput | NoteInput): DecisionRecord | MarkRecord | NoteRecord {
    const { kind, at, ...rest } = input as DecisionInput & { kind?: string };
    const body = this.clean(rest) as Record<string, unknown>;
    return this.chain({ ...body, kind: kind ?? 'decision' }, at) as DecisionRecord | MarkRecord | NoteRecord;
  }

  recordDelivery(delivery: WebhookDelivery): void {
    appendDurable(this.webhooksFd, this.file('webhooks'), `${canonicalJson(this.clean(delivery))}\n`);
  }

  finish(input: FinishInput): WriteUpFiles {
    // Finishing again (a resumed controller that crashed after the record, before the write-ups) rewrites the
    // write-ups from the record already in the chain instead of chaining a second, contradicting outcome.
    const done = this.records.find((r): r is FinishRecord => r.kind === 'finish');
    const record =
      done ??
      (this.chain({
        kind: 'finish',
        outcome: input.outcome,
        rollbackDurationSeconds: input.rollbackDurationSeconds ?? null,
        timeToDecideSeconds: input.timeToDecideSeconds ?? null,
        ...(input.budgetBurn !== undefined ? { budgetBurn: input.budgetBurn } : {}),
      }) as FinishRecord);
    this.meta = {
      ...this.meta,
      finishedAt: record.at,
      outcome: record.outcome,
      rollbackDurationSeconds: record.rollbackDurationSeconds,
      timeToDecideSeconds: record.timeToDecideSeconds,
      head: this.head,
    };
    this.writeMeta();
    this.finished = input;
    return this.writeUps(input);
  }

  private writeUps(input: FinishInput): WriteUpFiles {
    return writeWriteUps({
      dir: this.dir,
      prBody: this.prBody,
      meta: this.meta,
      records: this.records,
      finish: input,
      clean: this.clean,
    });
  }

  close(): void {
    // Deliveries of the final webhooks settle after the finish record (the controller drains them before closing
    // the evidence): the summary and PR body counted them too early, so they are rewritten from webhooks.jsonl.
    if (this.finished) this.writeUps(this.finished);
    closeSync(this.fd);
    closeSync(this.webhooksFd);
  }

  private chain(body: Record<string, unknown>, at?: string): EvidenceRecord {
    const unsigned = {
      ...body,
      v: 1,
      seq: this.head.seq + 1,
      at: at ?? new Date(this.clock()).toISOString(),
      service: this.service,
      rolloutId: this.rolloutId,
      prevHash: this.head.hash,
    };
    const record = { ...unsigned, hash: recordHash(unsigned) } as EvidenceRecord;
    // JSON round trip first: the record we hand back is exactly what a reader will parse.
    const line = canonicalJson(record);
    appendDurable(this.fd, this.file('decisions'), `${line}\n`);
    const written = JSON.parse(line) as EvidenceRecord;
    this.head = { seq: written.seq, hash: written.hash };
    this.records.push(written);
    this.writeHead();
    if (written.kind === 'mark') this.applyMark(written);
    return written;
  }

  private applyMark(mark: MarkRecord): void {
    if (mark.falseAbort) this.meta.falseAbort = { why: mark.why, at: mark.at, ...(mark.by ? { by: mark.by } : {}) };
    if (mark.falseAbort === false) this.meta.falseAbort = null;
    if (mark.resolved) this.meta.resolved = { why: mark.why, at: mark.at };
    this.meta.head = this.head;
    this.writeMeta();
  }

  /** One atomic file with its signature, so a crash never leaves a head and a signature that disagree. */
  private writeHead(): void {
    writeFileAtomic(join(this.dir, EVIDENCE_FILES.head), headFileText(this.head, this.signHead));
  }

  private writeMeta(): void {
    writeFileAtomic(join(this.dir, EVIDENCE_FILES.meta), `${JSON.stringify(this.meta, null, 2)}\n`);
  }

  private file(name: keyof typeof EVIDENCE_FILES): string {
    return join(this.dir, EVIDENCE_FILES[name]);
  }
}

/** Reads the chain to resume it; a torn last line (crash mid-write, never acknowledged) is moved aside. */
function resumeChain(file: string, anchor: ChainHead | undefined): ChainCheck {
  if (!existsSync(file)) return { ok: true, records: [], head: { seq: 0, hash: GENESIS_HASH } };
  const text = readFileSync(file, 'utf8');
  const check = checkChain(text, anchor);
  if (check.tornTail !== undefined) {
    const kept = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(check.tornTail, 'utf8');
    writeFileAtomic(`${file}.torn`, check.tornTail);
    truncateSync(file, kept);
    return checkChain(readFileSync(file, 'utf8'), anchor);
  }
  return check;
}
