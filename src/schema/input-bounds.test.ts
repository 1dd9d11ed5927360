import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, FileError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { readReplayFile } from '../sources/replay.js';
import { checkSuiteText } from '../synthetics/validate-suite.js';
import { InputTooLargeError } from './input-limits.js';
import { parseDocumentText } from './load-document.js';
import { canaryPolicy } from './policy.js';
import { probeSuite } from './probe-suite.js';
import { loadDocumentFile } from '../read-input.js';

const policyHead = ['apiVersion: adaptive-canary/v1', 'kind: CanaryPolicy', 'metadata: {name: x}', 'spec:'];
const suiteHead = ['apiVersion: syntheticsctl/v1', 'kind: ProbeSuite', 'metadata: {name: demo}', 'spec:'];
const flows = ['  flows:', '    - name: f', '      steps:', '        - {name: s, request: {path: /}}'];

/** Every diagnostic as "line:column message" (throws when the document is accepted). */
function problems(lines: string[], schema: typeof canaryPolicy | typeof probeSuite = canaryPolicy): string[] {
  try {
    parseDocumentText(lines.join('\n'), 'f.yaml', schema);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(ExitCode.usage);
    return (err as ConfigError).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
  }
  throw new Error('the document was accepted');
}

function tempFile(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bounds-')), name);
  writeFileSync(file, content);
  return file;
}

describe('durations and counts have bounds', () => {
  it('interval: 0s would busy-loop; 2h is longer than an analysis interval may be', () => {
    expect(problems([...policyHead, '  service: svc', '  interval: 0s'])).toEqual([
      '6:13 spec.interval: must be at least 100ms, got "0s" (one judgement per interval)',
    ]);
    expect(problems([...policyHead, '  service: svc', '  interval: 2h'])[0]).toMatch(/at most 1h, got "2h"/);
  });

  it('30d overflows setTimeout (2^31-1 ms): refused wherever a timer waits that long', () => {
    expect(
      problems([
        ...policyHead,
        '  service: svc',
        '  steps: [{weight: 10, bake: 30d}]',
        '  inconclusive: {maxExtension: 25d}',
      ]),
    ).toEqual([
      '6:30 spec.steps[0].bake: must be at most 24d, got "30d" (a timer cannot wait longer than 24.8 days)',
      '7:32 spec.inconclusive.maxExtension: must be at most 24d, got "25d" (a timer cannot wait longer than 24.8 days)',
    ]);
    expect(problems([...suiteHead, '  interval: 30d', ...flows], probeSuite)[0]).toMatch(
      /interval: must be at most 24d/,
    );
  });

  it('enforces the documented constraints between fields', () => {
    expect(
      problems([...policyHead, '  service: svc', '  interval: 30s', '  steps: [{weight: 10, bake: 10s}]']),
    ).toEqual([
      '7:30 spec.steps[0].bake: bake 10s is shorter than one analysis ' +
        'interval (30s): the step would end before it is judged',
    ]);
    expect(problems([...policyHead, '  service: svc', '  kayenta: {pass: 40, marginal: 60}'])[0]).toMatch(
      /kayenta.marginal: marginal \(60\) must not exceed pass \(40\)/,
    );
    const suite = checkSuiteText([...suiteHead, '  interval: 5s', '  timeout: 10s', ...flows].join('\n'), 's.yaml');
    expect(suite.diagnostics.map((d) => d.message)).toEqual([
      'timeout 10s is longer than interval 5s: runs would overlap',
    ]);
  });
});

describe('wrong types say what was found and what was expected', () => {
  it('retries: "lots" and alpha: 1e400', () => {
    expect(problems([...suiteHead, '  retries: lots', ...flows], probeSuite)).toEqual([
      '5:12 spec.retries: expected number, got the text "lots"',
    ]);
    expect(problems([...policyHead, '  service: svc', '  alpha: 1e400'])).toEqual([
      '6:10 spec.alpha: expected number, got a number too large to represent',
    ]);
  });

  it('a binary file is named as one', () => {
    const file = tempFile('canary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    expect(() => loadDocumentFile(file, canaryPolicy)).toThrow(FileError);
    expect(() => loadDocumentFile(file, canaryPolicy)).toThrow(/is a binary file .*expected a text file/);
  });
});

describe('inputs that would exhaust memory', () => {
  it('a file over the limit is refused before it is read or parsed (exit 2)', () => {
    const file = tempFile(
      'suite.yaml',
      `${suiteHead.join('\n')}\n  variables: {pad: "${'x'.repeat(2 * 1024 * 1024)}"}\n`,
    );
    const err = (() => {
      try {
        loadDocumentFile(file, probeSuite);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputTooLargeError);
    expect((err as InputTooLargeError).exitCode).toBe(ExitCode.usage);
    expect((err as Error).message).toMatch(/suite\.yaml is 2 MiB, over the 1 MiB limit/);
  });

  it('a YAML alias bomb is a located input error, not an internal error', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]'];
    for (const k of 'cdefgh')
      bomb.push(
        `${k}: &${k} [${Array(9)
          .fill(`*${String.fromCharCode(k.charCodeAt(0) - 1)}`)
          .join(',')}]`,
      );
    expect(problems(bomb)).toEqual([
      '2:8 YAML aliases expand too far (more than 100 alias expansions): refusing a document that would exhaust memory',
    ]);
  });

  it('a replay header the schema rejects is located, in words', () => {
    const file = tempFile('r.jsonl', '{"kind":"replay","version":1,"service":"x y","intervalSeconds":0}\n');
    try {
      readReplayFile(file);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message.split('\n')).toEqual([
        `${file}:1:1: error: header: service: a DNS-1123 label, e.g. maestro-api, got the text "x y"`,
        `${file}:1:1: error: header: intervalSeconds: Too small: expected number to be >=0.1, got number 0`,
      ]);
    }
  });
});
