import { existsSync } from 'node:fs';
import { StateStore } from '../../controller/state-store.js';
import { AppError } from '../../errors.js';
import { formatDuration } from '../../schema/duration.js';
import type { PreflightContext } from './check.js';

/** The service's traffic in the burn window as the local controller observed it (both variants). */
export interface ObservedTraffic {
  requests: number;
  errors: number;
  intervals: number;
  rollouts: number;
  /** Wall-clock end of the oldest and newest interval counted (ISO). */
  from: string;
  to: string;
}

/**
 * The embedded history: requests and errors (5xx or no answer, as the router counts them) of both variants in
 * every interval of the service's rollouts in the controller state database that ended within the trailing
 * burn window — the same traffic Prometheus' http_requests_total would have counted. A string says why none.
 */
export async function observedTraffic(ctx: PreflightContext): Promise<ObservedTraffic | string> {
  const service = ctx.policy.spec.service;
  const windowMs = ctx.policy.spec.preflight.burnWindow;
  const file = ctx.stateFile;
  if (!file) return 'no --prometheus URL and no controller state (--state) to compute burn from';
  if (!existsSync(file))
    return `no --prometheus URL, and no controller state at ${file} (run or demo write it; --state names another)`;
  let store: StateStore;
  try {
    store = await StateStore.openReadOnly(file);
  } catch (err) {
    if (err instanceof AppError) return err.message;
    throw err;
  }
  try {
    const intervals = store.intervalsEndingIn(service, ctx.now - windowMs, ctx.now);
    let requests = 0;
    let errors = 0;
    for (const { observation: o } of intervals) {
      requests += (o.baseline?.requests ?? 0) + (o.canary?.requests ?? 0);
      errors += (o.baseline?.errors ?? 0) + (o.canary?.errors ?? 0);
    }
    if (requests === 0)
      return `the controller state ${file} has no ${service} requests in the last ${formatDuration(windowMs)}`;
    return {
      requests,
      errors,
      intervals: intervals.length,
      rollouts: new Set(intervals.map((i) => i.rolloutId)).size,
      from: intervals[0]!.point.at,
      to: intervals.at(-1)!.point.at,
    };
  } catch (err) {
    // Not a controller state database (no such table, corrupt file): say so instead of a stack.
    return `cannot read the controller state ${file}: ${(err as Error).message}`;
  } finally {
    store.close();
  }
}
