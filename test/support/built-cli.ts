import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLIs, run as a user runs them (`npm test` builds `dist/` before the tests). */
export const ADAPTIVE_CANARY_BIN = resolve(import.meta.dirname, '../../dist/bin/adaptive-canary.js');
export const SYNTHETICSCTL_BIN = resolve(import.meta.dirname, '../../dist/bin/syntheticsctl.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  bin?: string;
  timeoutMs?: number;
}

function childEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...env };
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runBuiltCli(args: string[], options: CliRunOptions): CliResult {
  const r = spawnSync(process.execPath, [options.bin ?? ADAPTIVE_CANARY_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like runBuiltCli, without blocking the test's own event loop (for CLIs that talk to in-test servers). */
export function runBuiltCliAsync(args: string[], options: CliRunOptions): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [options.bin ?? ADAPTIVE_CANARY_BIN, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
