import type { FlowResult, StepResult, SuiteResult } from '../results.js';

const MARK = { passed: 'PASS', degraded: 'DEGR', failed: 'FAIL', skipped: 'SKIP' } as const;
const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)}ms`;

/** Human-readable report: flow → step → assertions, with phase timings and expected vs actual. */
export function listReport(result: SuiteResult): string {
  const lines: string[] = [`suite ${result.suite} against ${result.baseUrl}`];
  for (const flow of result.flows) lines.push(...flowLines(flow));
  lines.push(
    '',
    `${result.flows.length} flows: ${result.passed} passed, ${result.degraded} degraded, ${result.failed} failed`,
  );
  return `${lines.join('\n')}\n`;
}

function flowLines(flow: FlowResult): string[] {
  const retry =
    flow.retries > 0
      ? `, ${flow.retries} ${flow.retries === 1 ? 'retry' : 'retries'} (first attempt ${flow.firstAttemptStatus})`
      : '';
  const lines = ['', `${MARK[flow.status]} ${flow.flow}  ${ms(flow.durationMs)}${retry}`];
  for (const step of flow.steps) lines.push(...stepLines(step));
  return lines;
}

function stepLines(step: StepResult): string[] {
  if (step.status === 'skipped') return [`  ${MARK.skipped} ${step.name} (not run: an earlier step failed)`];
  const t = step.timings;
  const phases =
    `resolve ${ms(t.resolve)} connect ${ms(t.connect)} tls ${ms(t.tls)} ` +
    `processing ${ms(t.processing)} transfer ${ms(t.transfer)}`;
  const redirects = step.redirects > 0 ? ` after ${step.redirects} redirect${step.redirects === 1 ? '' : 's'}` : '';
  const lines = [
    `  ${MARK[step.status]} ${step.name}  ${step.method} ${step.url} → ` +
      `${step.httpStatus || 'no response'}${redirects}` +
      `  ${ms(step.durationMs)}`,
    `       ${phases}`,
  ];
  if (step.error) lines.push(`       error (${step.error.kind}): ${step.error.message}`);
  for (const a of step.assertions) {
    const mark = !a.passed ? 'FAIL' : a.degraded ? 'DEGR' : 'ok  ';
    lines.push(
      a.passed && !a.degraded
        ? `       ${mark} ${a.description}`
        : `       ${mark} ${a.description}: expected ${a.expected}, actual ${a.actual}`,
    );
  }
  return lines;
}
