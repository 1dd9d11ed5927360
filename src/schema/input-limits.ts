import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AppError, FileError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/**
 * The largest input each tool reads, checked before anything is parsed (a YAML parser needs ~90× a file's
 * size in memory). Listed, with the reasoning, in docs/security.md "Size limits".
 */
export const INPUT_LIMITS = {
  /** A policy, probe suite, observability config, key file or manifest (YAML/JSON written by people). */
  document: 1024 * 1024,
  /** A replay file (JSON Lines, one interval a line: ~100 000 intervals of ~1 KiB). */
  replay: 128 * 1024 * 1024,
  /** One rollout's decisions.jsonl or webhooks.jsonl. */
  evidence: 64 * 1024 * 1024,
  /** head.json and meta.json. */
  evidenceIndex: 64 * 1024,
  /** A request body the HTTP API accepts (actions, OTLP, webhooks in tests). */
  requestBody: 1024 * 1024,
  /** A file to sign or verify (a manifest, a suite, a release artifact): hashed from memory. */
  signedFile: 64 * 1024 * 1024,
  /** A response from Prometheus (a query result, a `/metrics` scrape): a range query over many series. */
  prometheusResponse: 16 * 1024 * 1024,
  /** A response from Alertmanager, Grafana or a webhook receiver (small JSON; a silence list at most). */
  apiResponse: 4 * 1024 * 1024,
} as const;

/** An input is larger than its documented limit. Exit 2: the user handed over the wrong (or a hostile) input. */
export class InputTooLargeError extends AppError {
  override name = 'InputTooLargeError';
  constructor(what: string, size: number, limit: number) {
    super(
      'E_TOO_LARGE',
      `${what} is ${formatBytes(size)}, over the ${formatBytes(limit)} limit (see docs/security.md "Size limits")`,
      ExitCode.usage,
    );
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
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
