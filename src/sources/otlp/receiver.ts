import type { VariantObservation } from '../../schema/observation.js';
import {
  HTTP_ERROR_TYPE_ATTR,
  HTTP_STATUS_CODE_ATTR,
  OTLP_HTTP_DURATION,
  SERVICE_NAME_ATTR,
} from '../../metric-names.js';
import { msPerUnit, rebin } from './buckets.js';
import { CustomValue } from './custom-metrics.js';
import type { Attrs, DecodedRequest, OtlpPoint } from './decode-request.js';
import { SeriesWindows, type WindowedHistogram, type WindowedNumber } from './series-windows.js';

/**
 * What one rollout reads from the OTLP stream: the points whose `attribute` (data point first, then resource)
 * equals the baseline's (stable's), the canary's or the control's (baseline instances') value and that match every
 * `match` entry.
 */
export interface OtlpSubscriptionSpec {
  attribute: string;
  baseline: string;
  canary: string;
  /** The baseline instances' value (fresh stable started with the canary), read as `control`; none when unset. */
  control?: string | undefined;
  match: Record<string, string>;
  /** The HTTP server duration histogram (requests, errors and latency come from it). */
  durationMetric: string;
  /** Policy metric name → OTLP metric name, for `kind: custom`. */
  custom: Record<string, string>;
  latencyBoundsMs: readonly number[];
}

export interface TakenObservations {
  baseline: VariantObservation | null;
  canary: VariantObservation | null;
  /** Present only while a baseline (control) value is selected. */
  control?: VariantObservation | null;
}

export interface OtlpSubscription {
  /** What arrived since the previous call, per variant (null: nothing arrived for that variant). */
  take(): TakenObservations;
  /** Point it at a new pair of values (Argo: the pod template hashes of a new canary). */
  setVariant(baseline: string, canary: string): void;
  /** Select the baseline instances by this value of the attribute, or none (Argo: the Experiment's pods' hash). */
  setControl(value: string | undefined): void;
  close(): void;
}

export interface IngestResult {
  rejected: number;
  message: string | undefined;
}

export interface OtlpReceiverOptions {
  now?: () => number;
  maxSeries?: number;
  ttlMs?: number;
}

type VariantName = 'baseline' | 'canary' | 'control';
type Entry = { sub: Subscription; variant: VariantName };

class Accumulator {
  requests = 0;
  errors = 0;
  latency: number[] | null = null;
  seen = false;
  readonly custom = new Map<string, CustomValue>();

  take(): VariantObservation | null {
    const custom: Record<string, number | null> = {};
    for (const [name, v] of this.custom) custom[name] = v.take();
    const has = this.custom.size > 0;
    const out: VariantObservation | null = this.seen
      ? { requests: this.requests, errors: this.errors, latency: this.latency, ...(has ? { custom } : {}) }
      : has && Object.values(custom).some((v) => v !== null)
        ? { custom }
        : null;
    this.requests = this.errors = 0;
    this.latency = null;
    this.seen = false;
    return out;
  }
}

class Subscription {
  readonly acc = { baseline: new Accumulator(), canary: new Accumulator(), control: new Accumulator() };
  private readonly customByOtlp = new Map<string, string[]>();
  private readonly match: [string, string][];

  constructor(readonly spec: OtlpSubscriptionSpec) {
    this.match = Object.entries(spec.match);
    for (const [name, otlp] of Object.entries(spec.custom)) {
      this.customByOtlp.set(otlp, [...(this.customByOtlp.get(otlp) ?? []), name]);
      for (const acc of Object.values(this.acc)) acc.custom.set(name, new CustomValue());
    }
  }

  metricNames(): string[] {
    return [this.spec.durationMetric, ...this.customByOtlp.keys()];
  }

  add(variant: VariantName, w: WindowedHistogram | WindowedNumber): void {
    const p = w.point;
    for (const [k, v] of this.match) if (String(attr(p, k)) !== v) return;
    const acc = this.acc[variant];
    for (const name of this.customByOtlp.get(p.metric) ?? []) acc.custom.get(name)!.add(w);
    if (p.metric !== this.spec.durationMetric || !('buckets' in w)) return;
    acc.seen = true;
    acc.requests += w.count;
    if (isError(p.attrs)) acc.errors += w.count;
    const bounds = this.spec.latencyBoundsMs;
    const latency = rebin(w.buckets, msPerUnit(p.unit), bounds, acc.latency ?? new Array(bounds.length + 1).fill(0));
    if (latency) acc.latency = latency;
  }
}

