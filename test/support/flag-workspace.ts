import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The example flag file and its fractional flag, as `run --target flagd` tests step it. */
const EXAMPLE = new URL('../../examples/maestro-api/flags/maestro-api.flagd.json', import.meta.url);
export const FLAG = 'new-checkout';

/** A working directory with a copy of the example flag file at flags/maestro-api.flagd.json. */
export function flagWorkspace(prefix: string): { cwd: string; flagFile: string } {
  const cwd = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(cwd, 'flags'));
  const flagFile = join(cwd, 'flags', 'maestro-api.flagd.json');
  copyFileSync(EXAMPLE, flagFile);
  return { cwd, flagFile };
}

/** canary.yaml for maestro-api with `spec` (the signature gate is not under test where this is used). */
export function writeFlagPolicy(cwd: string, spec: Record<string, unknown>): void {
  writeFileSync(
    join(cwd, 'canary.yaml'),
    JSON.stringify({
      apiVersion: 'adaptive-canary/v1',
      kind: 'CanaryPolicy',
      metadata: { name: 'maestro-api' },
      spec: { service: 'maestro-api', signing: { required: false }, ...spec },
    }),
  );
}

/** The flag's fractional targeting as the file now says it. */
export const fractional = (file: string): unknown =>
  (JSON.parse(readFileSync(file, 'utf8')) as { flags: Record<string, { targeting: { if: unknown[] } }> }).flags[FLAG]
    ?.targeting.if[2];
