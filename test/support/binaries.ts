import { notInstalledMessage, which } from '../../scripts/test-prerequisites.js';

/**
 * The absolute path of a binary the tests spawn (listed in scripts/test-prerequisites.ts). A missing one throws
 * "X is not installed (apt-get install Y)" before anything is spawned, so it never reads as a crashed process.
 */
export function installedBinary(binary: string): string {
  const path = which(binary);
  if (!path) throw new Error(notInstalledMessage(binary));
  return path;
}

/** For a spawn that failed anyway (ENOENT after all): the same message instead of the bare errno. */
export function describeSpawnError(binary: string, err: NodeJS.ErrnoException): Error {
  return err.code === 'ENOENT' ? new Error(notInstalledMessage(binary)) : err;
}
