import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import type { ProbeAssertion, ProbeFlow, ProbeStep, ProbeSuite } from '../schema/probe-suite.js';
import { evaluateAssertion, responseView, type ResponseView } from './assertions.js';
import { exchange } from './http-exchange.js';
import { interpolate, interpolateDeep, MissingVariableError, type Redactor, type Scope } from './interpolate.js';
import { queryJsonPath } from './jsonpath.js';
import { prepareSuite, selectFlows, type PreparedSuite } from './prepare-suite.js';
import type { AssertionResult, AttemptResult, FlowResult, ProbeStatus, StepResult, SuiteResult } from './results.js';

export interface RunOptions {
  /** Overrides the suite's baseUrl (only used when a raw suite is passed). */
  baseUrl?: string;
  /** Aborts in-flight requests (the attempt fails with kind `aborted`). */
  signal?: AbortSignal;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one flow once — with its retries — and returns the final result. Never throws for target problems
 * (refused, DNS, timeout, TLS, bad body): those are failed steps. Throws UsageError for an unknown flow.
 *
 * @example
 * const result = await runFlow(prepared, 'login-and-order');
 * if (!result.success) console.error(result.steps.find((s) => s.status === 'failed')?.error);
 */
export async function runFlow(
  suite: PreparedSuite | ProbeSuite,
  flowName: string,
  options: RunOptions = {},
): Promise<FlowResult> {
  const prepared = 'redactor' in suite ? suite : prepareSuite(suite, { baseUrl: options.baseUrl });
  const flow = prepared.suite.spec.flows.find((f) => f.name === flowName);
  if (!flow) throw new UsageError(`no flow named ${flowName}`);
  const now = options.now ?? Date.now;
  const spec = prepared.suite.spec;
  const retries = flow.retries ?? spec.retries;
  const redactor = prepared.redactor.fork();
  const attempts: AttemptResult[] = [];
  const startedAt = now();
  const t0 = performance.now();
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1 && spec.retryDelay > 0) await (options.sleep ?? defaultSleep)(spec.retryDelay);
    const result = await runAttempt(prepared, flow, attempt, { now, signal: options.signal, redactor });
    attempts.push(result);
    if (result.status !== 'failed' || options.signal?.aborted) break;
  }
  const final = attempts[attempts.length - 1] as AttemptResult;
  return redactor.redactDeep({
    suite: prepared.suite.metadata.name,
    flow: flow.name,
    tags: flow.tags,
    baseUrl: prepared.baseUrl,
    status: final.status,
    success: final.status !== 'failed',
    firstAttemptStatus: (attempts[0] as AttemptResult).status,
    retries: attempts.length - 1,
    startedAt,
    durationMs: performance.now() - t0,
    intervalMs: flow.interval ?? spec.interval,
    attempts,
    steps: final.steps,
  });
}

/**
 * Runs the selected flows one after another (default: all flows not tagged `chaos`) and summarises.
 *
 * @example
 * const { success, flows } = await runSuite(prepared, { tags: ['smoke'] });
 */
export async function runSuite(
  suite: PreparedSuite | ProbeSuite,
  options: RunOptions & { flows?: string[]; tags?: string[] } = {},
): Promise<SuiteResult> {
  const prepared = 'redactor' in suite ? suite : prepareSuite(suite, { baseUrl: options.baseUrl });
  const flows: FlowResult[] = [];
  for (const flow of selectFlows(prepared.suite, options)) flows.push(await runFlow(prepared, flow.name, options));
  const count = (s: ProbeStatus): number => flows.filter((f) => f.status === s).length;
  return {
    suite: prepared.suite.metadata.name,
    baseUrl: prepared.baseUrl,
    flows,
    passed: count('passed'),
    degraded: count('degraded'),
    failed: count('failed'),
    success: flows.every((f) => f.success),
  };
}

interface AttemptContext {
  now: () => number;
  signal?: AbortSignal;
  redactor: Redactor;
}

async function runAttempt(
  prepared: PreparedSuite,
  flow: ProbeFlow,
  attempt: number,
  ctx: AttemptContext,
): Promise<AttemptResult> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  const deadline = t0 + (flow.timeout ?? prepared.suite.spec.timeout);
  const scope: Scope & { vars: Map<string, string> } = { vars: new Map(prepared.variables), env: prepared.env };
  const steps: StepResult[] = [];
  let failed = false;
  for (const step of flow.steps) {
    if (failed) {
      steps.push(skipped(step));
      continue;
    }
    const result = await runStep(prepared, step, scope, { ...ctx, deadline });
    steps.push(result);
    failed = result.status === 'failed';
  }
  const status: ProbeStatus = failed ? 'failed' : steps.some((s) => s.status === 'degraded') ? 'degraded' : 'passed';
  return { attempt, status, startedAt, durationMs: performance.now() - t0, steps };
}

