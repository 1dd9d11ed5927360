import type { Diagnostic } from '../errors.js';
import { checkDocumentText } from '../schema/load-document.js';
import { formatDuration } from '../schema/duration.js';
import { probeSuite, type ProbeSuite } from '../schema/probe-suite.js';
import { templateRefs } from './interpolate.js';
import { jsonPathProblem } from './jsonpath.js';
import { readTextFile } from '../read-input.js';

type Path = (string | number)[];
type Locate = (path: readonly PropertyKey[]) => { line: number; column: number };

export interface SuiteCheck {
  /** Present when the document passed the schema (it may still have semantic errors). */
  suite?: ProbeSuite;
  diagnostics: Diagnostic[];
  /** True when no diagnostic has severity "error". */
  ok: boolean;
}

export interface CheckOptions {
  /** The environment `${env:NAME}` reads from; a missing name is a warning, or an error when `requireEnv`. */
  env?: Readonly<Record<string, string | undefined>>;
  requireEnv?: boolean;
}

/**
 * Validates a suite's text and reports *every* problem at once, each with file:line:column: YAML syntax,
 * unknown fields and wrong types (zod), then timeout > interval, variables used before any step defines
 * them, regexes that do not compile and malformed JSONPath.
 */
export function checkSuiteText(text: string, file: string, options: CheckOptions = {}): SuiteCheck {
  const parsed = checkDocumentText(text, file, probeSuite);
  const diagnostics = [...parsed.diagnostics];
  const suite = parsed.value;
  if (suite) diagnostics.push(...semanticProblems(suite, file, parsed.locate, options));
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { suite, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
}

export function checkSuiteFile(file: string, options: CheckOptions = {}): SuiteCheck {
  return checkSuiteText(readTextFile(file), file, options);
}

function semanticProblems(suite: ProbeSuite, file: string, locate: Locate, options: CheckOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: Path, message: string, severity: Diagnostic['severity'] = 'error'): void => {
    out.push({ file, ...locate(path), severity, message, path: path.join('.') });
  };
  const env = options.env ?? {};
  const useRefs = (text: string, path: Path, defined: ReadonlySet<string>): void => {
    for (const ref of templateRefs(text)) {
      if (ref.env && env[ref.name] === undefined) {
        report(path, `environment variable ${ref.name} is not set`, options.requireEnv ? 'error' : 'warning');
      } else if (!ref.env && !defined.has(ref.name)) {
        report(
          path,
          `variable "\${${ref.name}}" is used before any step defines it (define ` +
            `it in spec.variables or extract it in an earlier step)`,
        );
      }
    }
  };
  const spec = suite.spec;
  const defined = new Set<string>();
  for (const [key, value] of Object.entries(spec.variables)) {
    useRefs(value, ['spec', 'variables', key], defined);
    defined.add(key);
  }
  if (spec.baseUrl) useRefs(spec.baseUrl, ['spec', 'baseUrl'], defined);
  walkStrings(spec.headers, ['spec', 'headers'], (s, p) => useRefs(s, p, defined));
  if (spec.timeout > spec.interval) {
    report(
      ['spec', 'timeout'],
      `timeout ${formatDuration(spec.timeout)} is longer than interval ${formatDuration(spec.interval)}` +
        `: runs would overlap`,
    );
  }
  const names = new Set<string>();
  spec.flows.forEach((flow, i) => {
    const at: Path = ['spec', 'flows', i];
    if (names.has(flow.name)) report([...at, 'name'], `duplicate flow name "${flow.name}"`);
    names.add(flow.name);
    const interval = flow.interval ?? spec.interval;
    const timeout = flow.timeout ?? spec.timeout;
    if (timeout > interval && (flow.interval !== undefined || flow.timeout !== undefined)) {
      report(
        [...at, flow.timeout !== undefined ? 'timeout' : 'interval'],
        `flow timeout ${formatDuration(timeout)} is longer than its interval ${formatDuration(interval)}`,
      );
    }
    const vars = new Set(defined);
    flow.steps.forEach((step, j) => {
      const stepAt: Path = [...at, 'steps', j];
      walkStrings(step.request, [...stepAt, 'request'], (s, p) => useRefs(s, p, vars));
      for (const [key, ex] of Object.entries(step.extract ?? {})) {
        const exAt: Path = [...stepAt, 'extract', key];
        if (ex.jsonpath !== undefined) checkJsonPath(ex.jsonpath, [...exAt, 'jsonpath'], report);
        if (ex.regex !== undefined) checkRegex(ex.regex, [...exAt, 'regex'], report);
        vars.add(key);
      }
      step.assert.forEach((a, k) => {
        const aAt: Path = [...stepAt, 'assert', k];
        walkStrings(a, aAt, (s, p) => useRefs(s, p, vars));
        if (a.jsonpath) checkJsonPath(a.jsonpath.path, [...aAt, 'jsonpath', 'path'], report);
        if (a.jsonpath?.matches !== undefined) checkRegex(a.jsonpath.matches, [...aAt, 'jsonpath', 'matches'], report);
        if (a.header?.matches !== undefined) checkRegex(a.header.matches, [...aAt, 'header', 'matches'], report);
        if (a.body?.matches !== undefined) checkRegex(a.body.matches, [...aAt, 'body', 'matches'], report);
      });
    });
  });
  return out;
}

function checkJsonPath(path: string, at: Path, report: (p: Path, m: string) => void): void {
  if (templateRefs(path).length > 0) return;
  const problem = jsonPathProblem(path);
  if (problem) report(at, `bad JSONPath ${JSON.stringify(path)}: ${problem}`);
}

function checkRegex(source: string, at: Path, report: (p: Path, m: string) => void): void {
  // A regex built from variables can only be checked at run time.
  if (templateRefs(source).length > 0) return;
  try {
    new RegExp(source);
  } catch (err) {
    report(at, `bad regular expression: ${(err as Error).message}`);
  }
}

function walkStrings(value: unknown, path: Path, visit: (s: string, path: Path) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
  }
}
