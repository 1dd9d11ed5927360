import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF, isRetryable, parseRetryAfter, retryDelayMs } from './backoff.js';

describe('backoff', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

  it('doubles from the base, caps at the max, with equal jitter in [cap/2, cap]', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([
      250, 500, 1000, 2000, 4000, 4000,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(1500);
  });

  it('honours Retry-After in seconds or as an HTTP date, as a floor, capped', () => {
    const now = Date.parse('2026-08-03T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 03 Aug 2026 10:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(retryDelayMs(1, 3000, policy, () => 0)).toBe(3000);
    expect(retryDelayMs(5, 100, policy, () => 0)).toBe(4000);
    expect(retryDelayMs(1, 3_600_000, DEFAULT_BACKOFF, () => 0)).toBe(60_000);
  });

  it('retries network errors, timeouts, 5xx and 429 only', () => {
    expect([undefined, 429, 500, 502, 503].map(isRetryable)).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 410, 422].map(isRetryable)).toEqual([false, false, false, false, false, false]);
  });
});
