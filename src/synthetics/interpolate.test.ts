import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolate, interpolateDeep, MissingVariableError, Redactor } from './interpolate.js';

describe('interpolation', () => {
  const scope = {
    vars: new Map([
      ['user', 'bot'],
      ['id', '42'],
    ]),
    env: { PW: 'hunter22' },
  };

  it('replaces variables and environment references, deeply', () => {
    expect(interpolate('/u/${user}/${id}?p=${env:PW}', scope)).toBe('/u/bot/42?p=hunter22');
    expect(interpolateDeep({ a: ['${user}', 1, null], b: { c: '${env:PW}' } }, scope)).toEqual({
      a: ['bot', 1, null],
      b: { c: 'hunter22' },
    });
  });

  it('throws a clear error for an undefined name', () => {
    expect(() => interpolate('${nope}', scope)).toThrow(MissingVariableError);
    expect(() => interpolate('${env:NOPE}', scope)).toThrow('environment variable NOPE is not set');
  });
});

describe('redaction', () => {
  it('masks every occurrence of a secret, URL-encoded ones too, and leaves short values', () => {
    const r = new Redactor();
    r.add('p@ss word');
    r.add('ab');
    expect(r.redact('x=p@ss word y=p%40ss%20word ab')).toBe('x=*** y=*** ab');
    expect(r.redactDeep({ k: ['p@ss word'], 'p@ss word': 1 })).toEqual({ k: ['***'], '***': 1 });
  });

  it('never leaves a secret in any text it redacts', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3 }), fc.string(), fc.string(), (secret, before, after) => {
        const r = new Redactor();
        r.add(secret);
        expect(r.redact(`${before}${secret}${after}`).includes(secret)).toBe(false);
      }),
    );
  });

  it('forks without growing the parent', () => {
    const parent = new Redactor();
    parent.add('parent-secret');
    const child = parent.fork();
    child.add('child-token');
    expect(parent.size).toBe(1);
    expect(child.redact('parent-secret child-token')).toBe('*** ***');
  });
});
