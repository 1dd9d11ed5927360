import type { CliIO } from '../io.js';
import { UsageError } from '../errors.js';

/**
 * The key password, as cosign gets it: `COSIGN_PASSWORD` (an empty value is a valid, empty password), else a
 * prompt on a terminal with echo off. Never logged; never part of an error message.
 */
export async function readPassword(io: CliIO, opts: { confirm: boolean }): Promise<string> {
  const fromEnv = io.env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  const stdin = io.stdin as (NodeJS.ReadStream & { isTTY?: boolean }) | undefined;
  if (!stdin?.isTTY || typeof stdin.setRawMode !== 'function') {
    throw new UsageError('no password: set COSIGN_PASSWORD (it may be empty) or run on a terminal to be prompted');
  }
  const first = await promptHidden(stdin, io.stderr, 'Enter password for private key: ');
  if (!opts.confirm) return first;
  const again = await promptHidden(stdin, io.stderr, 'Enter password for private key again: ');
  if (again !== first) throw new UsageError('passwords do not match');
  return first;
}

function promptHidden(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream, question: string): Promise<string> {
  out.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      out.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
