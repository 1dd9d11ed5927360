import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError, FileError } from '../../errors.js';

/**
 * Reading and atomically rewriting an OpenFeature flagd flag file (https://flagd.dev/schema/v0/flags.json).
 * The new content goes to a temp file in the same directory, is fsynced, then renamed over the original, so
 * a flagd watching the file sees the old or the new document, never half of one.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface FlagFile {
  flags: Record<string, FlagDefinition>;
  [k: string]: Json | Record<string, FlagDefinition>;
}
export interface FlagDefinition {
  state?: string;
  variants: Record<string, Json>;
  defaultVariant?: string | null;
  targeting?: Json;
  [k: string]: Json | undefined;
}

export async function readFlagFile(file: string): Promise<FlagFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FileError(file, `cannot read the flag file (${(err as Error).message})`, { cause: err });
  }
  try {
    const doc = JSON.parse(text) as FlagFile;
    if (typeof doc !== 'object' || doc === null || typeof doc.flags !== 'object') throw new Error('no "flags" object');
    return doc;
  } catch (err) {
    throw new FileError(file, `not a flagd flag file: ${(err as Error).message}`, { cause: err });
  }
}

export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new FileError(file, `cannot write the flag file (${(err as Error).message})`, { cause: err });
  }
  try {
    // Persist the rename itself (the directory entry); not supported everywhere, so best effort.
    const dir = await open(dirname(file), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // directories cannot be fsynced on some platforms
  }
}

/** The first `fractional` operation in a flag's targeting tree (it may sit inside `if`), or undefined. */
export function findFractional(node: Json | undefined): Json[] | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findFractional(child);
      if (found) return found;
    }
    return undefined;
  }
  if (node && typeof node === 'object') {
    if (Array.isArray(node.fractional)) return node.fractional;
    for (const child of Object.values(node)) {
      const found = findFractional(child);
      if (found) return found;
    }
  }
  return undefined;
}

export function noFractional(file: string, flag: string): AppError {
  return new AppError(
    'E_FLAGD_TARGETING',
    `${file}: flag "${flag}" has no fractional targeting; add e.g. ` +
      `"targeting": {"fractional": [["on", 0], ["off", 100]]}`,
  );
}
