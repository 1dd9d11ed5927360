import type { FlowResult, StepResult, SuiteResult } from '../results.js';

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one <testsuite> per flow, one
 * <testcase> per step; failed steps carry <failure>, steps after a failure are <skipped/>.
 */
export function junitReport(result: SuiteResult): string {
  const tests = result.flows.reduce((n, f) => n + f.steps.length, 0);
  const failures = result.flows.reduce((n, f) => n + f.steps.filter((s) => s.status === 'failed').length, 0);
  const time = secs(result.flows.reduce((n, f) => n + f.durationMs, 0));
  const suites = result.flows.map((f) => flowSuite(result.suite, f)).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${esc(result.suite)}` +
    `" tests="${tests}" failures="${failures}" errors="0" time="${time}">\n${suites}` +
    `</testsuites>\n`
  );
}

function flowSuite(suite: string, flow: FlowResult): string {
  const failures = flow.steps.filter((s) => s.status === 'failed').length;
  const skipped = flow.steps.filter((s) => s.status === 'skipped').length;
  const cases = flow.steps.map((s) => stepCase(`${suite}.${flow.flow}`, s)).join('');
  const out =
    `flow ${flow.flow}: ${flow.status}; attempts ${flow.attempts.length} ` +
    `(retries ${flow.retries}, first attempt ${flow.firstAttemptStatus}); ` +
    `target ${flow.baseUrl}`;
  return (
    `  <testsuite name="${esc(`${suite}.${flow.flow}`)}" tests="${flow.steps.length}` +
    `" failures="${failures}" errors="0" skipped="${skipped}" ` +
    `time="${secs(flow.durationMs)}" timestamp="${new Date(flow.startedAt).toISOString().slice(0, 19)}">\n${cases}` +
    `    <system-out>${esc(out)}</system-out>\n  </testsuite>\n`
  );
}

function stepCase(classname: string, step: StepResult): string {
  const open = `    <testcase classname="${esc(classname)}" name="${esc(step.name)}" time="${secs(step.durationMs)}"`;
  if (step.status === 'skipped')
    return `${open}>\n      <skipped message="an earlier step failed"/>\n    </testcase>\n`;
  if (step.status !== 'failed') return `${open}/>\n`;
  const failed = step.assertions.filter((a) => !a.passed);
  // Failed assertions first: "expected 201, actual 500" says more than the extraction that failed after it.
  const message = [
    ...failed.map((a) => `${a.description}: expected ${a.expected}, actual ${a.actual}`),
    ...(step.error ? [step.error.message] : []),
  ].join('; ');
  const detail = [
    `${step.method} ${step.url} → ${step.httpStatus || 'no response'}`,
    ...(step.error ? [`error (${step.error.kind}): ${step.error.message}`] : []),
    ...failed.map((a) => `${a.description}\n  expected: ${a.expected}\n  actual:   ${a.actual}`),
  ].join('\n');
  const type = step.error?.kind ?? 'assertion';
  return (
    `${open}>\n      <failure message="${esc(message)}" type="${esc(type)}` +
    `">${esc(detail)}</failure>\n    </testcase>\n`
  );
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

/** XML-escapes text and drops characters XML 1.0 forbids (a hostile body must not break the report). */
// eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function esc(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
