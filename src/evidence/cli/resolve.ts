import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { RolloutNotFoundError } from '../errors.js';
import { EVIDENCE_FILES } from '../paths.js';
import { listRollouts } from '../read.js';

/**
 * What a user may name: a rollout directory, `<service>/<rollout-id>` under the root, or just the rollout id
 * (unique across services). Returns the rollout's directory.
 */
export function resolveRollout(what: string, root: string, cwd: string): string {
  const asPath = resolve(cwd, what);
  if (existsSync(join(asPath, EVIDENCE_FILES.decisions))) return asPath;
  const underRoot = resolve(root, what);
  if (what.includes('/') && existsSync(join(underRoot, EVIDENCE_FILES.decisions))) return underRoot;
  const matches = listRollouts(root).filter((dir) => basename(dir) === what);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UsageError(
      `rollout id "${what}" exists for several services; name one: ` +
        `${matches.map((m) => m.slice(root.length + 1)).join(', ')}`,
    );
  }
  throw new RolloutNotFoundError(what, root);
}
