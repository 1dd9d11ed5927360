import type { MetricPolicy } from '../../schema/policy.js';
import type { IntervalObservation, VariantObservation } from '../../schema/observation.js';
import { PromHttp, type PromSeries } from './http-api.js';
import {
  customQuery,
  DEFAULT_METRIC_NAMES,
  latencyQuery,
  requestsQuery,
  type QueryNames,
  type VariantSelector,
} from './promql.js';
import { bucketsFromCumulative, windowDelta } from './window.js';

export type { VariantSelector } from './promql.js';

/** A 5xx status code, or (OpenTelemetry names) any error type. */
function isErrorSeries(labels: Record<string, string>, names: QueryNames): boolean {
  const type = names.errorTypeLabel ? labels[names.errorTypeLabel] : undefined;
  return /^5\d\d$/.test(labels[names.codeLabel ?? 'code'] ?? '') || (type !== undefined && type !== '');
}

export interface PrometheusSourceOptions {
  url: string;
  timeoutMs?: number;
  retries?: number;
  /** Extra label matchers on every query (job, namespace…). */
  selectors?: Record<string, string>;
  variant: VariantSelector;
  latencyBoundsMs: readonly number[];
  /** Policy metrics; those with `kind: custom` and a `query` are evaluated per variant. */
  metrics?: readonly MetricPolicy[];
  names?: QueryNames;
  fetch?: typeof fetch;
}

type Pair = {
  baseline: VariantObservation | null;
  canary: VariantObservation | null;
  control?: VariantObservation | null;
};
type CustomValues = Record<string, number[] | null>;

/**
 * Observations from Prometheus, per interval and variant, in exactly the shape the embedded router gives:
 * request and error counts and per-bucket latency counts for the window. Counts are the difference of the
 * cumulative counters at the window's two ends (one range query with two points), not `increase()`, so
 * windows tile exactly and the numbers are the integers the services counted. Anything missing is null.
 */
export class PrometheusSource {
  readonly name = 'prometheus';
  readonly http: PromHttp;
  private lastEndMs: number | undefined;

  constructor(
    private readonly opts: PrometheusSourceOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.http = new PromHttp({ url: opts.url, timeoutMs: opts.timeoutMs, retries: opts.retries, fetch: opts.fetch });
  }

  /** Point the source at a new canary/stable pair (Argo: the pod template hashes from the Rollout status). */
  setVariant(variant: VariantSelector): void {
    this.opts.variant = variant;
  }

  /** Select the baseline instances (`control`) by this label value, or none (serve: a baseline Experiment's pods). */
  setControl(value: string | undefined): void {
    const variant = { ...this.opts.variant };
    if (value === undefined) delete variant.control;
    else variant.control = value;
    this.opts.variant = variant;
  }

  /** The window since the previous call (or the last `fallbackMs` on the first call), ending now. */
  async collect(fallbackMs = 10_000): Promise<Pair> {
    const end = this.now();
    const start = this.lastEndMs ?? end - fallbackMs;
    this.lastEndMs = end;
    return this.observeWindow(start, end);
  }

  async observation(t: number, weight: number, startMs: number, endMs: number): Promise<IntervalObservation> {
    const { baseline, canary, control } = await this.observeWindow(startMs, endMs);
    return { t, weight, baseline, canary, ...(control !== undefined ? { control } : {}) };
  }

  async observeWindow(startMs: number, endMs: number): Promise<Pair> {
    const names = this.opts.names ?? DEFAULT_METRIC_NAMES;
    const sel = this.opts.selectors ?? {};
    const v = this.opts.variant;
    const [s, e, stepMs] = [startMs / 1000, endMs / 1000, endMs - startMs];
    const [reqs, buckets, custom] = await Promise.all([
      this.http.range(requestsQuery(names, sel, v), s, e, stepMs),
      this.http.range(latencyQuery(names, sel, v), s, e, stepMs),
      this.customValues(e),
    ]);
    const pair: Pair = {
      baseline: this.variantObservation(reqs, buckets, custom.baseline, v.baseline, [s, e]),
      canary: this.variantObservation(reqs, buckets, custom.canary, v.canary, [s, e]),
    };
    if (v.control !== undefined)
      pair.control = this.variantObservation(reqs, buckets, custom.control ?? null, v.control, [s, e]);
    return pair;
  }

  private variantObservation(
    reqs: PromSeries[] | null,
    buckets: PromSeries[] | null,
    custom: CustomValues | null,
    value: string,
    win: [number, number],
  ): VariantObservation | null {
    if (reqs === null && buckets === null && custom === null) return null;
    const label = this.opts.variant.label;
    const mine = (series: PromSeries[] | null): PromSeries[] | null =>
      series && series.filter((x) => x.metric[label] === value);
    const r = mine(reqs);
    let requests: number | null = null;
    let errors: number | null = null;
    if (r && r.length > 0) {
      requests = 0;
      errors = 0;
      for (const series of r) {
        const d = windowDelta(series, win);
        requests += d;
        if (isErrorSeries(series.metric, this.opts.names ?? DEFAULT_METRIC_NAMES)) errors += d;
      }
    }
    const b = mine(buckets);
    const latency =
      b && b.length > 0
        ? bucketsFromCumulative(
            b.map((x) => ({ le: x.metric.le ?? '', count: windowDelta(x, win) })),
            this.opts.latencyBoundsMs,
          )
        : null;
    return { requests, errors, latency, ...(custom ? { custom } : {}) };
  }

  /**
   * One instant query per custom metric and variant at the window's end; every series of the result is one
   * sample (e.g. one per pod), in the order Prometheus returns them. No finite value → null (no data).
   */
  private async customValues(
    endSec: number,
  ): Promise<{ baseline: CustomValues | null; canary: CustomValues | null; control?: CustomValues | null }> {
    const custom = (this.opts.metrics ?? []).filter((m) => m.kind === 'custom' && m.query);
    if (custom.length === 0) return { baseline: null, canary: null, control: null };
    const v = this.opts.variant;
    const one = async (value: string): Promise<CustomValues> => {
      const entries = await Promise.all(
        custom.map(async (m) => {
          const r = await this.http.instant(customQuery(m.query ?? '', v.label, value), endSec);
          const xs = (r ?? []).map((x) => x.value).filter((x): x is number => x !== undefined && Number.isFinite(x));
          return [m.name, xs.length > 0 ? xs : null] as const;
        }),
      );
      return Object.fromEntries(entries);
    };
    const [baseline, canary, control] = await Promise.all([
      one(v.baseline),
      one(v.canary),
      v.control !== undefined ? one(v.control) : Promise.resolve(null),
    ]);
    return { baseline, canary, control };
  }
}
