/**
 * Retry timing for webhook deliveries. Exponential backoff with "equal jitter": half the capped delay is fixed,
 * half random, so retries from many controllers spread out but never collapse to zero. A receiver's
 * Retry-After (seconds or an HTTP date) is honoured as a floor, up to `maxRetryAfterMs`.
 */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Cap on a receiver's Retry-After, so one receiver cannot park a delivery for hours. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

/** Delay before retry number `retry` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Retry-After → milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const backoff = backoffDelayMs(retry, policy, random);
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** Network errors, timeouts (no status), 5xx and 429 are worth retrying; other 4xx will not get better. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}
