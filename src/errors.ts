import { ExitCode } from './exit-codes.js';

/** A problem located in a file, reported as `file:line:column: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
  /** Dotted path into the document, when the problem is about a field. */
  path?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/**
 * Base of every error the CLIs expect. `code` is stable (scripts may match on it); `exitCode` follows the
 * one table in exit-codes.ts. Anything that is not an AppError is a bug and is shown with its stack.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Wrong flags or arguments. */
export class UsageError extends AppError {
  override name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super('E_USAGE', message, ExitCode.usage, options);
  }
}

/** An input file is invalid; carries every problem found, each with file:line:column. */
export class ConfigError extends AppError {
  override name = 'ConfigError';
  constructor(
    readonly diagnostics: Diagnostic[],
    options?: ErrorOptions,
  ) {
    super('E_CONFIG', diagnostics.map(formatDiagnostic).join('\n'), ExitCode.usage, options);
  }
}

/** A file could not be read or written. */
export class FileError extends AppError {
  override name = 'FileError';
  constructor(file: string, message: string, options?: ErrorOptions) {
    super('E_FILE', `${file}: ${message}`, ExitCode.usage, options);
  }
}

/** A service we depend on (Kubernetes, Prometheus, a target, Alertmanager) did not answer. */
export class UnreachableError extends AppError {
  override name = 'UnreachableError';
  constructor(what: string, message: string, options?: ErrorOptions) {
    super('E_UNREACHABLE', `${what}: ${message}`, ExitCode.unreachable, options);
  }
}

/** A check or verdict failed in a way that should stop the command (bad signature, tampered evidence). */
export class CheckFailedError extends AppError {
  override name = 'CheckFailedError';
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, ExitCode.failed, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
