import { AppError } from '../../errors.js';
import { httpStatus } from './retry.js';
import type { RolloutClient } from './rollout-client.js';

/** The controller's own state lives on the Rollout, so any replica can resume (docs/kubernetes.md). */
export const STATE_ANNOTATION = 'adaptive-canary.dev/state';

export interface StoredState<T> {
  state: T | null;
  resourceVersion: string;
}

export async function readState<T>(client: RolloutClient, namespace: string, name: string): Promise<StoredState<T>> {
  const ro = await client.get(namespace, name);
  const raw = ro.metadata.annotations?.[STATE_ANNOTATION];
  let state: T | null = null;
  if (raw !== undefined) {
    try {
      state = JSON.parse(raw) as T;
    } catch {
      state = null; // a hand-edited, broken annotation: start over rather than crash the loop
    }
  }
  return { state, resourceVersion: ro.metadata.resourceVersion ?? '' };
}

/**
 * Read-modify-write of the state annotation with optimistic concurrency: the merge patch carries
 * `metadata.resourceVersion`, so the API server answers 409 when anyone changed the Rollout since the read;
 * then `update` runs again on the fresh state. With `known` (the state and resourceVersion the caller last
 * wrote or watched) the first attempt skips the read — one request per write instead of two. Returns the
 * state written and the Rollout's new resourceVersion.
 */
export async function updateState<T>(
  client: RolloutClient,
  namespace: string,
  name: string,
  update: (prev: T | null) => T,
  opts: { attempts?: number; known?: StoredState<T> } = {},
): Promise<{ state: T; resourceVersion: string }> {
  const attempts = opts.attempts ?? 5;
  let known = opts.known;
  for (let i = 0; i < attempts; i++) {
    const { state, resourceVersion } = known ?? (await readState<T>(client, namespace, name));
    known = undefined;
    const next = update(state);
    try {
      const ro = await client.patchMain(namespace, name, {
        metadata: { resourceVersion, annotations: { [STATE_ANNOTATION]: JSON.stringify(next) } },
      });
      return { state: next, resourceVersion: ro.metadata.resourceVersion ?? '' };
    } catch (err) {
      if (httpStatus(err) !== 409) throw err;
    }
  }
  throw new AppError(
    'E_ARGO_CONFLICT',
    `${namespace}/${name}: state annotation kept conflicting after ${attempts} attempts`,
  );
}
