import { describe, expect, it } from 'vitest';
import { startScheduler, type SchedulerClock } from './scheduler.js';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock(): SchedulerClock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: ++nextId });
      return nextId;
    },
    clearTimeout: (id) => void (timers = timers.filter((t) => t.id !== id)),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

describe('scheduler', () => {
  it('starts each job at a random offset, then keeps a drift-free interval', async () => {
    const clock = fakeClock();
    const fired: [string, number][] = [];
    const s = startScheduler(
      [
        { name: 'a', intervalMs: 1000 },
        { name: 'b', intervalMs: 500 },
      ],
      (name) => Promise.resolve(void fired.push([name, clock.now()])),
      { clock, random: () => 0.5 },
    );
    // Step through time, letting each finished run settle before the next tick.
    for (let t = 0; t < 2000; t += 50) {
      clock.advance(50);
      await new Promise((r) => setImmediate(r));
    }
    expect(fired).toEqual([
      ['b', 250],
      ['a', 500],
      ['b', 750],
      ['b', 1250],
      ['a', 1500],
      ['b', 1750],
    ]);
    await s.stop();
  });

  it('skips a tick while the previous run of the job is still going, and stop() waits for it', async () => {
    const clock = fakeClock();
    let release: () => void = () => undefined;
    let runs = 0;
    const s = startScheduler(
      [{ name: 'a', intervalMs: 100 }],
      () => {
        runs++;
        return new Promise<void>((r) => (release = r));
      },
      { clock, random: () => 0 },
    );
    clock.advance(350);
    expect(runs).toBe(1);
    expect(s.inFlight()).toBe(1);
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    clock.advance(1000);
    expect(runs).toBe(1);
  });
});
