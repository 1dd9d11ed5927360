export {
  openEvidence,
  type EvidenceLog,
  type OpenEvidenceOptions,
  type DecisionInput,
  type MarkInput,
  type NoteInput,
  type FinishInput,
} from './log.js';
export { verifyEvidence, type VerifyResult } from './verify.js';
export { listRollouts, readRollout, type RolloutEvidence } from './read.js';
export { redact, makeRedactor, REDACTED, type RedactOptions } from '../redaction/redact.js';
export { EvidenceUnwritableError, EvidenceWriteError, RolloutNotFoundError } from './errors.js';
export { DEFAULT_EVIDENCE_ROOT, DEFAULT_PR_ROOT, EVIDENCE_FILES, rolloutDir } from './paths.js';
export type { WriteUpFiles } from './write-ups/write-ups.js';
