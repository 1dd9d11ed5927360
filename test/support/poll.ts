/** Polling helpers for tests that wait on real processes and servers. */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined and resolves with it. On timeout, throws naming
 * `what`, with `detail()` (e.g. the child process's stderr) appended.
 */
export async function untilValue<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  o: { timeoutMs: number; everyMs?: number; detail?: () => string },
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${what}${o.detail ? `: ${o.detail()}` : ''}`);
    await sleep(o.everyMs ?? 100);
  }
}

/** Polls a condition every 10 ms; resolves with how long it took (ms), throws after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await untilValue('condition', () => (cond() ? true : undefined), { timeoutMs, everyMs: 10 });
  return Date.now() - t0;
}
