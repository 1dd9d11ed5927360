import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** The layout of one rollout's evidence: `.evidence/<service>/<rollout-id>/<file>`. */
export const EVIDENCE_FILES = {
  decisions: 'decisions.jsonl',
  webhooks: 'webhooks.jsonl',
  meta: 'meta.json',
  head: 'head.json',
  summary: 'summary.md',
  incident: 'incident.md',
} as const;

export const DEFAULT_EVIDENCE_ROOT = '.evidence';
export const DEFAULT_PR_ROOT = '.prbodies';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Service and rollout ids become directory names: refuse anything that could escape the evidence root. */
export function assertSegment(kind: string, value: string): void {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new UsageError(`${kind} "${value}" must be letters, digits, ".", "_" or "-" (it names a directory)`);
  }
}

export function rolloutDir(root: string, service: string, rolloutId: string): string {
  assertSegment('service', service);
  assertSegment('rollout id', rolloutId);
  return join(root, service, rolloutId);
}

export function prBodyPath(prRoot: string, rolloutId: string): string {
  assertSegment('rollout id', rolloutId);
  return join(prRoot, `${rolloutId}.md`);
}
