import { INPUT_LIMITS, InputTooLargeError } from '../../schema/input-limits.js';
import { readLimitedBody } from '../../read-input.js';

/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) on global fetch.
 * Every failure mode — unreachable, timeout, HTTP error, `status: "error"` — comes back as `null` (no data),
 * because a missing metric must make the judge inconclusive, never make it roll back (docs/statistics.md, "Missing
 * data").
 */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}
export interface PromSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

export interface PromHttpOptions {
  url: string;
  timeoutMs?: number;
  /** Extra attempts after a transient failure (network, 5xx). */
  retries?: number;
  fetch?: typeof fetch;
}

export class PromHttp {
  /** Queries sent (each retry counts), for `/metrics` and the benchmark. */
  queries = 0;
  failures = 0;

  constructor(private readonly opts: PromHttpOptions) {}

  async instant(query: string, timeSec: number): Promise<PromSample[] | null> {
    const data = await this.call('/api/v1/query', { query, time: String(timeSec) });
    if (!data || (data.resultType !== 'vector' && data.resultType !== 'scalar')) return null;
    if (data.resultType === 'scalar') return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  }

  /**
   * `step` goes as a whole-millisecond duration ("12345ms"): Prometheus truncates a step given in float seconds
   * to nanoseconds and then to milliseconds, so 1.001 became 1000 ms and a two-point query's second point fell
   * 1 ms before `end` (545 of the window lengths from 0.1 to 20 s; such a window then read as empty).
   */
  async range(query: string, startSec: number, endSec: number, stepMs: number): Promise<PromSeries[] | null> {
    const data = await this.call('/api/v1/query_range', {
      query,
      start: String(startSec),
      end: String(endSec),
      step: `${Math.max(1, Math.round(stepMs))}ms`,
    });
    if (!data || data.resultType !== 'matrix') return null;
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({
      metric: r.metric,
      values: r.values.map(([t, v]) => [t, Number(v)]),
    }));
  }

  private async call(
    path: string,
    params: Record<string, string>,
  ): Promise<{ resultType: string; result: unknown } | null> {
    const doFetch = this.opts.fetch ?? fetch;
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    // Prometheus also gets the timeout, so it stops evaluating a query nobody waits for any more.
    const body = new URLSearchParams({ ...params, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
    for (let attempt = 0; attempt <= (this.opts.retries ?? 2); attempt++) {
      this.queries++;
      try {
        const res = await doFetch(new URL(path, this.opts.url), {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        const json = JSON.parse(
          await readLimitedBody(res, INPUT_LIMITS.prometheusResponse, 'the Prometheus response'),
        ) as { status?: string; data?: { resultType: string; result: unknown } };
        if (res.ok && json.status === 'success' && json.data) return json.data;
        if (res.status < 500) break; // 400/422: a bad query stays bad
      } catch (err) {
        if (err instanceof InputTooLargeError) break; // the same query would be as large again
        // Unreachable: retry. Timed out: the next try would time out too, and the interval is waiting.
        if (err instanceof Error && err.name === 'TimeoutError') break;
      }
      if (attempt < (this.opts.retries ?? 2)) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    this.failures++;
    return null;
  }
}
