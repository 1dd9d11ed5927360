/**
 * The one exit-code table for both CLIs (docs/interfaces.md). Only `src/bin/*` turns these into `process.exit`.
 */
export const ExitCode = {
  /** Everything passed. */
  ok: 0,
  /** A check or verdict failed: rollback, failed probe, bad signature, preflight check failed. */
  failed: 1,
  /** Usage error or invalid input (config, replay file, flags). */
  usage: 2,
  /** A dependency was unreachable: Kubernetes, Prometheus, the probe target. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