function skipped(step: ProbeStep): StepResult {
  return {
    name: step.name,
    status: 'skipped',
    method: step.request.method,
    url: step.request.path ?? step.request.url ?? '',
    httpStatus: 0,
    redirects: 0,
    bodyBytes: 0,
    bodyTruncated: false,
    timings: { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 },
    durationMs: 0,
    assertions: [],
  };
}

async function runStep(
  prepared: PreparedSuite,
  step: ProbeStep,
  scope: Scope & { vars: Map<string, string> },
  ctx: AttemptContext & { deadline: number },
): Promise<StepResult> {
  const base = skipped(step);
  let url = base.url;
  try {
    const req = buildRequest(prepared, step, scope);
    url = req.url;
    const ex = await exchange({ ...req, timeoutMs: ctx.deadline - performance.now(), signal: ctx.signal });
    const result: StepResult = {
      ...base,
      url,
      httpStatus: ex.status,
      httpVersion: ex.httpVersion,
      redirects: ex.redirects,
      bodyBytes: ex.body.length,
      bodyTruncated: ex.bodyTruncated,
      timings: ex.timings,
      durationMs: ex.durationMs,
      tls: ex.tls,
      status: 'failed',
    };
    if (ex.error) return { ...result, error: ex.error };
    if (ex.bodyTruncated) {
      return {
        ...result,
        error: {
          kind: 'body_too_large',
          message: `body larger than maxBodyBytes (${prepared.suite.spec.maxBodyBytes} bytes); reading stopped`,
        },
      };
    }
    const view = responseView(ex);
    const problems = extract(step, view, scope, ctx.redactor);
    result.assertions = step.assert.map((a) => checkOne(a, scope, view));
    if (problems.length > 0) return { ...result, error: { kind: 'extraction', message: problems.join('; ') } };
    const ok = result.assertions.every((a) => a.passed);
    return { ...result, status: !ok ? 'failed' : result.assertions.some((a) => a.degraded) ? 'degraded' : 'passed' };
  } catch (err) {
    if (!(err instanceof MissingVariableError)) throw err;
    return { ...base, url, status: 'failed', error: { kind: 'config', message: err.message } };
  }
}

function checkOne(a: ProbeAssertion, scope: Scope, view: ResponseView): AssertionResult {
  try {
    return evaluateAssertion(interpolateDeep(a, scope) as ProbeAssertion, view);
  } catch (err) {
    if (!(err instanceof MissingVariableError)) throw err;
    const kind = (Object.keys(a).find((k) => (a as Record<string, unknown>)[k] !== undefined) ??
      'status') as AssertionResult['kind'];
    return { kind, description: kind, passed: false, degraded: false, expected: '(value)', actual: err.message };
  }
}

function buildRequest(
  prepared: PreparedSuite,
  step: ProbeStep,
  scope: Scope,
): Omit<Parameters<typeof exchange>[0], 'timeoutMs'> {
  const r = step.request;
  const spec = prepared.suite.spec;
  const url = new URL(
    r.url !== undefined ? interpolate(r.url, scope) : joinUrl(prepared.baseUrl, interpolate(r.path ?? '/', scope)),
  );
  for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, interpolate(String(v), scope));
  const headers: Record<string, string> = { 'user-agent': 'syntheticsctl', accept: '*/*' };
  for (const [k, v] of Object.entries({ ...spec.headers, ...r.headers }))
    headers[k.toLowerCase()] = interpolate(v, scope);
  let body: string | undefined;
  if (r.json !== undefined) {
    body = JSON.stringify(interpolateDeep(r.json, scope));
    headers['content-type'] ??= 'application/json';
  } else if (r.body !== undefined) body = interpolate(r.body, scope);
  return {
    method: r.method,
    url: url.toString(),
    headers,
    body,
    maxBodyBytes: spec.maxBodyBytes,
    followRedirects: r.followRedirects,
    maxRedirects: r.maxRedirects,
    insecureSkipVerify: spec.tls?.insecureSkipVerify,
    ca: prepared.ca,
  };
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Sets extracted variables; returns what could not be extracted (a failed step, not a crash). */
function extract(
  step: ProbeStep,
  view: ResponseView,
  scope: { vars: Map<string, string> },
  redactor: Redactor,
): string[] {
  const ex = view.exchange;
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(step.extract ?? {})) {
    let value: unknown;
    if (spec.header !== undefined) value = ex.headers[spec.header.toLowerCase()];
    else if (spec.regex !== undefined) {
      const m = new RegExp(spec.regex).exec(ex.body.toString('utf8'));
      value = m ? (m[1] ?? m[0]) : undefined;
    } else if (spec.jsonpath !== undefined) {
      const json = view.json();
      if (!json.ok) {
        problems.push(`cannot extract ${name}: ${json.error}`);
        continue;
      }
      value = queryJsonPath(spec.jsonpath, json.value)[0];
    }
    if (value === undefined || value === null) {
      problems.push(
        `cannot extract ${name}: ${spec.jsonpath ?? spec.header ?? spec.regex ?? ''} found nothing (HTTP ${ex.status})`,
      );
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (spec.secret) redactor.add(text);
    scope.vars.set(name, text);
  }
  return problems;
}
