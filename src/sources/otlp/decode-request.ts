import { otlpTypes } from './proto-root.js';
import { explicitBuckets, exponentialBuckets, type Buckets } from './buckets.js';

/**
 * An OTLP `ExportMetricsServiceRequest` (protobuf or JSON) flattened into data points that carry their resource
 * and point attributes. Protobuf is decoded by protobufjs and turned into the same lowerCamelCase object OTLP
 * JSON uses (64-bit integers as decimal strings), so one walker reads both; JSON may give integers as strings or
 * numbers and doubles as numbers or "NaN"/"Infinity" (OTLP JSON, proto3 JSON mapping).
 */
export type AttrValue = string | number | boolean;
export type Attrs = Record<string, AttrValue>;

/** DELTA = 1, CUMULATIVE = 2 (the proto enum; 0 = unspecified is rejected). */
export type Temporality = 1 | 2;

interface PointBase {
  metric: string;
  unit: string;
  resource: Attrs;
  attrs: Attrs;
  /** Nanoseconds since the epoch, as decimal strings (compared for equality only, or through `ms`). */
  startNs: string;
  timeNs: string;
}

export interface HistogramPoint extends PointBase {
  kind: 'histogram';
  temporality: Temporality;
  count: number;
  sum: number | null;
  buckets: Buckets;
}

export interface NumberPoint extends PointBase {
  kind: 'gauge' | 'sum';
  /** Sums only. */
  temporality: Temporality | null;
  value: number;
}

export type OtlpPoint = HistogramPoint | NumberPoint;

export interface DecodedRequest {
  points: OtlpPoint[];
  /** Data points that could not be read (unspecified temporality, bucket counts not matching the bounds…). */
  rejected: number;
  /** The first reason a point was rejected, for the partial-success message. */
  problem: string | undefined;
}

export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

export type Encoding = 'protobuf' | 'json';

export function decodeMetricsRequest(body: Uint8Array, encoding: Encoding): DecodedRequest {
  let doc: unknown;
  try {
    if (encoding === 'protobuf') {
      const t = otlpTypes().request;
      doc = t.toObject(t.decode(body), { longs: String, enums: Number, bytes: String });
    } else {
      doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    }
  } catch (err) {
    throw new OtlpDecodeError(`cannot decode the ${encoding} body: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new OtlpDecodeError('the body is not an ExportMetricsServiceRequest object');
  }
  return flatten(doc as Obj);
}

type Obj = Record<string, unknown>;

const list = (x: unknown): Obj[] => (Array.isArray(x) ? (x as Obj[]) : []);
const obj = (x: unknown): Obj => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});

/** A 64-bit or double field: number or decimal string (OTLP JSON); NaN when absent or unreadable. */
export function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x !== '') return Number(x);
  return NaN;
}

function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  return '0';
}

function attrValue(v: Obj): AttrValue | undefined {
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) return num(v.intValue);
  if (v.doubleValue !== undefined) return num(v.doubleValue);
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined) return JSON.stringify(v.arrayValue ?? v.kvlistValue);
  if (typeof v.bytesValue === 'string') return v.bytesValue;
  return undefined;
}

export function attributes(kvs: unknown): Attrs {
  const out: Attrs = {};
  for (const kv of list(kvs)) {
    const value = attrValue(obj(kv.value));
    if (typeof kv.key === 'string' && value !== undefined) out[kv.key] = value;
  }
  return out;
}

function temporalityOf(x: unknown): Temporality | null {
  const t = num(x);
  return t === 1 || t === 2 ? t : null;
}

function flatten(doc: Obj): DecodedRequest {
  const out: DecodedRequest = { points: [], rejected: 0, problem: undefined };
  const reject = (n: number, why: string): void => {
    out.rejected += n;
    out.problem ??= why;
  };
  for (const rm of list(doc.resourceMetrics)) {
    const resource = attributes(obj(rm.resource).attributes);
    for (const sm of list(rm.scopeMetrics)) {
      for (const m of list(sm.metrics)) {
        const base = {
          metric: typeof m.name === 'string' ? m.name : '',
          unit: typeof m.unit === 'string' ? m.unit : '',
        };
        const ctx: Ctx = { out, reject, base, resource };
        if (m.histogram !== undefined) histograms(ctx, obj(m.histogram), false);
        else if (m.exponentialHistogram !== undefined) histograms(ctx, obj(m.exponentialHistogram), true);
        else if (m.sum !== undefined) numbers(ctx, obj(m.sum), 'sum');
        else if (m.gauge !== undefined) numbers(ctx, obj(m.gauge), 'gauge');
        // Summaries carry no buckets and no temporality the judge can use; they are valid OTLP, accepted unread.
      }
    }
  }
  return out;
}

interface Ctx {
  out: DecodedRequest;
  reject: (n: number, why: string) => void;
  base: { metric: string; unit: string };
  resource: Attrs;
}

function histograms({ out, reject, base, resource }: Ctx, h: Obj, exponential: boolean): void {
  const points = list(h.dataPoints);
  const temporality = temporalityOf(h.aggregationTemporality);
  if (temporality === null) return reject(points.length, `${base.metric}: aggregationTemporality must be 1 or 2`);
  for (const p of points) {
    if ((num(p.flags) & 1) === 1) continue; // no recorded value: a staleness marker, nothing to count
    const count = num(p.count ?? 0);
    const buckets = exponential ? exponentialBuckets(p) : explicitBuckets(p);
    if (typeof buckets === 'string' || !Number.isFinite(count) || count < 0) {
      reject(1, `${base.metric}: ${typeof buckets === 'string' ? buckets : 'count must be a non-negative integer'}`);
      continue;
    }
    const sum = p.sum === undefined ? null : num(p.sum);
    out.points.push({
      kind: 'histogram',
      ...base,
      resource,
      attrs: attributes(p.attributes),
      startNs: str(p.startTimeUnixNano),
      timeNs: str(p.timeUnixNano),
      temporality,
      count,
      sum: sum !== null && Number.isFinite(sum) ? sum : null,
      buckets,
    });
  }
}

function numbers({ out, reject, base, resource }: Ctx, s: Obj, kind: 'sum' | 'gauge'): void {
  const points = list(s.dataPoints);
  const temporality = kind === 'sum' ? temporalityOf(s.aggregationTemporality) : null;
  if (kind === 'sum' && temporality === null)
    return reject(points.length, `${base.metric}: aggregationTemporality must be 1 or 2`);
  for (const p of points) {
    if ((num(p.flags) & 1) === 1) continue;
    const value = num(p.asDouble ?? p.asInt);
    if (!Number.isFinite(value)) {
      reject(1, `${base.metric}: a number data point needs asDouble or asInt`);
      continue;
    }
    out.points.push({
      kind,
      ...base,
      resource,
      attrs: attributes(p.attributes),
      startNs: str(p.startTimeUnixNano),
      timeNs: str(p.timeUnixNano),
      temporality,
      value,
    });
  }
}
