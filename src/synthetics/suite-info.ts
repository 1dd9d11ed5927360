import { createHash } from 'node:crypto';
import { SUITE_INFO } from '../metric-names.js';

/**
 * How a running `syntheticsctl run` says which suite it runs, and how preflight reads it back: one gauge whose
 * `sha256` label is the digest of the suite file's bytes. Both sides use these (and the name in
 * src/metric-names.ts), so they cannot drift apart.
 */
export function suiteDigest(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The digest a daemon's `/metrics` text announces, or undefined when it has no suite info. */
export function announcedSuiteDigest(metricsText: string): string | undefined {
  return new RegExp(`^${SUITE_INFO}\\{[^}]*sha256="([0-9a-f]{64})"[^}]*\\}`, 'm').exec(metricsText)?.[1];
}
