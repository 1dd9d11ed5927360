import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/io.js';
import { runMain } from '../../src/cli/run-main.js';
import { adaptiveCanaryCommands } from '../../src/commands/adaptive-canary/index.js';

/** Run `adaptive-canary ARGS` in-process for tests; returns the exit code and everything printed. */
export async function runCli(
  argv: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const io: CliIO = { stdout: out, stderr: err, env: opts.env ?? {}, cwd: opts.cwd };
  const code = await runMain(
    { name: 'adaptive-canary', description: 'test', version: '0', commands: adaptiveCanaryCommands },
    argv,
    io,
  );
  return { code, stdout, stderr };
}