// Versions like 1.4.0 repeat across services: the index also keys on service.name when a rollout matches on it,
// so a point meets only its own service's rollouts however many run.
function indexKey(value: string, service: string): string {
  return `${value}\u0000${service}`;
}

function attr(p: OtlpPoint, key: string): string | number | boolean | undefined {
  return p.attrs[key] ?? p.resource[key];
}

/** HTTP server semantic conventions: a 5xx answer, or any `error.type` (set only when the request failed). */
export function isError(a: Attrs): boolean {
  const code = a[HTTP_STATUS_CODE_ATTR];
  const type = a[HTTP_ERROR_TYPE_ATTR];
  return Number(code) >= 500 || (type !== undefined && type !== '');
}

/**
 * The OTLP side of the controller: `/v1/metrics` hands it each decoded request; every rollout judged from OTLP
 * subscribes and takes its interval's observations. Points are indexed by the subscribed attribute's value,
 * so ingest cost does not grow with the number of rollouts.
 */
export class OtlpReceiver {
  private readonly now: () => number;
  private readonly windows: SeriesWindows;
  private readonly subs = new Set<Subscription>();
  /** attribute → value + service.name → (subscription, variant) */
  private index = new Map<string, Map<string, Entry[]>>();
  private wanted = new Set<string>([OTLP_HTTP_DURATION]);
  readonly stats = { requests: 0, points: 0, rejected: 0 };

  constructor(options: OtlpReceiverOptions = {}) {
    this.now = options.now ?? Date.now;
    this.windows = new SeriesWindows({ startedAtMs: this.now(), maxSeries: options.maxSeries, ttlMs: options.ttlMs });
  }

  get seriesCount(): number {
    return this.windows.size;
  }

  /** Rollouts subscribed now: each closes its subscription when it ends, so a long-lived receiver does not grow. */
  get subscriptionCount(): number {
    return this.subs.size;
  }

  ingest(req: DecodedRequest): IngestResult {
    const now = this.now();
    let rejected = req.rejected;
    let message = req.problem;
    this.stats.requests++;
    for (const p of req.points) {
      // Only the metrics some rollout may read are tracked (others are valid OTLP, accepted and dropped).
      if (!this.wanted.has(p.metric)) continue;
      this.stats.points++;
      const w = this.windows.window(p, now);
      if (w === 'refused') {
        rejected++;
        message ??= 'too many series: the receiver tracks at most its series limit; new series are dropped';
        continue;
      }
      if (w === null) continue;
      const service = String(attr(p, SERVICE_NAME_ATTR) ?? '');
      for (const [key, byValue] of this.index) {
        const v = attr(p, key);
        if (v === undefined) continue;
        for (const e of byValue.get(indexKey(String(v), service)) ?? []) e.sub.add(e.variant, w);
        if (service) for (const e of byValue.get(indexKey(String(v), '')) ?? []) e.sub.add(e.variant, w);
      }
    }
    this.stats.rejected += rejected;
    return { rejected, message: rejected > 0 ? message : undefined };
  }

  subscribe(spec: OtlpSubscriptionSpec): OtlpSubscription {
    const sub = new Subscription({ ...spec });
    this.subs.add(sub);
    this.reindex();
    return {
      take: () => {
        const control = sub.acc.control.take();
        const out: TakenObservations = { baseline: sub.acc.baseline.take(), canary: sub.acc.canary.take() };
        return sub.spec.control === undefined ? out : { ...out, control };
      },
      setVariant: (baseline, canary) => {
        Object.assign(sub.spec, { baseline, canary });
        this.reindex();
      },
      setControl: (value) => {
        if (value === sub.spec.control) return;
        sub.spec.control = value;
        // What a previous baseline sent is not this one's: its interval starts empty.
        sub.acc.control.take();
        this.reindex();
      },
      close: () => {
        this.subs.delete(sub);
        this.reindex();
      },
    };
  }

  private reindex(): void {
    const index = new Map<string, Map<string, Entry[]>>();
    const wanted = new Set<string>([OTLP_HTTP_DURATION]);
    for (const sub of this.subs) {
      const byValue = index.get(sub.spec.attribute) ?? new Map<string, Entry[]>();
      index.set(sub.spec.attribute, byValue);
      for (const variant of ['baseline', 'canary', 'control'] as const) {
        const value = sub.spec[variant];
        if (value === undefined) continue;
        const k = indexKey(value, sub.spec.match[SERVICE_NAME_ATTR] ?? '');
        byValue.set(k, [...(byValue.get(k) ?? []), { sub, variant }]);
      }
      for (const m of sub.metricNames()) wanted.add(m);
    }
    this.index = index;
    this.wanted = wanted;
  }
}
