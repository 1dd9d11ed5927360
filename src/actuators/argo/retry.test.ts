import { describe, expect, it } from 'vitest';
import { isTransient, withRetry } from './retry.js';

const httpError = (code: number): Error & { code: number } => Object.assign(new Error(`HTTP ${code}`), { code });

describe('withRetry', () => {
  it('retries 429, 5xx and connection errors with doubling, capped delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      () => {
        calls++;
        if (calls === 1) return Promise.reject(httpError(429));
        if (calls === 2) return Promise.reject(httpError(503));
        if (calls === 3)
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        return Promise.resolve('ok');
      },
      { baseDelayMs: 100, maxDelayMs: 250, sleep: (ms) => Promise.resolve(void delays.push(ms)) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([100, 200, 250]);
  });

  it("gives a 4xx answer back at once (404 → fallback, 409 → re-read are the caller's to decide)", async () => {
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(httpError(409));
        },
        { sleep: () => Promise.resolve() },
      ),
    ).rejects.toMatchObject({ code: 409 });
    expect(calls).toBe(1);
    expect(isTransient(httpError(404))).toBe(false);
  });

  it('stops after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(httpError(500));
        },
        { attempts: 3, sleep: () => Promise.resolve() },
      ),
    ).rejects.toMatchObject({ code: 500 });
    expect(calls).toBe(3);
  });
});
