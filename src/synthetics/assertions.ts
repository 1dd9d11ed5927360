import type { ProbeAssertion } from '../schema/probe-suite.js';
import type { Exchange } from './http-exchange.js';
import { queryJsonPath } from './jsonpath.js';
import type { AssertionResult } from './results.js';

/** The response side an assertion looks at; the JSON body is parsed once, lazily. */
export interface ResponseView {
  exchange: Exchange;
  json(): { ok: true; value: unknown } | { ok: false; error: string };
}

export function responseView(exchange: Exchange): ResponseView {
  let parsed: ReturnType<ResponseView['json']> | undefined;
  return {
    exchange,
    json() {
      if (parsed) return parsed;
      const type = exchange.headers['content-type'] ?? 'no content-type';
      if (exchange.bodyTruncated)
        return (parsed = { ok: false, error: 'body was cut at the size limit, so it is not parsed as JSON' });
      try {
        parsed = { ok: true, value: JSON.parse(exchange.body.toString('utf8')) as unknown };
      } catch (err) {
        parsed = { ok: false, error: `body is not JSON (${type}): ${(err as Error).message}` };
      }
      return parsed;
    },
  };
}

/** Actual values are shown, but never a whole page of body. */
function show(v: unknown): string {
  if (v === undefined) return '(missing)';
  const text = JSON.stringify(v) ?? typeof v;
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
}

/**
 * Evaluates one assertion whose `${...}` values are already interpolated. Never throws: a response that
 * cannot be checked (not JSON, no TLS) is a failed assertion saying why.
 */
export function evaluateAssertion(a: ProbeAssertion, view: ResponseView): AssertionResult {
  const ex = view.exchange;
  if (a.status !== undefined) {
    const want = Array.isArray(a.status) ? a.status : [a.status];
    return result(
      'status',
      `status in ${want.join(', ')}`,
      want.includes(ex.status),
      want.join(' | '),
      String(ex.status),
    );
  }
  if (a.latencyMs) {
    const ms = Math.round(ex.durationMs);
    const degraded = a.latencyMs.degradedAbove !== undefined && ms > a.latencyMs.degradedAbove && ms <= a.latencyMs.max;
    const expected =
      `<= ${a.latencyMs.max}ms` +
      `${a.latencyMs.degradedAbove !== undefined ? ` (degraded above ${a.latencyMs.degradedAbove}ms)` : ''}`;
    return { ...result('latencyMs', `latency ${expected}`, ms <= a.latencyMs.max, expected, `${ms}ms`), degraded };
  }
  if (a.jsonpath) return jsonPathAssertion(a.jsonpath, view);
  if (a.header) {
    const value = ex.headers[a.header.name.toLowerCase()];
    return valueChecks('header', `header ${a.header.name}`, value, a.header);
  }
  if (a.body) return valueChecks('body', 'body', ex.body.toString('utf8'), a.body);
  if (a.tls) {
    if (!ex.tls)
      return result(
        'tls',
        `certificate valid >= ${a.tls.minDaysValid} days`,
        false,
        `>= ${a.tls.minDaysValid} days`,
        'not a TLS connection',
      );
    const days = Math.floor(ex.tls.daysValid);
    return result(
      'tls',
      `certificate valid >= ${a.tls.minDaysValid} days`,
      ex.tls.daysValid >= a.tls.minDaysValid,
      `>= ${a.tls.minDaysValid} days`,
      `${days} days (until ${ex.tls.validTo})`,
    );
  }
  return result('status', 'empty assertion', false, 'one assertion kind', 'none');
}

function result(
  kind: AssertionResult['kind'],
  description: string,
  passed: boolean,
  expected: string,
  actual: string,
): AssertionResult {
  return { kind, description, passed, degraded: false, expected, actual };
}

type JsonPathSpec = NonNullable<ProbeAssertion['jsonpath']>;

function jsonPathAssertion(spec: JsonPathSpec, view: ResponseView): AssertionResult {
  const json = view.json();
  if (!json.ok) return result('jsonpath', `${spec.path}`, false, describeOps(spec), json.error);
  const found = queryJsonPath(spec.path, json.value);
  if (spec.exists !== undefined) {
    const ok = spec.exists === found.length > 0;
    const r = result(
      'jsonpath',
      `${spec.path} ${spec.exists ? 'exists' : 'does not exist'}`,
      ok,
      spec.exists ? 'present' : 'absent',
      found.length > 0 ? show(found[0]) : '(missing)',
    );
    if (!ok || !hasValueOps(spec)) return r;
  }
  return valueChecks('jsonpath', spec.path, found[0], spec);
}

interface ValueOps {
  equals?: unknown;
  exists?: boolean;
  matches?: string;
  contains?: string;
  lt?: number | string;
  gt?: number | string;
}

const hasValueOps = (o: ValueOps): boolean =>
  [o.equals, o.matches, o.contains, o.lt, o.gt].some((v) => v !== undefined);

function describeOps(o: ValueOps): string {
  const parts: string[] = [];
  if (o.exists !== undefined) parts.push(o.exists ? 'exists' : 'absent');
  if (o.equals !== undefined) parts.push(`equals ${show(o.equals)}`);
  if (o.matches !== undefined) parts.push(`matches /${o.matches}/`);
  if (o.contains !== undefined) parts.push(`contains ${show(o.contains)}`);
  if (o.lt !== undefined) parts.push(`< ${o.lt}`);
  if (o.gt !== undefined) parts.push(`> ${o.gt}`);
  return parts.join(' and ') || 'present';
}

function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return true;
  // Interpolated values are strings: "${orderId}" must equal the number 42 it was extracted from.
  const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
  return scalar(actual) && scalar(expected) && String(actual) === String(expected);
}

function containsValue(actual: unknown, needle: string): boolean {
  if (Array.isArray(actual)) return actual.some((v) => looselyEqual(v, needle));
  if (typeof actual === 'string') return actual.includes(needle);
  return actual !== undefined && JSON.stringify(actual).includes(needle);
}

function valueChecks(kind: AssertionResult['kind'], subject: string, actual: unknown, ops: ValueOps): AssertionResult {
  const expected = describeOps(ops);
  const description = `${subject} ${expected}`;
  const fail = (why?: string): AssertionResult => result(kind, description, false, expected, why ?? show(actual));
  if (ops.exists !== undefined && ops.exists !== (actual !== undefined)) return fail();
  if (actual === undefined && (hasValueOps(ops) || ops.exists === undefined)) return fail();
  if (ops.equals !== undefined && !looselyEqual(actual, ops.equals)) return fail();
  if (ops.matches !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(ops.matches);
    } catch (err) {
      return fail(`bad regular expression: ${(err as Error).message}`);
    }
    if (!re.test(typeof actual === 'string' ? actual : JSON.stringify(actual))) return fail();
  }
  if (ops.contains !== undefined && !containsValue(actual, ops.contains)) return fail();
  if (ops.lt !== undefined && !(Number(actual) < Number(ops.lt))) return fail();
  if (ops.gt !== undefined && !(Number(actual) > Number(ops.gt))) return fail();
  return result(kind, description, true, expected, show(actual));
}
