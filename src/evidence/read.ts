import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import {
  rolloutMeta,
  webhookDelivery,
  type EvidenceRecord,
  type RolloutMeta,
  type WebhookDelivery,
} from '../schema/evidence.js';
import { checkChain, type ChainProblem } from './chain.js';
import { checkCompleteness, type ChainStatus, type RolloutLiveness } from './completeness.js';
import { EVIDENCE_FILES } from './paths.js';
import type { SignedHead } from './head-signature.js';
import { readLimitedFile, readLimitedText } from '../read-input.js';

/** One rollout's evidence as read back: the chain (checked), deliveries, meta and which write-ups exist. */
export interface RolloutEvidence {
  dir: string;
  meta: RolloutMeta;
  records: EvidenceRecord[];
  deliveries: WebhookDelivery[];
  integrity: { ok: boolean; records: number; status: ChainStatus; firstBad?: ChainProblem };
  incident: { present: boolean; resolved: boolean };
}

/**
 * decisions.jsonl / webhooks.jsonl, refused over INPUT_LIMITS.evidence before reading. Not decoded strictly:
 * a byte edited into invalid UTF-8 is a tamper the chain check names, not an unreadable file.
 */
export function readEvidenceText(file: string): string {
  return readLimitedFile(file, INPUT_LIMITS.evidence).toString('utf8');
}

export function readHead(dir: string): SignedHead | undefined {
  const file = join(dir, EVIDENCE_FILES.head);
  if (!existsSync(file)) return undefined;
  try {
    const head = JSON.parse(readLimitedText(file, INPUT_LIMITS.evidenceIndex)) as SignedHead;
    if (typeof head.seq !== 'number' || typeof head.hash !== 'string') return undefined;
    return {
      seq: head.seq,
      hash: head.hash,
      ...(typeof head.signature === 'string' ? { signature: head.signature } : {}),
    };
  } catch {
    return undefined;
  }
}

export function readMeta(dir: string): RolloutMeta | undefined {
  const file = join(dir, EVIDENCE_FILES.meta);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = rolloutMeta.safeParse(JSON.parse(readLimitedText(file, INPUT_LIMITS.evidenceIndex)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every rollout directory under root (`<root>/<service>/<rollout-id>/decisions.jsonl`), oldest first. */
export function listRollouts(root: string): string[] {
  if (!existsSync(root)) return [];
  const dirs: { dir: string; mtime: number }[] = [];
  for (const service of subdirs(root)) {
    for (const rollout of subdirs(join(root, service))) {
      const dir = join(root, service, rollout);
      const decisions = join(dir, EVIDENCE_FILES.decisions);
      if (existsSync(decisions)) dirs.push({ dir, mtime: startedAt(dir) ?? statSync(decisions).mtimeMs });
    }
  }
  return dirs.sort((a, b) => a.mtime - b.mtime || a.dir.localeCompare(b.dir)).map((d) => d.dir);
}

function startedAt(dir: string): number | undefined {
  const at = readMeta(dir)?.startedAt;
  return at ? Date.parse(at) : undefined;
}

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/**
 * Reads one rollout directory. Meta falls back to what the chain says when meta.json is missing. `liveness`
 * (the controller state, outside the folder) tells a running rollout from one whose end was cut off.
 */
export function readRollout(
  dir: string,
  liveness?: (rolloutId: string) => RolloutLiveness | undefined,
): RolloutEvidence {
  const decisions = join(dir, EVIDENCE_FILES.decisions);
  const text = existsSync(decisions) ? readEvidenceText(decisions) : '';
  const head = readHead(dir);
  const check = checkChain(text, head);
  const records = check.records;
  const found = readMeta(dir);
  const meta = deriveMeta(found, records, dir);
  const complete = checkCompleteness({ records, head, meta: found, liveness: liveness?.(meta.rolloutId) });
  const firstBad = check.firstBad ?? complete.problem;
  const incidentFile = join(dir, EVIDENCE_FILES.incident);
  const present = existsSync(incidentFile);
  const resolvedInFile =
    present &&
    /^\s*(\*\*)?status(\*\*)?:\s*(\*\*)?resolved/im.test(readLimitedText(incidentFile, INPUT_LIMITS.document));
  return {
    dir,
    meta,
    records,
    deliveries: readDeliveries(join(dir, EVIDENCE_FILES.webhooks)),
    integrity: { ok: !firstBad, records: records.length, status: complete.status, ...(firstBad ? { firstBad } : {}) },
    incident: { present, resolved: resolvedInFile || meta.resolved !== null },
  };
}

export function readDeliveries(file: string): WebhookDelivery[] {
  if (!existsSync(file)) return [];
  const out: WebhookDelivery[] = [];
  for (const line of readEvidenceText(file).split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = webhookDelivery.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A torn last line from a crash: the delivery itself was logged by the receiver, if it arrived.
    }
  }
  return out;
}

/** The meta of a rollout nothing is known about yet but who and when. */
export function newMeta(
  m: Pick<RolloutMeta, 'service' | 'rolloutId' | 'startedAt'> & Partial<Pick<RolloutMeta, 'versions' | 'policyDigest'>>,
): RolloutMeta {
  return {
    v: 1,
    versions: {},
    ...m,
    finishedAt: null,
    outcome: null,
    rollbackDurationSeconds: null,
    timeToDecideSeconds: null,
    falseAbort: null,
    resolved: null,
  };
}

/** The chain wins over meta.json for outcome and marks: meta is a convenience copy, the chain is signed. */
function deriveMeta(meta: RolloutMeta | undefined, records: EvidenceRecord[], dir: string): RolloutMeta {
  const first = records[0];
  const parts = dir.split(/[\\/]/);
  const base: RolloutMeta =
    meta ??
    newMeta({
      service: first?.service ?? parts.at(-2) ?? '',
      rolloutId: first?.rolloutId ?? parts.at(-1) ?? '',
      startedAt: first?.at ?? new Date(0).toISOString(),
    });
  const out: RolloutMeta =
    records.length === 0 ? { ...base } : { ...base, finishedAt: null, outcome: null, falseAbort: null, resolved: null };
  for (const r of records) {
    if (r.kind === 'finish') {
      Object.assign(out, {
        finishedAt: r.at,
        outcome: r.outcome,
        rollbackDurationSeconds: r.rollbackDurationSeconds,
        timeToDecideSeconds: r.timeToDecideSeconds,
      });
    } else if (r.kind === 'mark') {
      if (r.falseAbort) out.falseAbort = { why: r.why, at: r.at, ...(r.by ? { by: r.by } : {}) };
      if (r.falseAbort === false) out.falseAbort = null;
      if (r.resolved) out.resolved = { why: r.why, at: r.at };
    }
  }
  return out;
}
