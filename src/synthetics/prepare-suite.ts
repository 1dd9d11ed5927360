import { dirname, resolve } from 'node:path';
import { ConfigError, UsageError, type Diagnostic } from '../errors.js';
import { OPT_IN_TAGS, type ProbeFlow, type ProbeSuite } from '../schema/probe-suite.js';
import { interpolate, MissingVariableError, Redactor, templateRefs } from './interpolate.js';
import { checkSuiteFile } from './validate-suite.js';
import { INPUT_LIMITS } from '../schema/input-limits.js';
import { readLimitedFile } from '../read-input.js';

/** A suite ready to run: target resolved, environment captured, secrets known to the redactor. */
export interface PreparedSuite {
  suite: ProbeSuite;
  baseUrl: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Suite-level variables, already interpolated. */
  variables: ReadonlyMap<string, string>;
  redactor: Redactor;
  ca?: Buffer;
  /** Where the suite came from (for messages and the info metric). */
  file?: string;
}

export interface PrepareOptions {
  /** Overrides `spec.baseUrl`. */
  baseUrl?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory that `spec.tls.caFile` is relative to. */
  baseDir?: string;
  file?: string;
}

/**
 * Resolves a parsed suite against an environment. Every `${env:NAME}` value outside `baseUrl` is a secret and
 * is masked in all output. Throws UsageError when the target or an environment variable is missing.
 *
 * @example
 * const prepared = prepareSuite(suite, { baseUrl: 'http://127.0.0.1:8080', env: process.env });
 */
export function prepareSuite(suite: ProbeSuite, options: PrepareOptions = {}): PreparedSuite {
  const env = options.env ?? process.env;
  const redactor = new Redactor();
  collectEnvSecrets(suite, env, redactor);
  const variables = new Map<string, string>();
  try {
    for (const [key, value] of Object.entries(suite.spec.variables))
      variables.set(key, interpolate(value, { vars: variables, env }));
    const rawBase = options.baseUrl ?? suite.spec.baseUrl;
    if (!rawBase) throw new UsageError(`suite ${suite.metadata.name} has no spec.baseUrl; pass --base-url URL`);
    const baseUrl = interpolate(rawBase, { vars: variables, env });
    if (!/^https?:\/\//.test(baseUrl))
      throw new UsageError(`base URL ${JSON.stringify(baseUrl)} is not an http(s) URL`);
    const caFile = suite.spec.tls?.caFile;
    const ca = caFile ? readLimitedFile(resolve(options.baseDir ?? '.', caFile), INPUT_LIMITS.document) : undefined;
    return { suite, baseUrl, env, variables, redactor, ca, file: options.file };
  } catch (err) {
    if (err instanceof MissingVariableError) throw new UsageError(redactor.redact(err.message));
    throw err;
  }
}

function collectEnvSecrets(
  suite: ProbeSuite,
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor,
): void {
  const { baseUrl: _baseUrl, ...rest } = suite.spec;
  const text = JSON.stringify(rest);
  for (const ref of templateRefs(text)) if (ref.env) redactor.add(env[ref.name]);
}

/** Loads, validates (env variables required) and prepares a suite file; ConfigError lists every problem. */
export function loadSuite(file: string, options: Omit<PrepareOptions, 'file' | 'baseDir'> = {}): PreparedSuite {
  const env = options.env ?? process.env;
  const check = checkSuiteFile(file, { env, requireEnv: true });
  // With --base-url, an unset ${env:TARGET_URL} in spec.baseUrl does not matter.
  const errors: Diagnostic[] = check.diagnostics.filter(
    (d) => d.severity === 'error' && !(options.baseUrl && d.path === 'spec.baseUrl'),
  );
  if (!check.suite || errors.length > 0) throw new ConfigError(errors);
  return prepareSuite(check.suite, { ...options, env, file, baseDir: dirname(file) });
}

/**
 * Which flows run: by name when given; else those carrying one of `tags`; else every flow that is not opt-in
 * (tagged `chaos`).
 */
export function selectFlows(suite: ProbeSuite, select: { flows?: string[]; tags?: string[] } = {}): ProbeFlow[] {
  const all = suite.spec.flows;
  if (select.flows?.length) {
    const unknown = select.flows.filter((n) => !all.some((f) => f.name === n));
    if (unknown.length)
      throw new UsageError(`no flow named ${unknown.join(', ')} (flows: ${all.map((f) => f.name).join(', ')})`);
    return all.filter((f) => select.flows?.includes(f.name));
  }
  if (select.tags?.length) return all.filter((f) => f.tags.some((t) => select.tags?.includes(t)));
  return all.filter((f) => !f.tags.some((t) => OPT_IN_TAGS.includes(t)));
}
