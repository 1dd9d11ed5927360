/**
 * Retries with exponential backoff for calls to the Kubernetes API. Only transient failures are retried:
 * 429, 5xx and connection errors. A 4xx answer (404, 409, 422) is an answer and goes straight back to the
 * caller, which decides (404 → main-resource fallback, 409 → re-read).
 */
export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, for logs and tests. */
  onRetry?: (attempt: number, err: unknown) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** HTTP status of a client-node error (ApiException.code / Watch error statusCode), if any. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

export function isTransient(err: unknown): boolean {
  const status = httpStatus(err);
  if (status === undefined) return true; // no HTTP answer at all: refused, reset, DNS, timeout
  return status === 429 || status >= 500;
}

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseDelayMs ?? 200;
  const max = opts.maxDelayMs ?? 5_000;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      opts.onRetry?.(attempt, err);
      await sleep(Math.min(max, base * 2 ** (attempt - 1)));
    }
  }
}
