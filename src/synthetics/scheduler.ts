/** Timers and time, injectable so the schedule can be tested without waiting. */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduledJob {
  name: string;
  intervalMs: number;
}

export interface Scheduler {
  /** Runs in progress right now. */
  inFlight(): number;
  /** Stops new runs and resolves once every run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs each job every `intervalMs`, the first run after a random offset in [0, interval) so jobs (and several
 * probers) do not fire together (Grafana SM does the same). Ticks are planned from the start time, so they do
 * not drift; a tick that finds the previous run of the same job still going is skipped, never stacked.
 */
export function startScheduler(
  jobs: readonly ScheduledJob[],
  run: (name: string) => Promise<void>,
  options: { clock?: SchedulerClock; random?: () => number } = {},
): Scheduler {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const timers = new Map<string, unknown>();
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  const plan = (job: ScheduledJob, at: number): void => {
    if (stopped) return;
    timers.set(
      job.name,
      clock.setTimeout(() => tick(job, at), Math.max(0, at - clock.now())),
    );
  };
  const tick = (job: ScheduledJob, at: number): void => {
    if (stopped) return;
    if (!running.has(job.name)) {
      const p = run(job.name)
        .catch(() => undefined)
        .finally(() => running.delete(job.name));
      running.set(job.name, p);
    }
    plan(job, at + job.intervalMs);
  };
  const start = clock.now();
  for (const job of jobs) plan(job, start + Math.floor(random() * job.intervalMs));
  return {
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      for (const t of timers.values()) clock.clearTimeout(t);
      timers.clear();
      await Promise.all(running.values());
    },
  };
}
