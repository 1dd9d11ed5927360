import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError } from '../../errors.js';
import { httpStatus } from './retry.js';
import type { RolloutClient } from './rollout-client.js';

/** The controller's own state lives on the Rollout, so any replica can resume (docs/kubernetes.md). */
export const STATE_ANNOTATION = 'adaptive-canary.dev/state';

/**
 * Annotations share 256 KiB per object. serve's state keeps its intervals in the evidence ConfigMaps and stays a
 * few KiB (docs/kubernetes.md, "Controller state"); a state past INLINE_MAX_BYTES (many decisions, or one written
 * before the intervals moved) is stored gzip-compressed, base64, behind this prefix: about a tenth of the size.
 * Below it stays plain JSON, which `kubectl get rollout -o yaml` shows as is.
 */
export const COMPRESSED_PREFIX = 'gzip+base64:';
export const INLINE_MAX_BYTES = 128 * 1024;

/** The annotation text for a state document. */
export function encodeStateText(json: string): string {
  if (Buffer.byteLength(json, 'utf8') <= INLINE_MAX_BYTES) return json;
  return COMPRESSED_PREFIX + gzipSync(json).toString('base64');
}

/** The state document's JSON from the annotation text; a corrupt compressed one reads as '' (start over). */
export function decodeStateText(raw: string): string {
  if (!raw.startsWith(COMPRESSED_PREFIX)) return raw;
  try {
    return gunzipSync(Buffer.from(raw.slice(COMPRESSED_PREFIX.length), 'base64')).toString('utf8');
  } catch {
    return '';
  }
}

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
      state = JSON.parse(decodeStateText(raw)) as T;
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
        metadata: { resourceVersion, annotations: { [STATE_ANNOTATION]: encodeStateText(JSON.stringify(next)) } },
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
