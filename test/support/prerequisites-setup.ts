import { ensureTestPrerequisites } from '../../scripts/test-prerequisites.js';

/**
 * vitest globalSetup of the integration and e2e projects: a targeted `npx vitest run test/...` gets the same
 * install-or-fail-at-once as `npm test` (whose pretest runs it first), before any test spawns a missing binary.
 */
export default function setup(): void {
  ensureTestPrerequisites((line) => process.stderr.write(`${line}\n`));
}
