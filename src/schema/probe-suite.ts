import { z } from 'zod';
import { durationWithin, TIMER_MAX_MS, TIMER_WHY } from './duration.js';

const probeInterval = durationWithin({ min: 100, max: TIMER_MAX_MS, why: TIMER_WHY });
const probeTimeout = durationWithin({ min: 10, max: 3_600_000 });
const probeRetryDelay = durationWithin({ min: 0, max: 3_600_000 });

/**
 * `ProbeSuite` (syntheticsctl/v1): synthetic HTTP flows, their assertions and schedule (docs/interfaces.md).
 * The single source of the suite's TypeScript types and of `schemas/probe-suite.schema.json`.
 * Strings may contain `${name}` (a variable, extracted ones included) and `${env:NAME}` (a secret from the
 * environment); semantic checks (undefined variables, regexes, JSONPath, timeout ≤ interval) live in
 * `src/synthetics/validate-suite.ts` because they need the whole document.
 */
const name = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, ".", "_" and "-" only');
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, number, boolean or null',
});
/** A number, or a `${var}` string that becomes one at run time. */
const numeric = z.union([z.number(), z.string()], { error: 'expected a number (or a ${variable})' });
const stringMap = z.record(z.string(), z.string());

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const request = z
  .object({
    method: z.enum(methods).default('GET'),
    /** Joined to `spec.baseUrl` (or `--base-url`). */
    path: z.string().optional(),
    /** An absolute URL instead of `path`. */
    url: z.string().optional(),
    headers: stringMap.optional(),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** JSON body (sets content-type: application/json). */
    json: z.unknown().optional(),
    /** Raw text body. */
    body: z.string().optional(),
    followRedirects: z.boolean().default(true),
    maxRedirects: z.number().int().min(0).max(30).default(10),
  })
  .strict()
  .refine((r) => (r.path === undefined) !== (r.url === undefined), { message: 'set exactly one of "path" or "url"' })
  .refine((r) => r.json === undefined || r.body === undefined, { message: 'set at most one of "json" or "body"' });

const jsonpathAssertion = z
  .object({
    path: z.string(),
    equals: scalar.optional(),
    exists: z.boolean().optional(),
    matches: z.string().optional(),
    contains: z.string().optional(),
    lt: numeric.optional(),
    gt: numeric.optional(),
  })
  .strict();

const headerAssertion = z
  .object({
    name: z.string(),
    equals: z.string().optional(),
    exists: z.boolean().optional(),
    matches: z.string().optional(),
    contains: z.string().optional(),
  })
  .strict();

const bodyAssertion = z
  .object({ contains: z.string().optional(), matches: z.string().optional(), equals: z.string().optional() })
  .strict();

const latencyAssertion = z
  .object({
    /** Slower than this fails the step. */
    max: z.number().positive(),
    /** Slower than this (but within max) marks the step degraded, not failed (Checkly's degradedResponseTime). */
    degradedAbove: z.number().positive().optional(),
  })
  .strict()
  .refine((l) => l.degradedAbove === undefined || l.degradedAbove <= l.max, {
    message: 'degradedAbove must be <= max',
    path: ['degradedAbove'],
  });

const assertionKinds = ['status', 'latencyMs', 'jsonpath', 'header', 'body', 'tls'] as const;

/** Exactly one kind per list item, e.g. `- status: 200` or `- jsonpath: {path: $.id, exists: true}`. */
const assertion = z
  .object({
    status: z
      .union([z.number().int(), z.array(z.number().int()).min(1)], {
        error: 'expected an HTTP status code like 200, or a list like [200, 201]',
      })
      .optional(),
    latencyMs: latencyAssertion.optional(),
    jsonpath: jsonpathAssertion.optional(),
    header: headerAssertion.optional(),
    body: bodyAssertion.optional(),
    tls: z.object({ minDaysValid: z.number().nonnegative() }).strict().optional(),
  })
  .strict()
  .refine((a) => assertionKinds.filter((k) => a[k] !== undefined).length === 1, {
    message: `each assertion has exactly one of ${assertionKinds.join(', ')}`,
  });

const extraction = z
  .object({
    jsonpath: z.string().optional(),
    header: z.string().optional(),
    /** A regex on the body; the first capture group (or the whole match) is the value. */
    regex: z.string().optional(),
    /** Redact the extracted value in every output (tokens, session ids). */
    secret: z.boolean().default(false),
  })
  .strict()
  .refine((e) => [e.jsonpath, e.header, e.regex].filter((v) => v !== undefined).length === 1, {
    message: 'each extraction has exactly one of jsonpath, header, regex',
  });

const step = z
  .object({
    name,
    request,
    extract: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), extraction).optional(),
    assert: z.array(assertion).default([]),
  })
  .strict();

const flow = z
  .object({
    name,
    /** Flows tagged `chaos` only run when asked (`--tag chaos`, or `/probe?flow=NAME`). */
    tags: z.array(z.string()).default([]),
    /** Overrides spec.interval / spec.timeout / spec.retries for this flow. */
    interval: probeInterval.optional(),
    timeout: probeTimeout.optional(),
    retries: z.number().int().min(0).max(5).optional(),
    steps: z.array(step).min(1),
  })
  .strict();

const tlsOptions = z
  .object({
    /** Accept self-signed or expired certificates (the `tls` assertion still checks expiry). */
    insecureSkipVerify: z.boolean().default(false),
    /** PEM file of extra trusted CAs, relative to the suite file. */
    caFile: z.string().optional(),
  })
  .strict();

export const probeSuiteSpec = z
  .object({
    /** e.g. `${env:TARGET_URL}`; `--base-url` overrides. */
    baseUrl: z.string().optional(),
    interval: probeInterval.default(30_000),
    /** Per attempt of a whole flow; must be <= interval so runs never overlap. */
    timeout: probeTimeout.default(10_000),
    /** Extra attempts after a failed one; counted apart from first attempts. */
    retries: z.number().int().min(0).max(5).default(0),
    /** Pause before a retry. */
    retryDelay: probeRetryDelay.default(0),
    variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string()).default({}),
    /** Sent with every request unless a step sets the same header. */
    headers: stringMap.default({}),
    /** Bodies beyond this many bytes are not read; the step fails (blackbox_exporter's body_size_limit). */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024, 'at most 67108864 (64 MiB): bodies are held in memory')
      .default(1_048_576),
    tls: tlsOptions.optional(),
    flows: z.array(flow).min(1),
  })
  .strict();

export const probeSuite = z
  .object({
    apiVersion: z.literal('syntheticsctl/v1'),
    kind: z.literal('ProbeSuite'),
    metadata: z.object({ name, labels: stringMap.optional() }).strict(),
    spec: probeSuiteSpec,
  })
  .strict();

export type ProbeSuite = z.output<typeof probeSuite>;
export type ProbeSuiteSpec = z.output<typeof probeSuiteSpec>;
export type ProbeFlow = ProbeSuiteSpec['flows'][number];
export type ProbeStep = ProbeFlow['steps'][number];
export type ProbeRequest = ProbeStep['request'];
export type ProbeAssertion = ProbeStep['assert'][number];
export type ProbeExtraction = NonNullable<ProbeStep['extract']>[string];

/** Tags whose flows are opt-in: skipped unless selected with `--tag` or by name. */
export const OPT_IN_TAGS: readonly string[] = ['chaos'];
