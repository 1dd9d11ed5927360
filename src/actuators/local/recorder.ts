import type { VariantObservation } from '../../schema/observation.js';

export type RouteVariant = 'stable' | 'canary' | 'baseline';

interface Counts {
  requests: number;
  errors: number;
  latency: number[];
}

/**
 * Counts every response per variant into the current analysis interval: requests, errors (5xx or no answer
 * from the upstream) and a latency histogram with the policy's bounds (per-bucket counts, last is +Inf).
 * `take()` closes the interval and starts the next one, so no response is counted twice or lost.
 */
export class ResponseRecorder {
  private current: Record<RouteVariant, Counts>;
  private readonly totals: Record<RouteVariant, Counts>;

  /** `withBaseline`: baseline instances run (`run --baseline`); their interval is reported as `control`. */
  constructor(
    readonly latencyBoundsMs: readonly number[],
    private readonly withBaseline = false,
  ) {
    this.current = { stable: this.empty(), canary: this.empty(), baseline: this.empty() };
    this.totals = { stable: this.empty(), canary: this.empty(), baseline: this.empty() };
  }

  record(variant: RouteVariant, status: number, latencyMs: number): void {
    const bucket = this.bucketOf(latencyMs);
    const isError = status >= 500 || status === 0;
    for (const c of [this.current[variant], this.totals[variant]]) {
      c.requests += 1;
      if (isError) c.errors += 1;
      c.latency[bucket] = (c.latency[bucket] ?? 0) + 1;
    }
  }

  /** The interval's observations (baseline = stable, control = the baseline instances) and a fresh interval. */
  take(): { baseline: VariantObservation; canary: VariantObservation; control?: VariantObservation } {
    const { stable, canary, baseline } = this.current;
    this.current = { stable: this.empty(), canary: this.empty(), baseline: this.empty() };
    return { baseline: stable, canary, ...(this.withBaseline ? { control: baseline } : {}) };
  }

  /** Counts since the router started, for metrics and tests. */
  total(variant: RouteVariant): Readonly<Counts> {
    return this.totals[variant];
  }

  private bucketOf(latencyMs: number): number {
    const i = this.latencyBoundsMs.findIndex((bound) => latencyMs <= bound);
    return i === -1 ? this.latencyBoundsMs.length : i;
  }

  private empty(): Counts {
    return { requests: 0, errors: 0, latency: new Array<number>(this.latencyBoundsMs.length + 1).fill(0) };
  }
}
