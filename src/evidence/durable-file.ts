import {
  closeSync,
  constants,
  accessSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '../errors.js';
import { EvidenceUnwritableError, EvidenceWriteError } from './errors.js';

/**
 * The only code that writes evidence bytes. Appends are fsynced before they are acknowledged; a failed append
 * (ENOSPC, EIO) is cut back off the file so a half-written line never breaks the chain; whole-file writes go
 * through a temp file and rename so readers never see half a file.
 */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'read-only file system',
      ENOTDIR: 'a path component is a file, not a directory',
      EEXIST: 'a file is in the way',
      ENOSPC: 'no space left on device',
    };
    throw new EvidenceUnwritableError(dir, why[code] ?? errorMessage(err), { cause: err });
  }
}

/** Appends `text` to the open file and fsyncs; on failure restores the previous length and throws. */
export function appendDurable(fd: number, file: string, text: string): void {
  const before = fstatSync(fd).size;
  const bytes = Buffer.from(text, 'utf8');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    try {
      ftruncateSync(fd, before);
    } catch {
      // The file may be a device or gone; the caller still gets the original error.
    }
    throw new EvidenceWriteError(file, errorMessage(err), { cause: err });
  }
}

export function openAppend(file: string): number {
  try {
    return openSync(file, 'a');
  } catch (err) {
    throw new EvidenceUnwritableError(file, errorMessage(err), { cause: err });
  }
}

/** Replaces `file` atomically with `text` (temp file, fsync, rename). */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    appendDurable(fd, tmp, text);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    syncDir(dirname(file));
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (err instanceof EvidenceWriteError) throw err;
    throw new EvidenceWriteError(file, errorMessage(err), { cause: err });
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  }
}
