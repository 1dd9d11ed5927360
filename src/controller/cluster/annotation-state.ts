import type { StateStore, StoredRollout } from '../state-store.js';

/**
 * The controller's rollout state as it lives in the Rollout's `adaptive-canary.dev/state` annotation: the
 * whole StoredRollout (meta, state, observations, decisions), so any replica rebuilds the judge exactly
 * (the engine is deterministic) and resumes. Tied to the canary's pod template hash: a new revision is a
 * new rollout.
 */
export interface AnnotationState {
  v: 1;
  canaryHash: string;
  stored: StoredRollout;
}

// Annotations share a 256 KiB budget per object: 2 to 2.5 KiB per interval here, compressed past 128 KiB
// (state-annotation.ts), so a rollout of roughly 1,000 intervals fits (docs/kubernetes.md). Past that the API server
// refuses the write and the controller warns.

/** JSON.parse that answers null for a hand-edited, broken annotation (start over rather than crash). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function decodeState(raw: unknown, canaryHash: string): StoredRollout | null {
  if (!raw || typeof raw !== 'object') return null;
  const doc = raw as Partial<AnnotationState>;
  if (doc.v !== 1 || doc.canaryHash !== canaryHash || !doc.stored?.meta) return null;
  return doc.stored;
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
