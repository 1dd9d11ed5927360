import { createHash } from 'node:crypto';
import { EVIDENCE_FILES } from '../../evidence/paths.js';

/**
 * How one rollout's evidence is cut into ConfigMaps (docs/kubernetes.md, "Evidence on the cluster"). A ConfigMap
 * holds at most 1 MiB, so the append-only files — decisions.jsonl, webhooks.jsonl, intervals.jsonl — are split on line
 * boundaries over numbered segments; only the last segment is ever rewritten, and it also carries the small
 * files (head.json, meta.json, the write-ups). head.json travels in the same object as the newest lines, so
 * one ConfigMap update moves both at once: no reader sees records newer than the anchor, or an anchor ahead
 * of them. Pure: the API calls are in evidence-configmaps.ts.
 */

/**
 * Bytes of lines per segment; with the small files the ConfigMap stays well below 1 MiB. The last segment is
 * rewritten whole on every state write (intervals.jsonl grows each interval), so this is also what a write costs at
 * most: 128 KiB on average over a long bake.
 */
export const SEGMENT_LINE_BYTES = 256 * 1024;
/** The API server's limit on a ConfigMap's data (core.MaxSecretSize). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/**
 * Every analysis interval the controller stored (observation, assessment, point), one JSON line each: the state a
 * new leader rebuilds the judge from. It grows with the bake, so it lives here rather than in the Rollout's state
 * annotation, which keeps only a count (annotation-state.ts). Not hash-chained: it is working state, not a record.
 */
export const INTERVALS_KEY = 'intervals.jsonl';

/** ConfigMap data keys: the evidence files by their laptop names; the PR body (kept in `.prbodies/`) as pr-body.md. */
export const APPEND_KEYS = [EVIDENCE_FILES.decisions, EVIDENCE_FILES.webhooks, INTERVALS_KEY] as const;
export const PR_BODY_KEY = 'pr-body.md';
export const SMALL_KEYS = [
  EVIDENCE_FILES.head,
  EVIDENCE_FILES.meta,
  EVIDENCE_FILES.summary,
  EVIDENCE_FILES.incident,
  PR_BODY_KEY,
] as const;

/** One rollout's evidence as files: ConfigMap key → content. */
export type EvidenceFiles = Partial<Record<(typeof APPEND_KEYS)[number] | (typeof SMALL_KEYS)[number], string>>;

export interface Segment {
  /** 1-based position. */
  index: number;
  data: Record<string, string>;
  /** Known resourceVersion (absent until created). */
  resourceVersion?: string;
}

/** A short, label-safe digest of the rollout id: names the ConfigMaps and selects them. */
export function evidenceKey(rolloutId: string): string {
  return createHash('sha256').update(rolloutId).digest('hex').slice(0, 20);
}

export function segmentName(rolloutId: string, index: number): string {
  return `adaptive-canary-evidence-${evidenceKey(rolloutId)}-${String(index).padStart(4, '0')}`;
}

const bytes = (data: Record<string, string>): number =>
  Object.values(data).reduce((n, v) => n + Buffer.byteLength(v, 'utf8'), 0);

/** The files back from the segments (in any order): appended files concatenated, small files from the last. */
export function joinSegments(segments: readonly Segment[]): EvidenceFiles {
  const sorted = [...segments].sort((a, b) => a.index - b.index);
  const files: EvidenceFiles = {};
  for (const key of APPEND_KEYS) files[key] = sorted.map((s) => s.data[key] ?? '').join('');
  const last = sorted.at(-1);
  for (const key of SMALL_KEYS) if (last?.data[key] !== undefined) files[key] = last.data[key];
  return files;
}

/** The append-only files' keys, and text to append to each. */
export type AppendKey = (typeof APPEND_KEYS)[number];
export type Tails = Partial<Record<AppendKey, string>>;

/**
 * The segments to write so the cluster holds `files`, given what it holds now (`segments`). Appended files must
 * extend what is stored. Returns only the segments that change (empty: nothing to write). This compares whole
 * files; a writer that knows how much the cluster holds appends with planAppend, at the cost of the new lines.
 */
export function planSegments(segments: readonly Segment[], files: EvidenceFiles): Segment[] {
  const stored = joinSegments(segments);
  const tails: Tails = {};
  for (const key of APPEND_KEYS) {
    const have = stored[key] ?? '';
    const want = files[key] ?? '';
    if (!want.startsWith(have))
      throw new Error(`${key} no longer extends what the cluster holds (it was rewritten or cut): not uploading`);
    tails[key] = want.slice(have.length);
  }
  const small: EvidenceFiles = {};
  for (const key of SMALL_KEYS) if (files[key] !== undefined) small[key] = files[key];
  return planAppend(segments, tails, small);
}

/**
 * The segments to write to append `tails` (whole lines; a trailing piece without a newline is left out) and set
 * the small files: new lines go into the last segment until it is full, then into new ones.
 */
export function planAppend(segments: readonly Segment[], tails: Tails, small: EvidenceFiles): Segment[] {
  const sorted = [...segments].sort((a, b) => a.index - b.index);
  let last: Segment = sorted.at(-1) ? { ...sorted.at(-1)!, data: { ...sorted.at(-1)!.data } } : { index: 1, data: {} };
  const changed = new Map<number, Segment>();
  const lineBytes = (seg: Segment): number =>
    APPEND_KEYS.reduce((n, k) => n + Buffer.byteLength(seg.data[k] ?? '', 'utf8'), 0);
  let used = lineBytes(last);
  for (const key of APPEND_KEYS) {
    for (const line of splitLines(tails[key] ?? '')) {
      const size = Buffer.byteLength(line, 'utf8');
      if (used > 0 && used + size > SEGMENT_LINE_BYTES) {
        for (const k of SMALL_KEYS) delete last.data[k]; // a full segment keeps only its lines
        changed.set(last.index, last);
        last = { index: last.index + 1, data: {} };
        used = 0;
      }
      last.data[key] = (last.data[key] ?? '') + line;
      used += size;
      changed.set(last.index, last);
    }
  }
  const before = sorted.find((s) => s.index === last.index)?.data ?? {};
  Object.assign(last.data, small);
  if (!changed.has(last.index) && SMALL_KEYS.some((k) => before[k] !== last.data[k])) changed.set(last.index, last);
  if (bytes(last.data) > CONFIGMAP_MAX_BYTES)
    throw new Error(`the evidence write-ups need ${bytes(last.data)} bytes, more than a ConfigMap holds`);
  return [...changed.values()].sort((a, b) => a.index - b.index);
}

/** Whole lines, each with its newline; a trailing piece without one (never acknowledged) is left out. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', from)) {
    out.push(text.slice(from, i + 1));
    from = i + 1;
  }
  return out;
}
