import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSuiteText } from './validate-suite.js';

const header = ['apiVersion: syntheticsctl/v1', 'kind: ProbeSuite', 'metadata: {name: demo}', 'spec:'];

describe('probe suite validation', () => {
  it('accepts the maestro-api example suite', () => {
    const text = readFileSync(
      new URL('../../examples/maestro-api/synthetics/maestro-api-canary.yaml', import.meta.url),
      'utf8',
    );
    const result = checkSuiteText(text, 'maestro-api-canary.yaml', {
      env: { TARGET_URL: 'http://x', PROBE_PASSWORD: 'p' },
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.suite?.spec.flows.map((f) => f.name)).toContain('rollback-chaos-lite');
  });

  it('reports every problem at once with line and column', () => {
    const text = [
      ...header,
      '  interval: 5s',
      '  timeout: 10s',
      '  colour: blue',
      '  flows:',
      '    - name: f',
      '      steps:',
      '        - name: s1',
      '          request: {method: GET, path: "/orders/${orderId}"}',
      '          extract: {tok: {jsonpath: "$.[?(@.a==]"}}',
      '          assert:',
      '            - status: "200"',
      '            - body: {matches: "([a-z"}',
      '            - jsonpath: {path: "token", exists: true}',
    ].join('\n');
    const result = checkSuiteText(text, 'suite.yaml');
    expect(result.ok).toBe(false);
    // zod problems come first (the semantic checks need a document of the right shape)...
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '7:3 unknown field "colour" in spec',
      '15:23 spec.flows[0].steps[0].assert[0].status: expected an HTTP status code like 200, or a list like [200, 201]',
    ]);
  });

  it('finds semantic problems: timeout > interval, undefined variables, bad regex and JSONPath', () => {
    const text = [
      ...header,
      '  interval: 5s',
      '  timeout: 10s',
      '  variables: {user: bot}',
      '  flows:',
      '    - name: f',
      '      steps:',
      '        - name: s1',
      '          request: {method: GET, path: "/orders/${orderId}?u=${user}"}',
      '          extract: {tok: {jsonpath: "$[?(@.a==)]"}}',
      '          assert:',
      '            - body: {matches: "([a-z"}',
      '            - jsonpath: {path: "token", exists: true}',
      '            - header: {name: x, equals: "${tok}"}',
    ].join('\n');
    const result = checkSuiteText(text, 'suite.yaml');
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      '6:12 timeout 10s is longer than interval 5s: runs would overlap',
      '12:40 variable "${orderId}" is used before any step defines it ' +
        '(define it in spec.variables or extract it in an earlier step)',
      '13:37 bad JSONPath "$[?(@.a==)]": filter expression does not parse: Expected expression after == at character 8',
      '15:31 bad regular expression: Invalid regular expression: /([a-z/: Unterminated character class',
      '16:32 bad JSONPath "token": must start with "$"',
    ]);
  });

  it('treats a missing environment variable as a warning, or an error when required', () => {
    const text = [
      ...header,
      '  baseUrl: ${env:TARGET_URL}',
      '  flows:',
      '    - name: f',
      '      steps:',
      '        - {name: s, request: {path: /}}',
    ].join('\n');
    expect(checkSuiteText(text, 's.yaml').diagnostics).toMatchObject([{ severity: 'warning', line: 5, column: 12 }]);
    expect(checkSuiteText(text, 's.yaml').ok).toBe(true);
    expect(checkSuiteText(text, 's.yaml', { requireEnv: true }).ok).toBe(false);
  });

  it('reports malformed YAML with its position', () => {
    const result = checkSuiteText('spec: {flows: [\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.message).toMatch(/^YAML syntax/);
  });
});
