import { AppError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** The evidence directory cannot be created or written (permissions, read-only disk, a file in the way). */
export class EvidenceUnwritableError extends AppError {
  override name = 'EvidenceUnwritableError';
  constructor(dir: string, reason: string, options?: ErrorOptions) {
    super('E_EVIDENCE_UNWRITABLE', `cannot write evidence to ${dir}: ${reason}`, ExitCode.usage, options);
  }
}

/**
 * A record could not be made durable (disk full, I/O error). The record was NOT acknowledged and the file is
 * left as it was before the attempt, so the chain stays valid; the caller still holds the input and may retry.
 */
export class EvidenceWriteError extends AppError {
  override name = 'EvidenceWriteError';
  constructor(file: string, reason: string, options?: ErrorOptions) {
    super('E_EVIDENCE_WRITE', `evidence record not written to ${file}: ${reason}`, ExitCode.failed, options);
  }
}

/** No rollout matches what the user named. */
export class RolloutNotFoundError extends AppError {
  override name = 'RolloutNotFoundError';
  constructor(what: string, root: string) {
    super(
      'E_ROLLOUT_NOT_FOUND',
      `no rollout "${what}" under ${root} (try: adaptive-canary evidence list)`,
      ExitCode.usage,
    );
  }
}
