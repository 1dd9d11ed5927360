import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_CANARY_BIN, SYNTHETICSCTL_BIN } from '../support/built-cli.js';

// `CLI ... | head -1`: the reader closes the pipe after the first line. The output below is several times the
// 64 KiB a pipe buffers, so the CLI is still writing when the pipe closes and its next write fails with EPIPE.
const root = resolve(import.meta.dirname, '../..');

interface HeadResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  firstLine: string;
  stderr: string;
}

/** Runs the built CLI with stdout a pipe that is closed as soon as the first line arrives. */
function runPipedToHead(bin: string, args: string[]): Promise<HeadResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let firstLine = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0 && !firstLine) {
        firstLine = out.slice(0, nl);
        child.stdout.destroy(); // what `head -1` does: close its end of the pipe
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal, firstLine, stderr }));
  });
}

const repeat = (file: string, n: number): string[] => Array.from({ length: n }, () => file);

describe('a CLI whose stdout pipe is closed early (`| head -1`)', () => {
  it('adaptive-canary replay FILE... exits quietly, with the exit code of the verdict', async () => {
    const r = await runPipedToHead(ADAPTIVE_CANARY_BIN, ['replay', ...repeat('examples/replays/healthy.jsonl', 150)]);
    expect(r.firstLine).toContain('healthy.jsonl');
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it('syntheticsctl validate FILE... exits quietly, with the exit code of the check', async () => {
    const suite = 'examples/maestro-api/synthetics/maestro-api-canary.yaml';
    const r = await runPipedToHead(SYNTHETICSCTL_BIN, ['validate', ...repeat(suite, 1200)]);
    expect(r.firstLine).toContain('maestro-api-canary.yaml');
    // The suite's environment variables are unset here: those warnings are the only stderr allowed.
    expect(r.stderr.split('\n').filter((l) => l && !l.includes('warning: environment variable'))).toEqual([]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });
});
