import { updateState } from '../../actuators/argo/state-annotation.js';
import type { RolloutClient } from '../../actuators/argo/rollout-client.js';
import { errorMessage } from '../../errors.js';
import type { AnnotationState } from './annotation-state.js';
import type { Limiter } from './limiter.js';
import type { ClusterRollout } from './open-cluster-rollout.js';

/** A driven Rollout as far as writing its record goes. */
export interface PersistedRollout extends ClusterRollout {
  ns: string;
  name: string;
  canaryHash: string;
  /** Set once closed: late callbacks (a webhook settling) write nothing. */
  closed: boolean;
  /** resourceVersion of our last state write, so the next write needs no read (a 409 falls back to one). */
  lastRv: string | undefined;
  /** Intervals 1…n are in the evidence's intervals.jsonl (written by this leader or the one before). */
  intervalsInEvidence: number;
}

/**
 * Uploads the evidence (with the intervals stored since the last write), then writes the rollout's state to its
 * annotation — in that order, so the state never marks a record written, or counts an interval, that the cluster
 * does not hold. Fenced: a replica that lost the lease writes nothing.
 * When the evidence cannot be uploaded the state waits too, and both are tried again after a second.
 */
export async function persistRollout(
  entry: PersistedRollout,
  options: {
    client: RolloutClient;
    limiter: Limiter;
    isLeader: () => boolean;
    warn: (message: string) => void;
    retry: () => void;
  },
): Promise<void> {
  const { ns, name } = entry;
  if (!options.isLeader() || entry.closed) return;
  const stored = entry.store.load(`${ns}/${name}`, { intervalsAfter: entry.intervalsInEvidence });
  if (!stored) return;
  const counted = stored.intervals.at(-1)?.seq ?? entry.intervalsInEvidence;
  try {
    entry.evidence.appendIntervals(stored.intervals);
    entry.intervalsInEvidence = counted;
    await entry.evidence.flush();
  } catch (err) {
    options.warn(`${ns}/${name}: evidence not uploaded (state write held back, retrying): ${errorMessage(err)}`);
    setTimeout(options.retry, 1_000).unref();
    return;
  }
  const state: AnnotationState = {
    v: 1,
    canaryHash: entry.canaryHash,
    stored: { ...stored, intervals: [] },
    intervalsInEvidence: counted,
  };
  try {
    const known = entry.lastRv === undefined ? undefined : { state: null, resourceVersion: entry.lastRv };
    const { resourceVersion } = await options.limiter.run(() =>
      updateState<AnnotationState>(options.client, ns, name, () => state, { known }),
    );
    entry.lastRv = resourceVersion;
  } catch (err) {
    options.warn(`${ns}/${name}: state annotation not written: ${errorMessage(err)}`);
  }
}
