import { AppError } from '../errors.js';
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
