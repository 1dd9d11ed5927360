import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { z } from 'zod';
import { AppError, FileError } from './errors.js';
import { INPUT_LIMITS, InputTooLargeError } from './schema/input-limits.js';
import { parseDocumentText, type LoadedDocument } from './schema/load-document.js';

// Reading inputs within their size limits (schema/input-limits.ts): files, HTTP bodies and the config documents
// people write. The I/O lives here so src/schema stays formats only (parsing and validating text).

/** A text input people write (YAML, JSON, PEM), refused before reading when over its size limit or binary. */
export function readTextFile(file: string, maxBytes: number = INPUT_LIMITS.document): string {
  return readLimitedText(file, maxBytes, 'a text file (YAML, JSON or PEM)');
}

export function loadDocumentFile<S extends z.ZodType>(file: string, schema: S): LoadedDocument<z.output<S>> {
  return parseDocumentText(readTextFile(file), file, schema);
}

/**
 * Reads a file, refusing before reading it when it is over `maxBytes` (the size is checked on the open file
 * descriptor, and reading stops at the limit, so a file growing meanwhile cannot slip through).
 */
export function readLimitedFile(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new FileError(file, 'is a directory');
    if (stat.size > maxBytes) throw new InputTooLargeError(file, stat.size, maxBytes);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(maxBytes + 1 - length, 1024 * 1024));
      const n = chunk.length === 0 ? 0 : readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
    }
    if (length > maxBytes) throw new InputTooLargeError(file, length, maxBytes);
    return Buffer.concat(chunks, length);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw fileError(file, err);
  } finally {
    closeSync(fd);
  }
}

/** A limited read of a text file: a binary file (NUL bytes, invalid UTF-8) is named as such, not parsed. */
export function readLimitedText(file: string, maxBytes: number, expected = 'UTF-8 text'): string {
  const bytes = readLimitedFile(file, maxBytes);
  if (bytes.includes(0)) throw new FileError(file, `is a binary file (it contains NUL bytes); expected ${expected}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileError(file, `is not valid UTF-8 (a binary file?); expected ${expected}`);
  }
}

function fileError(file: string, err: unknown): FileError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  return new FileError(file, why, { cause: err });
}

/**
 * Reads an HTTP response's body as text, refusing one over `maxBytes`: a declared Content-Length over the limit
 * is refused before reading, and a streamed body stops (and the connection is cancelled) once past it, so a
 * misbehaving server cannot fill the controller's memory.
 */
export async function readLimitedBody(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new InputTooLargeError(what, declared, maxBytes);
  }
  if (!res.body) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new InputTooLargeError(what, length, maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}
