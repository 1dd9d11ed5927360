import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseReplayText } from './replay.js';

const HEADER = '{"kind":"replay","version":1,"service":"maestro-api","intervalSeconds":10,"latencyBoundsMs":[10,100]}';

function problems(text: string): string[] {
  try {
    parseReplayText(text, 'r.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
  }
  return [];
}

describe('replay files', () => {
  it('parses the header and intervals; variants and fields may be null or absent', () => {
    const r = parseReplayText(
      [
        HEADER,
        '',
        '{"t":10,"weight":10,"baseline":{"requests":900,"errors":1,"latency":[1,2,3]},"canary":null}',
        '{"t":20,"weight":10}',
      ].join('\n'),
      'r.jsonl',
    );
    expect(r.header).toMatchObject({ service: 'maestro-api', latencyBoundsMs: [10, 100] });
    expect(r.intervals.map((o) => o.t)).toEqual([10, 20]);
  });

  it('reports every bad line with file:line', () => {
    const text = [
      HEADER,
      '{"t":10,"weight":10,"canary":{"requests":10,"errors":11}}',
      '{"t":20,"weight":"ten"}',
      '{"t":30, oops}',
      '{"t":5,"weight":10,"canary":{"latency":[1,2]}}',
      '{"t":40,"weight":10,"colour":"blue"}',
    ].join('\n');
    const p = problems(text);
    expect(p[0]).toBe('r.jsonl:2:1: canary: errors (11) > requests (10)');
    expect(p[1]).toMatch(/^r\.jsonl:3:1: weight: /);
    expect(p[2]).toMatch(/^r\.jsonl:4:\d+: invalid JSON/);
    expect(p).toContain('r.jsonl:5:1: canary.latency: expected 3 bucket counts (bounds + the +Inf bucket), got 2');
    expect(p).toContain('r.jsonl:5:1: t must increase: 5 after 10');
    expect(p).toContain('r.jsonl:6:1: unknown field "colour"');
  });

  it('requires the header line', () => {
    expect(problems('')).toEqual([
      'r.jsonl:1:1: empty replay file: expected a {"kind":"replay","version":1,...} header line',
    ]);
    expect(problems('{"t":10,"weight":10}')[0]).toMatch(/^r\.jsonl:1:1: header: kind/);
  });
});
