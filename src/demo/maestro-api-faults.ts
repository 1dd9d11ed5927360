/**
 * Fault switches of the sample service: what a misbehaving canary does. Decisions use an injected RNG and
 * clock so tests (and the demo's replayable scenarios) are deterministic.
 */
export interface MaestroFaults {
  /** Extra share of /api requests answered 500 (0..1). */
  errorRate: number;
  /** Extra latency added to a typical /api request, in ms (the median of the added delay). */
  latencyMs: number;
  /** Extra latency added to the slow tail, in ms... */
  tailLatencyMs: number;
  /** ...for this share of /api requests (0..1). */
  tailRate: number;
  /** A route prefix (e.g. `/api/orders`) that always answers 500. */
  brokenEndpoint?: string;
  /** Chaos mode is on until this epoch-ms time (set by `POST /admin/chaos?seconds=N`). */
  chaosUntil: number;
  /** While chaos is on: share of /api/orders requests answered 503, and latency added to the rest. */
  chaosErrorRate: number;
  chaosLatencyMs: number;
  /**
   * A cold start (empty caches, JIT warming up as it serves): the first `coldRequests` /api requests this
   * process serves are each `coldLatencyMs` slower. Counted in requests, not time, as warm-up is.
   */
  coldLatencyMs: number;
  coldRequests: number;
}

export const HEALTHY: MaestroFaults = {
  errorRate: 0,
  latencyMs: 0,
  tailLatencyMs: 0,
  tailRate: 0.01,
  chaosUntil: 0,
  chaosErrorRate: 1,
  chaosLatencyMs: 200,
  coldLatencyMs: 0,
  coldRequests: 0,
};

/** Longest chaos window the admin endpoint accepts: the drill must end by itself. */
export const MAX_CHAOS_SECONDS = 600;

export interface FaultDecision {
  delayMs: number;
  /** HTTP status to answer instead of the real one, if any. */
  failWith?: 500 | 503;
  reason?: string;
}

/** What happens to one /api request; `random` returns [0, 1); `served`: /api requests the process served before. */
export function decideFault(
  faults: MaestroFaults,
  route: string,
  now: number,
  random: () => number,
  served = Infinity,
): FaultDecision {
  const chaos = now < faults.chaosUntil;
  if (faults.brokenEndpoint && route.startsWith(faults.brokenEndpoint))
    return { delayMs: 0, failWith: 500, reason: 'broken endpoint' };
  if (chaos && route.startsWith('/api/orders') && random() < faults.chaosErrorRate) {
    return { delayMs: faults.chaosLatencyMs, failWith: 503, reason: 'chaos' };
  }
  let delayMs = chaos ? faults.chaosLatencyMs : 0;
  if (served < faults.coldRequests) delayMs += faults.coldLatencyMs;
  // Jitter of ±50% around the median keeps the distribution realistic without moving the median.
  if (faults.latencyMs > 0) delayMs += faults.latencyMs * (0.5 + random());
  if (faults.tailLatencyMs > 0 && random() < faults.tailRate) delayMs += faults.tailLatencyMs;
  if (faults.errorRate > 0 && random() < faults.errorRate) return { delayMs, failWith: 500, reason: 'injected error' };
  return { delayMs };
}
