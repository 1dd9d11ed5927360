import type { StateStore, StoredRollout } from '../state-store.js';

/**
 * The controller's rollout state as it lives in the Rollout's `adaptive-canary.dev/state` annotation: the
 * StoredRollout (meta, state, decisions), so any replica rebuilds the judge exactly (the engine is
 * deterministic) and resumes. Tied to the canary's pod template hash: a new revision is a new rollout.
 *
 * The observations grow with the bake and annotations share 256 KiB per object, so the intervals live in the
 * evidence ConfigMaps (intervals.jsonl, segmented like the records) and the annotation counts them:
 * `intervalsInEvidence`, with `stored.intervals` empty. An annotation written before that holds them inline.
 */
export interface AnnotationState {
  v: 1;
  canaryHash: string;
  stored: StoredRollout;
  intervalsInEvidence?: number;
}

/** A decoded annotation: the stored rollout, and how many of its intervals are to be read from the evidence. */
export interface DecodedState {
  stored: StoredRollout;
  intervalsInEvidence: number;
}

/** JSON.parse that answers null for a hand-edited, broken annotation (start over rather than crash). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function decodeState(raw: unknown, canaryHash: string): DecodedState | null {
  if (!raw || typeof raw !== 'object') return null;
  const doc = raw as Partial<AnnotationState>;
  if (doc.v !== 1 || doc.canaryHash !== canaryHash || !doc.stored?.meta) return null;
  return { stored: doc.stored, intervalsInEvidence: doc.intervalsInEvidence ?? 0 };
}

/** Replays a stored rollout into an (empty, in-memory) StateStore so RolloutController.open resumes it. */
export function seedStore(store: StateStore, s: StoredRollout, now: number): void {
  store.create(s.meta, s.state, now);
  for (const i of s.intervals)
    store.write(
      s.meta.id,
      { state: s.state, interval: { observation: i.observation, assessment: i.assessment, point: i.point } },
      now,
    );
  for (const d of s.decisions) {
    const seq = store.write(s.meta.id, { state: s.state, decision: d.decision }, now);
    if (seq !== undefined && d.notifiedAt !== null) store.markNotified(s.meta.id, seq, d.notifiedAt);
    if (seq !== undefined && d.recordedAt !== null) store.markRecorded(s.meta.id, seq, d.recordedAt);
  }
  if (s.rollbackDecidedAt !== null && s.rollbackConfirmedAt !== null) {
    store.write(
      s.meta.id,
      { state: s.state, rollback: { decidedAt: s.rollbackDecidedAt, confirmedAt: s.rollbackConfirmedAt } },
      now,
    );
  }
}
